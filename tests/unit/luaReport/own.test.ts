// Our script's shapes (et-ledger.round/1, et-ledger.pause/1), refused input, and hostile input.
import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { luaReportId } from '../../../src/events/ids.ts';
import { type LuaNormalizeResult, MAX_LUA_REPORT_BYTES, normalizeLuaReport } from '../../../src/parser/luaReport.ts';

const fixtures = new URL('../../fixtures/lua/', import.meta.url);
const textOf = (name: string) => readFileSync(new URL(name, fixtures), 'utf8');
const context = {
  serverId: 'ctx',
  source: { kind: 'http', ref: '/v1/reports' },
  receivedAt: '2026-08-19T19:41:34Z',
} as const;
const encode = (value: unknown) => new TextEncoder().encode(typeof value === 'string' ? value : JSON.stringify(value));
const normalize = (value: unknown) => normalizeLuaReport(encode(value), context);
const example = () => JSON.parse(textOf('round1-spec-example.json'));
const errorOf = (result: LuaNormalizeResult) => {
  if (result.ok) throw new Error(`expected an error, got ${JSON.stringify(result)}`);
  return result.error;
};
function round(result: LuaNormalizeResult) {
  if (!result.ok || result.kind !== 'round') throw new Error(`expected a round, got ${JSON.stringify(result)}`);
  return result;
}

describe('et-ledger.round/1', () => {
  it('normalises the spec example', () => {
    const { report, pauses } = round(normalizeLuaReport(encode(textOf('round1-spec-example.json')), context));
    expect(report).toEqual({
      serverId: 'eu1',
      map: 'supply',
      round: 1,
      roundStartUnix: 1787167872,
      roundEndUnix: 1787168493,
      playtimeSec: 543,
      timelimitSec: 720,
      warmupSec: 45,
      warmupStartUnix: 1787167827,
      pauseCount: 2,
      pausedSec: 78,
      pauses: [
        { startUnix: 1787168073, endUnix: 1787168120, sec: 47 },
        { startUnix: 1787168268, endUnix: 1787168299, sec: 31 },
      ],
      endReason: 'objective',
      surrender: null,
      winner: 2,
      defender: 1,
      players: [
        { guid: '3F9A1C0E7B2D4E6F8A1B2C3D4E5F6071', name: 'Vektor', rawName: '^1Vek^7tor', team: 1 },
        { guid: 'C08D3E6A1F5B47209D8E7F6A5B4C3D2E', name: 'bramble', rawName: 'bramble', team: 2 },
      ],
      playerTimes: null,
      scriptVersion: '1.0.0',
      shape: 'et-ledger.round/1',
      source: context.source,
      receivedAt: context.receivedAt,
    });
    expect(luaReportId(report.serverId, report.map, report.round, report.roundEndUnix)).toBe(example().id);
    expect(pauses.map((p) => [p.serverId, p.roundStartUnix, p.roundEndUnix, p.startUnix, p.endUnix, p.sec])).toEqual([
      ['eu1', 1787167872, 1787168493, 1787168073, 1787168120, 47],
      ['eu1', 1787167872, 1787168493, 1787168268, 1787168299, 31],
    ]);
  });

  it('cleans the name from rawName when present, else keeps the given name', () => {
    const r = example();
    r.teams.axis[0] = { guid: 'A1', name: 'whatever', rawName: '^1Q\u0007^7x ' };
    r.teams.allies[0] = { guid: 'B2', name: 'plain' };
    const players = round(normalize(r)).report.players;
    expect(players).toEqual([
      { guid: 'A1', name: 'Qx', rawName: '^1Q\u0007^7x ', team: 1 },
      { guid: 'B2', name: 'plain', rawName: null, team: 2 },
    ]);
  });

  it('takes the server from the report, and from the context only when the report names none', () => {
    expect(round(normalize(example())).report.serverId).toBe('eu1');
    const { server: _, ...withoutServer } = example();
    expect(round(normalize(withoutServer)).report.serverId).toBe('ctx');
  });

  it('maps a null warmup, no pauses and a surrender', () => {
    const r = { ...example(), warmup: null, pauses: [], endReason: 'surrender' };
    r.surrender = { team: 2, callerGuid: 'A17C44D2E9F03B58C6D7E8F901A2B3C4', callerName: 'n0va' };
    const { report, pauses } = round(normalize(r));
    expect(report).toMatchObject({ warmupSec: null, warmupStartUnix: null, pauseCount: 0, pausedSec: 0, pauses: [] });
    expect(report.surrender).toEqual(r.surrender);
    expect(pauses).toEqual([]);
  });

  it('ignores keys it does not know', () => {
    expect(round(normalize({ ...example(), extra: { nested: true } })).report.map).toBe('supply');
  });

  const requiredKeys = Object.keys(example()).filter((k) => k !== 'schema' && k !== 'server');
  it.each(requiredKeys)('refuses a report without %s, naming it', (key) => {
    const r = example();
    delete r[key];
    expect(errorOf(normalize(r))).toMatchObject({ code: 'bad_field', field: key });
  });

  it.each([
    ['roundEndUnix', '1787168493', '1787168493'],
    ['round', 3, '3'],
    ['playtimeSec', -1, '-1'],
    ['roundStartUnix', 1787167872.5, '1787167872.5'],
    ['endReason', 'exploded', 'exploded'],
    ['winner', 3, '3'],
    ['map', '', ''],
    ['server', 'eu 1', 'eu 1'],
  ])('refuses %s = %j with the value it found', (key, value, shown) => {
    expect(errorOf(normalize({ ...example(), [key]: value }))).toMatchObject({
      code: 'bad_field',
      field: key,
      value: shown,
    });
  });

  it('names a nested field by its path', () => {
    const r = example();
    delete r.teams.allies[0].guid;
    expect(errorOf(normalize(r))).toMatchObject({ code: 'bad_field', field: 'teams.allies.0.guid' });
    const p = example();
    p.pauses[1].sec = '31';
    expect(errorOf(normalize(p))).toMatchObject({ code: 'bad_field', field: 'pauses.1.sec', value: '31' });
  });

  it('refuses a context instant that is not one', () => {
    const result = normalizeLuaReport(encode(example()), { ...context, receivedAt: 'yesterday' });
    expect(errorOf(result)).toMatchObject({ code: 'bad_field', field: 'receivedAt' });
  });
});

