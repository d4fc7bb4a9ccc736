// A player's corrected time (correlation.md "The verdict", per player): his own time in play from an
// `et-ledger.round/2` report, capped to the round's Lua playtime; else the stats rule, flagged
// approximatePlayerTime; a raw R2 line (R1 + R2 figures, no R1 to subtract) divides by its own
// cumulative time, flagged cumulativeFigures (samples/stats decay_sw R2).

import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { joinPlayers } from '../../../src/correlator/joinPlayers.ts';
import { statsPlayersOf } from '../../../src/correlator/statsPlayers.ts';
import type { StatsCandidate, StatsPlayer } from '../../../src/correlator/types.ts';
import type { LuaPlayerTime, LuaReport } from '../../../src/events/index.ts';
import { parseStatsFile, unpairedRound2 } from '../../../src/parser/statsFile.ts';
import { BRAMBLE, decide, localUnix, luaRound, statsRound, VEKTOR } from './fixtures.ts';

const FILE = '2026-08-19-214136-supply-round-1.txt';
const END = '2026-08-19 21:41:33';
const T = 1787168496;
const NOVA = 'A17C44D2E9F03B58C6D7E8F901A2B3C4';

const time = (guid: string | null, name: string, axisMs: number, alliesMs = 0, team: 0 | 1 | 2 | 3 = 1) =>
  ({ guid, name, rawName: name, team, axisMs, alliesMs }) satisfies LuaPlayerTime;

/** Vektor and bramble, as in the fixtures' /1 report, each with an own time. */
const v2 = (playerTimes: LuaPlayerTime[], over: Partial<LuaReport> = {}) =>
  luaRound({ end: END, shape: 'et-ledger.round/2', playerTimes, ...over });

const joined = (players: StatsPlayer[], playerTimes: LuaPlayerTime[] | null, over: Partial<LuaReport> = {}) => {
  const lua = playerTimes === null ? luaRound({ end: END, ...over }) : v2(playerTimes, over);
  const verdicts = decide([statsRound(FILE, { players })], [lua], T + 1000);
  expect(verdicts).toHaveLength(1);
  return verdicts[0]!;
};

const P = (guid8: string, name: string, damageGiven: number, timePlayedSec: number, team = 1): StatsPlayer => ({
  guid8,
  name,
  team,
  damageGiven,
  timePlayedSec,
});
const vektor = P('3F9A1C0E', '^1Vek^7tor', 2287, 540);
const bramble = P('C08D3E6A', 'bramble', 1764, 540, 2);

