import { describe, expect, it } from 'vitest';
import {
  clockTickIdentity,
  decodeEvent,
  deterministicUuid,
  LedgerEvent,
  luaReportIdentity,
  pauseIdentity,
  statsFileIdentity,
} from '../../../src/events/index.ts';

describe('event ids', () => {
  it('gives the same fact the same id and stream, every time', () => {
    expect(statsFileIdentity('eu1', 'a.txt', 'ab'.repeat(32))).toEqual(
      statsFileIdentity('eu1', 'a.txt', 'ab'.repeat(32)),
    );
    expect(luaReportIdentity('eu1', 'supply', 1, 1787168493, 'legacy.stats-ready').streamId).toBe(
      'lua-eu1:supply:1:1787168493',
    );
  });

  it('gives a report one id per script: every legacy shape one, our script’s /1 and /2 another, one stream', () => {
    const legacy = luaReportIdentity('eu1', 'supply', 1, 1787168493, 'legacy.stats-ready');
    const own = luaReportIdentity('eu1', 'supply', 1, 1787168493, 'et-ledger.round/2');
    expect(luaReportIdentity('eu1', 'supply', 1, 1787168493, 'legacy.gametime')).toEqual(legacy);
    expect(luaReportIdentity('eu1', 'supply', 1, 1787168493, 'et-ledger.round/1')).toEqual(own);
    expect(own.streamId).toBe(legacy.streamId);
    expect(own.eventId).not.toBe(legacy.eventId);
  });

  it('tells different facts apart: server, file name, content, round end, pause start', () => {
    const ids = [
      statsFileIdentity('eu1', 'a.txt', 'ab'.repeat(32)),
      statsFileIdentity('eu2', 'a.txt', 'ab'.repeat(32)),
      statsFileIdentity('eu1', 'b.txt', 'ab'.repeat(32)),
      statsFileIdentity('eu1', 'a.txt', 'cd'.repeat(32)),
      luaReportIdentity('eu1', 'supply', 1, 1, 'legacy.stats-ready'),
      luaReportIdentity('eu1', 'supply', 2, 1, 'legacy.stats-ready'),
      luaReportIdentity('eu1', 'supply', 1, 1, 'et-ledger.round/2'),
      pauseIdentity('eu1', 'supply', 1, 5),
      clockTickIdentity('eu1', 5),
    ].map((i) => i.eventId);
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('is an RFC 9562 UUID (version 8, variant 10)', () => {
    expect(deterministicUuid('x', 'y')).toMatch(
      /^[0-9a-f]{8}-[0-9a-f]{4}-8[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/,
    );
  });
});

describe('reading stored events', () => {
  it('upcasts a ClockTicked v1 (ISO time under `server`) to v2 on read', () => {
    const r = decodeEvent({
      type: 'ClockTicked',
      schemaVersion: 1,
      data: { server: 'eu1', at: '2026-08-19T19:41:33.000Z' },
    });
    expect(r).toEqual({
      ok: true,
      event: { type: 'ClockTicked', schemaVersion: 2, data: { serverId: 'eu1', atUnix: 1787168493 } },
    });
  });

  it('reads the current version as it is, and validates it on request', () => {
    const tick = { type: 'ClockTicked', schemaVersion: 2, data: { serverId: 'eu1', atUnix: 5 } };
    expect(decodeEvent(tick)).toEqual({ ok: true, event: tick });
    const broken = { type: 'ClockTicked', schemaVersion: 2, data: { serverId: 'eu 1', atUnix: 1.5 } };
    expect(decodeEvent(broken, { validate: true })).toMatchObject({ ok: false });
  });

  it('names an unknown type or version instead of guessing', () => {
    expect(decodeEvent({ type: 'ClockTicked', schemaVersion: 9, data: {} })).toEqual({
      ok: false,
      reason: 'no schema for ClockTicked v9',
    });
    expect(decodeEvent({ type: 'Nope', schemaVersion: 1, data: {} })).toMatchObject({ ok: false });
  });

  it('a raw fact must carry its bytes', () => {
    const data = {
      serverId: 'eu1',
      fileName: 'f.txt',
      tz: 'Europe/Ljubljana',
      sha256: 'a'.repeat(64),
      sizeBytes: 1,
      source: { kind: 'dir', ref: '/x' },
      arrivedAt: '2026-08-19T19:41:33.000Z',
    };
    expect(LedgerEvent.safeParse({ type: 'StatsFileArrived', schemaVersion: 1, data }).success).toBe(false);
    expect(
      LedgerEvent.safeParse({ type: 'StatsFileArrived', schemaVersion: 1, data, raw: new Uint8Array([1]) }).success,
    ).toBe(true);
    expect(
      LedgerEvent.safeParse({
        type: 'StatsFileArrived',
        schemaVersion: 1,
        data: { ...data, tz: 'Mars/Base' },
        raw: new Uint8Array([1]),
      }).success,
    ).toBe(false);
  });
});
