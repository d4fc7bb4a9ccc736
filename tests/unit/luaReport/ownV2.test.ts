// Our script's `et-ledger.round/2` (lua-report.md "Our report, version 2"): /1 plus each client's
// own time in play; recognised by content, refused field by field when hostile.
import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { LuaRoundEnded } from '../../../src/events/luaRoundEnded.ts';
import { type LuaNormalizeResult, normalizeLuaReport } from '../../../src/parser/luaReport.ts';
import { OwnRoundReport } from '../../../src/parser/luaReportOwn.ts';
import { recognizeFact } from '../../../src/parser/recognize.ts';

const fixtures = new URL('../../fixtures/lua/', import.meta.url);
const context = {
  serverId: 'ctx',
  source: { kind: 'dir', ref: '2026-08-19-214133-supply-round-1.lua.json' },
  receivedAt: '2026-08-19T19:41:34Z',
} as const;
const encode = (value: unknown) => new TextEncoder().encode(typeof value === 'string' ? value : JSON.stringify(value));
const normalize = (value: unknown) => normalizeLuaReport(encode(value), context);
const errorOf = (result: LuaNormalizeResult) => {
  if (result.ok) throw new Error(`expected an error, got ${JSON.stringify(result)}`);
  return result.error;
};
function round(result: LuaNormalizeResult) {
  if (!result.ok || result.kind !== 'round') throw new Error(`expected a round, got ${JSON.stringify(result)}`);
  return result;
}

const VEKTOR = '3F9A1C0E7B2D4E6F8A1B2C3D4E5F6071';
const BRAMBLE = 'C08D3E6A1F5B47209D8E7F6A5B4C3D2E';
const LEAVER = 'A17C44D2E9F03B58C6D7E8F901A2B3C4';

/** The spec's /1 example as /2: two players all round, one who left, one bot. */
function example() {
  const v1 = JSON.parse(readFileSync(new URL('round1-spec-example.json', fixtures), 'utf8'));
  return {
    ...v1,
    schema: 'et-ledger.round/2',
    players: [
      { guid: VEKTOR, name: 'Vektor', rawName: '^1Vek^7tor', team: 1, axisMs: 543_000, alliesMs: 0 },
      { guid: BRAMBLE, name: 'bramble', rawName: 'bramble', team: 2, axisMs: 0, alliesMs: 542_400 },
      { guid: LEAVER, name: 'n0va', rawName: '^4n0va', team: 0, axisMs: 120_500, alliesMs: 60_250 },
      { guid: null, name: 'Bot1', rawName: '^3Bot1', team: 3, axisMs: 30_000, alliesMs: 0 },
    ],
  };
}