describe('own time in play (et-ledger.round/2)', () => {
  it('takes each linked player own time, to 0.1 s, with no approximatePlayerTime', () => {
    const v = joined(
      [vektor, bramble],
      [time(VEKTOR, 'Vektor', 420_040), time(BRAMBLE, 'bramble', 100_000, 431_260, 2)],
    );
    expect(v.players.map((p) => [p.fullGuid, p.statsTimeSec, p.correctedTimeSec])).toEqual([
      [VEKTOR, 540, 420],
      [BRAMBLE, 540, 531.3],
    ]);
    expect(v.players[0]!.correctedDpm).toBeCloseTo((2287 * 60) / 420);
    expect(v.players[1]!.correctedDpm).toBeCloseTo((1764 * 60) / 531.3);
    expect(v.players[0]!.dpm).toBeCloseTo((2287 * 60) / 540);
    expect(v.flags).toEqual([]);
  });

  it('counts both sides of a player who switched teams', () => {
    const v = joined([vektor], [time(VEKTOR, 'Vektor', 200_000, 143_000, 2)]);
    expect(v.players[0]!.correctedTimeSec).toBe(343);
  });

  it('links by the GUID prefix in any case, else by the one clean name, the same rule as fullGuid', () => {
    const lower = P('3f9a1c0e', 'renamed', 900, 300);
    const byName = P('', '^2n0^7va', 600, 300, 2);
    const v = joined([lower, byName], [time(VEKTOR, 'Vektor', 100_000), time(NOVA, 'n0va', 0, 250_000, 2)], {
      players: [{ guid: VEKTOR, name: 'Vektor', rawName: null, team: 1 }],
    });
    expect(v.players.map((p) => [p.fullGuid, p.correctedTimeSec])).toEqual([
      [VEKTOR, 100],
      [NOVA, 250],
    ]);
    expect(v.flags).toEqual([]);
  });

  it('links a player who left before the end through the player times (not in teams): no unlinkedPlayers', () => {
    const leaver = P('A17C44D2', 'n0va', 300, 120, 2);
    const v = joined([vektor, leaver], [time(VEKTOR, 'Vektor', 543_000), time(NOVA, 'n0va', 0, 121_300, 0)]);
    expect(v.players[1]).toMatchObject({ fullGuid: NOVA, correctedTimeSec: 121.3 });
    expect(v.flags).toEqual([]);
  });

  it('links a bot (GUID null) by its name', () => {
    const bot = P('', 'Bot1', 100, 60, 2);
    const v = joined([bot], [time(null, 'Bot1', 0, 59_900, 2)]);
    expect(v.players[0]).toMatchObject({ fullGuid: null, correctedTimeSec: 59.9 });
    expect(v.flags).toEqual([]);
  });

  it('falls back to min(stats, fighting time) for a player the report does not list, flagged approximatePlayerTime', () => {
    const v = joined([vektor, bramble], [time(VEKTOR, 'Vektor', 500_000)]);
    expect(v.players.map((p) => [p.fullGuid, p.correctedTimeSec])).toEqual([
      [VEKTOR, 500],
      [BRAMBLE, 540],
    ]);
    expect(v.flags).toEqual(['approximatePlayerTime']);
  });

  it('gives neither of two stats rows of one person (a reconnect) his whole own time', () => {
    const first = P('3F9A1C0E', 'Vektor', 500, 200);
    const second = P('3F9A1C0E', 'Vektor', 700, 300);
    const v = joined([first, second], [time(VEKTOR, 'Vektor', 510_000)]);
    expect(v.players.map((p) => [p.fullGuid, p.correctedTimeSec])).toEqual([
      [VEKTOR, 200],
      [VEKTOR, 300],
    ]);
    expect(v.flags).toEqual(['approximatePlayerTime']);
  });

  it('caps an own time beyond the round playtime + 1 s to the playtime and flags playerTimeOverRound', () => {
    const v = joined(
      [vektor, bramble],
      [time(VEKTOR, 'Vektor', 600_000), time(BRAMBLE, 'bramble', 300_000, 300_000, 2)],
    );
    expect(v.players.map((p) => p.correctedTimeSec)).toEqual([543, 543]);
    expect(v.players[0]!.correctedDpm).toBeCloseTo((2287 * 60) / 543);
    expect(v.flags).toEqual(['playerTimeOverRound']);
  });

  it('clamps sampling slack within 1 s to the playtime without a flag', () => {
    const edge = (ms: number) => joined([vektor], [time(VEKTOR, 'Vektor', ms)]);
    expect(edge(543_000)).toMatchObject({ flags: [], players: [{ correctedTimeSec: 543 }] });
    expect(edge(544_000)).toMatchObject({ flags: [], players: [{ correctedTimeSec: 543 }] });
    expect(edge(544_100)).toMatchObject({ flags: ['playerTimeOverRound'], players: [{ correctedTimeSec: 543 }] });
  });

  it('gives no DPM for an own time of zero', () => {
    const v = joined([vektor], [time(VEKTOR, 'Vektor', 0)]);
    expect(v.players[0]).toMatchObject({ correctedTimeSec: 0, correctedDpm: null });
  });
});

describe('no own time: the stats rule, flagged approximatePlayerTime', () => {
  it('a /1 report: min(stats time, fighting time)', () => {
    const v = joined([P('3F9A1C0E', 'Vektor', 600, 600)], null);
    expect(v.players[0]).toMatchObject({ fullGuid: VEKTOR, correctedTimeSec: 543 });
    expect(v.flags).toEqual(['approximatePlayerTime']);
  });

  it('a stored report from before /2 (no playerTimes key at all) reads as /1', () => {
    const lua = luaRound({ end: END });
    const { playerTimes: _, ...old } = lua.report;
    const v = decide([statsRound(FILE)], [{ ...lua, report: old as LuaReport }], T + 1000)[0]!;
    expect(v.flags).toEqual(['approximatePlayerTime']);
  });

  it('no report (NO_LUA_DATA): the stats time capped at the stats playtime', () => {
    const v = decide(
      [statsRound(FILE, { statsPlaytimeSec: 500, players: [P('3F9A1C0E', 'Vektor', 600, 540)] })],
      [],
      T + 121,
    )[0]!;
    expect(v).toMatchObject({ status: 'NO_LUA_DATA', flags: ['approximatePlayerTime'] });
    expect(v.players[0]!.correctedTimeSec).toBe(500);
  });

  it('no players: no player flag', () => {
    expect(joined([], null).flags).toEqual([]);
    expect(decide([statsRound(FILE, { players: [] })], [], T + 121)[0]!.flags).toEqual([]);
  });

  it('joinPlayers alone, as other callers use it', () => {
    const report = v2([time(VEKTOR, 'Vektor', 300_000)]).report;
    const join = joinPlayers([vektor, bramble], report, { fightingTimeSec: 543, statsPlaytimeSec: 540 });
    expect(join).toMatchObject({ unlinked: false, approximateTime: true, overRound: false, cumulative: false });
    expect(join.players.map((p) => p.correctedTimeSec)).toEqual([300, 540]);
  });
});