describe('et-ledger.pause/1', () => {
  it('gives a PauseRecorded without a round end', () => {
    const result = normalizeLuaReport(encode(textOf('pause1-example.json')), context);
    expect(result).toEqual({
      ok: true,
      kind: 'pause',
      pause: {
        serverId: 'eu1',
        map: 'supply',
        round: 1,
        roundStartUnix: 1787167872,
        roundEndUnix: null,
        startUnix: 1787168073,
        endUnix: 1787168120,
        sec: 47,
        source: context.source,
        receivedAt: context.receivedAt,
      },
    });
  });

  it('refuses a pause record without its seconds', () => {
    const { sec: _, ...p } = JSON.parse(textOf('pause1-example.json'));
    expect(errorOf(normalize(p))).toMatchObject({ code: 'bad_field', field: 'sec' });
  });
});

describe('input that is no report', () => {
  it.each(['', 'hello', '{"schema":', '{"a":1}}', '\u0000'])('%j is not JSON', (text) => {
    expect(errorOf(normalize(text)).code).toBe('not_json');
  });

  it.each([
    {},
    [],
    '"a string"',
    null,
    42,
    { foo: 1 },
    { schema: 'et-ledger.round/3' },
    { content: 'STATS_NOT_READY', embeds: [] },
    { meta: {}, payload: { content: 'hello' } },
    [{ content: 'STATS_READY' }],
  ])('%j is JSON of another shape', (value) => {
    expect(errorOf(normalize(value)).code).toBe('unknown_shape');
  });

  it('refuses more than 64 KiB before reading it, and accepts exactly 64 KiB', () => {
    const body = textOf('round1-spec-example.json');
    const exact = body + ' '.repeat(MAX_LUA_REPORT_BYTES - encode(body).length);
    expect(encode(exact).length).toBe(64 * 1024);
    expect(normalize(exact).ok).toBe(true);
    expect(errorOf(normalize(`${exact} `)).code).toBe('too_large');
  });

  it('never throws, whatever the bytes', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 4096 }), (bytes) => {
        expect(typeof normalizeLuaReport(bytes, context).ok).toBe('boolean');
      }),
      { numRuns: 500 },
    );
  });

  it('never throws, whatever the JSON value', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (value) => {
        expect(typeof normalize(JSON.stringify(value) ?? 'null').ok).toBe('boolean');
      }),
      { numRuns: 500 },
    );
  });

  it('never throws on our shapes with arbitrary values in their keys', () => {
    const keys = Object.keys(example());
    fc.assert(
      fc.property(
        fc.constantFrom('et-ledger.round/1', 'et-ledger.pause/1'),
        fc.dictionary(fc.constantFrom(...keys, 'startUnix', 'endUnix', 'sec'), fc.jsonValue()),
        (schema, values) => {
          expect(typeof normalize({ ...example(), ...values, schema }).ok).toBe('boolean');
        },
      ),
      { numRuns: 300 },
    );
  });

  it('never throws on legacy bodies with arbitrary field values', () => {
    const names = ['Map', 'Round', 'Winner', 'Defender', 'Lua_Playtime', 'Lua_Timelimit', 'Lua_Pauses'];
    const more = ['Lua_RoundEnd', 'Lua_SurrenderTeam', 'Axis_JSON', 'Allies_JSON', 'Lua_Pauses_JSON', 'Lua_EndReason'];
    fc.assert(
      fc.property(
        fc.array(fc.record({ name: fc.constantFrom(...names, ...more), value: fc.oneof(fc.string(), fc.jsonValue()) })),
        fc.option(fc.string()),
        fc.boolean(),
        (fields, footer, wrapped) => {
          const body = {
            content: 'STATS_READY',
            embeds: [{ fields, footer: footer === null ? undefined : { text: footer } }],
          };
          const value = wrapped ? { meta: {}, payload: body } : body;
          expect(typeof normalize(value).ok).toBe('boolean');
        },
      ),
      { numRuns: 500 },
    );
  });
});
