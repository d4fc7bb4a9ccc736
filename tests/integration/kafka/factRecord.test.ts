// The facts topic's record format, without a cluster: what the collector writes is read back as
// the same fact; hostile or broken records become quarantine entries naming topic/partition/offset.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { deterministicUuid } from '../../../src/events/ids.ts';
import { identifyFact } from '../../../src/sources/identifyFact.ts';
import {
  decodeFactRecord,
  encodeFactRecord,
  type FactRecord,
  factHeader,
} from '../../../src/sources/kafkaFactRecord.ts';

const ctx = { topic: 'facts', partition: 2, defaultServerId: 'default', defaultTz: 'UTC', maxBytes: 1 << 20 };
const fileName = '2026-08-19-214136-supply-round-1.txt';
const fact = identifyFact({
  bytes: readFileSync(new URL(`../../fixtures/stats/${fileName}`, import.meta.url)),
  fileName,
  serverId: 'eu1',
  tz: 'Europe/Ljubljana',
  source: { kind: 'dir', ref: `/srv/eu1/gamestats/${fileName}` },
  receivedAt: '2026-08-19T21:41:36.000Z',
  maxBytes: 1 << 20,
}).events[0];

function record(overrides: Partial<FactRecord> & { set?: Record<string, string>; drop?: string[] } = {}): FactRecord {
  const m = encodeFactRecord(fact);
  const headers = { ...(m.headers as Record<string, string>), ...overrides.set };
  for (const d of overrides.drop ?? []) delete headers[d];
  return {
    key: Buffer.from(String(m.key)),
    value: m.value as Buffer,
    headers,
    offset: '41',
    timestamp: String(Date.parse('2026-08-19T20:00:00Z')),
    ...overrides,
  };
}

describe('facts topic records', () => {
  it('reads back exactly the fact the collector published', () => {
    const { events, quarantined } = decodeFactRecord(record(), ctx);
    expect(quarantined).toBeNull();
    expect(events).toEqual([{ ...fact, raw: new Uint8Array(fact.raw!) }]);
  });

  const hostile: [string, Partial<FactRecord> & { set?: Record<string, string>; drop?: string[] }, RegExp][] = [
    [
      'a forged event id',
      { set: { [factHeader.eventId]: deterministicUuid('stats', 'forged') } },
      /^identity_mismatch/,
    ],
    ['another stream', { set: { [factHeader.streamId]: 'stats-elsewhere' } }, /^identity_mismatch/],
    ['a key naming another server', { key: Buffer.from('us1') }, /^key_mismatch/],
    ['bytes that are not the described ones', { value: Buffer.from('tampered') }, /^sha256_mismatch/],
    ['no bytes at all (a tombstone)', { value: null }, /^no_value/],
    ['data that is not JSON', { set: { [factHeader.data]: '{"serverId":' } }, /^bad_header: et-data/],
    ['data of the wrong shape', { set: { [factHeader.data]: '{"serverId":"eu1"}' } }, /^schema/],
    ['a derived event type', { set: { [factHeader.type]: 'RoundTimingReconciled' } }, /^not_a_fact/],
    [
      'an id that is not a uuid',
      { set: { [factHeader.eventId]: "'; drop table ledger.events; --" } },
      /^bad_header: et-event-id/,
    ],
    ['a system stream name', { set: { [factHeader.streamId]: '$all' } }, /^bad_header: et-stream-id/],
    [
      'a bare arrival whose key is no server id',
      { key: Buffer.from('../../etc'), drop: [factHeader.type] },
      /^bad_key/,
    ],
    ['a bare arrival in an unknown zone', { set: { tz: 'Mars/Olympus' }, drop: [factHeader.type] }, /^bad_header: tz/],
  ];
  it.each(hostile)('quarantines %s with the record’s position', (_, overrides, reason) => {
    const { events, quarantined } = decodeFactRecord(record(overrides), ctx);
    expect(quarantined).toMatch(reason);
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({
      type: 'UnrecognizedFactArrived',
      data: { reason: `kafka_record_invalid: ${quarantined}`, source: { kind: 'kafka', ref: 'facts/2/41' } },
    });
  });

  it('identifies a bare arrival itself, recording where in Kafka it came from', () => {
    const { events, quarantined } = decodeFactRecord(
      record({ drop: [factHeader.type], set: { [factHeader.fileName]: 'x.txt', tz: 'Europe/Berlin' } }),
      ctx,
    );
    expect(quarantined).toBeNull();
    expect(events[0]!.data).toMatchObject({
      serverId: 'eu1',
      tz: 'Europe/Berlin',
      source: { kind: 'kafka', ref: 'facts/2/41' },
    });
  });
});