describe('the name join compares clean names as both parsers gave them', () => {
  it('a stats player named ^Bob (raw ^^1Bob) links to the report’s ^Bob, not also to ob', () => {
    // Cleaning a clean name again took `^B` for a colour code: ^Bob matched ob as well, and neither.
    const base = v2([]).report;
    const report = {
      ...base,
      players: [
        { guid: 'A'.repeat(32), name: '^Bob', rawName: '^^1Bob', team: 1 as const },
        { guid: 'B'.repeat(32), name: 'ob', rawName: 'ob', team: 1 as const },
      ],
    };
    const join = joinPlayers([{ ...vektor, guid8: '', name: '^Bob' }], report, {
      fightingTimeSec: 543,
      statsPlaytimeSec: 540,
    });
    expect(join.unlinked).toBe(false);
    expect(join.players[0]!.fullGuid).toBe('A'.repeat(32));
  });
});

describe('an R2 whose figures are R1 + R2 (no R1 file): decay_sw', () => {
  const name = '2026-08-20-213144-decay_sw-round-2.txt';
  const bytes = new Uint8Array(readFileSync(new URL(`../../../samples/stats/${name}`, import.meta.url)));

  /** The candidate projections/correlator.ts statsCandidate builds, with the `cumulative` line it must pass. */
  function candidate(): StatsCandidate {
    const parsed = parseStatsFile(bytes, name);
    if (!parsed.ok) throw new Error(parsed.error.detail);
    const round = unpairedRound2(parsed.round);
    expect(round.flags).toContain('r2Cumulative');
    return statsRound(name, {
      statsPlaytimeSec: round.statsPlaytimeSec,
      timeLimitSec: round.timeLimitSec,
      winner: round.winner === 1 || round.winner === 2 ? round.winner : 0,
      defender: round.defender === 1 || round.defender === 2 ? round.defender : 0,
      players: statsPlayersOf(round.players),
    });
  }

  /** The R2's report: 301 s, each player on the field all round (R2 only, as the spec counts it). */
  const report = (S: StatsCandidate) =>
    luaRound({
      map: 'decay_sw',
      round: 2,
      end: '2026-08-20 21:31:41',
      playtimeSec: 301,
      timelimitSec: 301,
      winner: 1,
      defender: 1,
      shape: 'et-ledger.round/2',
      players: S.players.map((p) => ({
        guid: `${p.guid8}00000000000000000000000A`,
        name: p.name,
        rawName: p.name,
        team: p.team === 1 ? 1 : 2,
      })),
      playerTimes: S.players.map((p) => time(`${p.guid8}00000000000000000000000A`, p.name, 301_000)),
    });

  const tamsin = (players: { name: string; correctedTimeSec: number; correctedDpm: number | null }[]) =>
    players.find((p) => p.name === 'Tamsin')!;

  it('joined: divides both halves damage by the cumulative time (Tamsin ≈ 194.7, not ≈ 388)', () => {
    const S = candidate();
    const v = decide([S], [report(S)], localUnix('2026-08-20 21:31:44') + 1000)[0]!;
    expect(v).toMatchObject({ statsFactId: S.factId, fightingTimeSec: 301 });
    const t = tamsin(v.players);
    expect(t).toMatchObject({ correctedTimeSec: 600, statsTimeSec: 600, damageGiven: 1947 });
    expect(t.correctedDpm).toBeCloseTo(194.7, 1);
    for (const p of v.players) expect(p.correctedTimeSec).toBe(600);
    // The report's R2-only own time is not used for R1 + R2 damage; every player still links.
    expect(v.players.every((p) => p.fullGuid !== null)).toBe(true);
    expect(v.flags).toEqual(['approximatePlayerTime', 'cumulativeFigures']);
  });

  it('without a report (NO_LUA_DATA): the same true rates', () => {
    const S = candidate();
    const v = decide([S], [], localUnix('2026-08-20 21:31:44') + 121)[0]!;
    expect(v.status).toBe('NO_LUA_DATA');
    expect(tamsin(v.players).correctedDpm).toBeCloseTo(194.7, 1);
    expect(v.players.map((p) => Math.round(p.correctedDpm!))).toEqual([154, 163, 174, 195]);
    expect(v.flags).toEqual(['approximatePlayerTime', 'cumulativeFigures']);
  });

  it('a differentiated R2 (R2 − R1) is not cumulative: capped at the fighting time as before', () => {
    const S = candidate();
    const half = { ...S, players: S.players.map((p) => ({ ...p, cumulative: false, timePlayedSec: 300 })) };
    const v = decide([half], [report(S)], localUnix('2026-08-20 21:31:44') + 1000)[0]!;
    expect(v.flags).not.toContain('cumulativeFigures');
    expect(v.players.map((p) => p.correctedTimeSec)).toEqual([301, 301, 301, 301]);
  });
});