describe('et-ledger.round/2', () => {
  it('normalises /1 plus every player time, the leaver and the bot included', () => {
    const { report, pauses } = round(normalize(example()));
    expect(report.shape).toBe('et-ledger.round/2');
    expect(report.playerTimes).toEqual([
      { guid: VEKTOR, name: 'Vektor', rawName: '^1Vek^7tor', team: 1, axisMs: 543_000, alliesMs: 0 },
      { guid: BRAMBLE, name: 'bramble', rawName: 'bramble', team: 2, axisMs: 0, alliesMs: 542_400 },
      { guid: LEAVER, name: 'n0va', rawName: '^4n0va', team: 0, axisMs: 120_500, alliesMs: 60_250 },
      { guid: null, name: 'Bot1', rawName: '^3Bot1', team: 3, axisMs: 30_000, alliesMs: 0 },
    ]);
    // `teams` stays as in /1: the players on each side at round end.
    expect(report.players.map((p) => [p.guid, p.team])).toEqual([
      [VEKTOR, 1],
      [BRAMBLE, 2],
    ]);
    expect(report).toMatchObject({ serverId: 'eu1', map: 'supply', round: 1, playtimeSec: 543, pauseCount: 2 });
    expect(pauses).toHaveLength(2);
    expect(LuaRoundEnded.shape.data.safeParse(report).success).toBe(true);
  });

  it('reads /1 as before, with no player times (null)', () => {
    const { players: _, ...v1 } = { ...example(), schema: 'et-ledger.round/1' };
    const { report } = round(normalize(v1));
    expect(report).toMatchObject({ shape: 'et-ledger.round/1', playerTimes: null });
    // A /1 report that happens to carry `players` still has no player time: /1 does not define it.
    expect(round(normalize({ ...example(), schema: 'et-ledger.round/1' })).report.playerTimes).toBeNull();
  });

  it('takes the clean name from rawName, and the given name when rawName is missing', () => {
    const r = example();
    r.players[0] = { guid: VEKTOR, name: 'ignored', rawName: '^1Q\u0007^7x', team: 1, axisMs: 1, alliesMs: 2 };
    r.players[1] = { guid: BRAMBLE, name: 'plain', team: 2, axisMs: 0, alliesMs: 0 };
    const times = round(normalize(r)).report.playerTimes!;
    expect(times[0]).toMatchObject({ name: 'Qx', rawName: '^1Q\u0007^7x' });
    expect(times[1]).toMatchObject({ name: 'plain', rawName: null });
  });

  it('keeps a total beyond the round playtime: the correlator caps it and says so', () => {
    const r = example();
    r.players[0].axisMs = 600_000;
    r.players[0].alliesMs = 300_000;
    expect(round(normalize(r)).report.playerTimes![0]).toMatchObject({ axisMs: 600_000, alliesMs: 300_000 });
  });

  it('accepts more clients than slots (every client of the round, leavers too), and an empty list', () => {
    const churn = example();
    churn.players = Array.from({ length: 176 }, (_, i) => ({
      guid: `G${i}`,
      name: `p${i}`,
      team: 0,
      axisMs: i,
      alliesMs: 0,
    }));
    expect(round(normalize(churn)).report.playerTimes).toHaveLength(176);
    expect(round(normalize({ ...example(), players: [] })).report.playerTimes).toEqual([]);
  });

  it('refuses a report without players, naming it', () => {
    const { players: _, ...r } = example();
    expect(errorOf(normalize(r))).toMatchObject({ code: 'bad_field', field: 'players' });
  });

  it.each([
    ['negative axis time', 'axisMs', -1, '-1'],
    ['negative allies time', 'alliesMs', -500, '-500'],
    ['fractional ms', 'axisMs', 1000.5, '1000.5'],
    ['ms as text', 'alliesMs', '1000', '1000'],
    ['ms as null', 'axisMs', null, 'null'],
    ['ms beyond what a read model holds', 'axisMs', 2 ** 31, String(2 ** 31)],
    ['ms far beyond any round', 'alliesMs', 1e20, '100000000000000000000'],
    ['team 4', 'team', 4, '4'],
    ['team as text', 'team', '1', '1'],
    ['guid a number', 'guid', 1234, '1234'],
    ['name null', 'name', null, 'null'],
    ['rawName a number', 'rawName', 7, '7'],
  ])('refuses %s with a coded bad_field naming players.2.%s', (_, key, value, shown) => {
    const r = example();
    (r.players[2] as Record<string, unknown>)[key] = value;
    expect(errorOf(normalize(r))).toMatchObject({ code: 'bad_field', field: `players.2.${key}`, value: shown });
  });

  it('refuses a missing per-player field', () => {
    for (const key of ['guid', 'name', 'team', 'axisMs', 'alliesMs']) {
      const r = example();
      delete (r.players[1] as Record<string, unknown>)[key];
      expect(errorOf(normalize(r))).toMatchObject({ code: 'bad_field', field: `players.1.${key}` });
    }
  });

  it('refuses more than 1 024 entries (within 64 KiB), and players that are not a list of objects', () => {
    const entry = { guid: null, name: '', team: 0, axisMs: 0, alliesMs: 0 };
    const many = { ...example(), players: Array.from({ length: 1025 }, () => entry) };
    expect(encode(many).length).toBeLessThanOrEqual(64 * 1024);
    expect(errorOf(normalize(many))).toMatchObject({ code: 'bad_field', field: 'players' });
    expect(round(normalize({ ...many, players: many.players.slice(1) })).report.playerTimes).toHaveLength(1024);
    expect(errorOf(normalize({ ...example(), players: { VEKTOR: 1 } }))).toMatchObject({
      code: 'bad_field',
      field: 'players',
    });
    expect(errorOf(normalize({ ...example(), players: null }))).toMatchObject({ code: 'bad_field', field: 'players' });
    expect(errorOf(normalize({ ...example(), players: ['Vektor'] }))).toMatchObject({
      code: 'bad_field',
      field: 'players.0',
    });
  });

  it('refuses the /1 fields as /1 does', () => {
    expect(errorOf(normalize({ ...example(), playtimeSec: -1 }))).toMatchObject({
      code: 'bad_field',
      field: 'playtimeSec',
    });
    const { teams: _, ...noTeams } = example();
    expect(errorOf(normalize(noTeams))).toMatchObject({ code: 'bad_field', field: 'teams' });
  });

  it('is a Lua report by its content, for the folder and SFTP sources, whatever its name', () => {
    expect(recognizeFact(encode(example()), '2026-08-19-214133-supply-round-1.lua.json')).toBe('lua');
    expect(recognizeFact(encode(example()), 'notes.txt')).toBe('lua');
    // Beyond the size limit it is judged by its first bytes: the marker must be known there too.
    const big = encode(`{"schema":"et-ledger.round/2","pad":"${'x'.repeat(70 * 1024)}"}`);
    expect(recognizeFact(big, null)).toBe('lua');
    expect(errorOf(normalizeLuaReport(big, context)).code).toBe('too_large');
  });

  it('exports one report schema that reads both versions', () => {
    expect(OwnRoundReport.safeParse(example()).success).toBe(true);
    const { players: _, ...v1 } = { ...example(), schema: 'et-ledger.round/1' };
    expect(OwnRoundReport.safeParse(v1).success).toBe(true);
    expect(OwnRoundReport.safeParse({ ...v1, schema: 'et-ledger.round/2' }).success).toBe(false);
  });

  it('never throws on arbitrary player entries', () => {
    const keys = ['guid', 'name', 'rawName', 'team', 'axisMs', 'alliesMs'];
    fc.assert(
      fc.property(fc.array(fc.dictionary(fc.constantFrom(...keys), fc.jsonValue()), { maxLength: 70 }), (players) => {
        const result = normalize({ ...example(), players });
        expect(typeof result.ok).toBe('boolean');
        if (result.ok && result.kind === 'round') {
          expect(LuaRoundEnded.shape.data.safeParse(result.report).success).toBe(true);
        }
      }),
      { numRuns: 300 },
    );
  });
});

describe('stored LuaRoundEnded events from before /2', () => {
  it('still pass the schema without playerTimes', () => {
    const { report } = round(normalize({ ...example(), schema: 'et-ledger.round/1' }));
    const { playerTimes: _, ...old } = report;
    expect(LuaRoundEnded.shape.data.safeParse(old).success).toBe(true);
    expect(LuaRoundEnded.shape.data.safeParse({ ...old, shape: 'legacy.gametime' }).success).toBe(true);
  });
});
