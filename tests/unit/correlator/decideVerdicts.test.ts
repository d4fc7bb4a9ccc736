import { describe, expect, it } from 'vitest';
import { decideVerdicts } from '../../../src/correlator/index.ts';
import type { Verdict } from '../../../src/events/index.ts';
import { CEST, CET, config, decide, luaRound, statsRound, VEKTOR } from './fixtures.ts';

const FILE = '2026-08-19-214136-supply-round-1.txt';
const END = '2026-08-19 21:41:33';
const T = 1787168496;
const joined = (
  stats: Parameters<typeof statsRound>[1] = {},
  lua: Omit<Parameters<typeof luaRound>[0], 'end'> = {},
) => {
  const verdicts = decide([statsRound(FILE, stats)], [luaRound({ end: END, ...lua })], T + 1000);
  expect(verdicts).toHaveLength(1);
  return verdicts[0]!;
};
const luaOnly = (lua: Omit<Parameters<typeof luaRound>[0], 'end'> = {}): Verdict => {
  const verdicts = decide([], [luaRound({ end: END, ...lua })], T + 1000);
  expect(verdicts).toHaveLength(1);
  return verdicts[0]!;
};

describe('decideVerdicts', () => {
  it('grades the difference: ≤ 30 s ALIGNED, ≤ 60 s MINOR_DIFF, beyond DISCREPANCY', () => {
    const status = (stats: number) => joined({ statsPlaytimeSec: stats }).status;
    expect([573, 573.5, 603, 604, 482].map(status)).toEqual([
      'ALIGNED',
      'MINOR_DIFF',
      'MINOR_DIFF',
      'DISCREPANCY',
      'DISCREPANCY',
    ]);
  });

  it('says NO_STATS_TIME when the stats playtime is unknown, and fights with the Lua playtime', () => {
    const v = joined({ statsPlaytimeSec: null });
    expect(v).toMatchObject({ status: 'NO_STATS_TIME', diffSec: null, fightingTimeSec: 543 });
    expect(v.players[0]).toMatchObject({ factor: null, correctedTimeSec: 0, dpm: null, correctedDpm: null });
  });

  it('falls back to the stats playtime when a joined report has none (status NO_LUA_DATA, joined)', () => {
    const v = joined({ statsPlaytimeSec: 500 }, { playtimeSec: null });
    expect(v).toMatchObject({
      status: 'NO_LUA_DATA',
      diffSec: null,
      fightingTimeSec: 500,
      luaFactId: expect.any(String),
    });
  });

  it('applies the surrender rule: only a real team (1 or 2) that is not the winner surrenders', () => {
    const s = (team: 0 | 1 | 2, winner: 0 | 1 | 2, endReason: 'surrender' | 'objective' = 'surrender') =>
      joined({}, { endReason, winner, surrender: { team, callerGuid: null, callerName: null } });
    // Every joined verdict here has a /1 report (no own time): approximatePlayerTime is always there.
    const none = ['approximatePlayerTime'];
    expect(s(2, 1)).toMatchObject({ surrender: true, surrenderTeam: 2, flags: none });
    expect(s(1, 1)).toMatchObject({ surrender: false, flags: ['inconsistentSurrender', ...none] });
    expect(s(0, 1)).toMatchObject({ surrender: false, surrenderTeam: 0, flags: none });
    expect(s(0, 0)).toMatchObject({ surrender: false, surrenderTeam: 0, flags: none, outcome: null });
    expect(joined({}, { endReason: 'surrender', surrender: null })).toMatchObject({ surrender: false, flags: none });
    expect(s(1, 2, 'objective')).toMatchObject({ surrender: false, flags: none });
  });

  it('derives the outcome from winner and defender, null when either is unknown or the round looks aborted', () => {
    expect(joined({}, { winner: 1, defender: 1 }).outcome).toBe('FULL_HOLD');
    expect(joined({}, { winner: 2, defender: 1 }).outcome).toBe('COMPLETED');
    expect(joined({}, { winner: 0, defender: 1 }).outcome).toBeNull();
    expect(joined({}, { winner: 2, defender: 0 }).outcome).toBeNull();
    expect(joined({}, { endReason: 'aborted' }).outcome).toBeNull();
    const statsOnly = decide([statsRound(FILE, { winner: 1, defender: 1 })], [], T + 121)[0]!;
    expect(statsOnly).toMatchObject({ status: 'NO_LUA_DATA', outcome: 'FULL_HOLD' });
  });

  it('counts pause records from the report and PauseRecorded facts together, once per start', () => {
    const a = { startUnix: 1787168073, endUnix: 1787168120, sec: 47 };
    const b = { startUnix: 1787168268, endUnix: 1787168299, sec: 31 };
    const flags = (over: Parameters<typeof joined>[1]) =>
      joined({}, over).flags.filter((f) => f !== 'approximatePlayerTime');
    expect(flags({ pauseCount: 2, pauses: [a], pauseRecords: [a, b] })).toEqual([]);
    expect(flags({ pauseCount: 3, pauses: [a, b], pauseRecords: [a, b] })).toEqual(['pausesIncomplete']);
    expect(flags({ pauseCount: null, pausedSec: null })).toEqual(['pausesUnknown']);
  });

  it('suspects an abort on our aborted report, a shutdown stats file, and the legacy Lua-only patterns', () => {
    expect(joined({}, { endReason: 'aborted' }).flags).toContain('suspectedAbort');
    expect(joined({ shutdownWritten: true, winner: 0, statsPlaytimeSec: null }).flags).toContain('suspectedAbort');
    const legacy = { playtimeSec: 190, timelimitSec: 720, winner: 1, defender: 1, endReason: 'objective' } as const;
    expect(luaOnly(legacy).flags).toContain('suspectedAbort');
    expect(luaOnly({ ...legacy, playtimeSec: 360 }).flags).not.toContain('suspectedAbort');
    expect(luaOnly({ ...legacy, timelimitSec: null }).flags).not.toContain('suspectedAbort');
    expect(joined({ statsPlaytimeSec: 190 }, legacy).flags).not.toContain('suspectedAbort');
    const emptySurrender = { playtimeSec: 100, winner: 0, endReason: 'surrender', surrender: null } as const;
    expect(luaOnly(emptySurrender).flags).toContain('suspectedAbort');
    expect(luaOnly({ ...emptySurrender, winner: 2 }).flags).not.toContain('suspectedAbort');
    expect(luaOnly({ endReason: 'aborted', playtimeSec: 600 }).flags).toContain('suspectedAbort');
  });

  it('suspects an abort from a stats file only when it is the shutdown file: winner 0 and a negative field 9', () => {
    const shutdown = { shutdownWritten: true, statsPlaytimeSec: null } as const;
    const won = joined({ ...shutdown, winner: 2 });
    expect(won.flags).not.toContain('suspectedAbort');
    expect(won.outcome).toBe('COMPLETED');
    expect(joined({ ...shutdown, winner: 0 }).flags).toContain('suspectedAbort');
    expect(joined({ winner: 0, statsPlaytimeSec: 500 }).flags).not.toContain('suspectedAbort');
    // Stats-only: the spec names the shutdown file an abort on a joined round only.
    const statsOnly = decide([statsRound(FILE, { ...shutdown, winner: 0 })], [], T + 121)[0]!;
    expect(statsOnly).toMatchObject({ status: 'NO_LUA_DATA', outcome: null, flags: ['approximatePlayerTime'] });
  });

  it('marks ghosts only among Lua-only reports', () => {
    expect(luaOnly({ playtimeSec: 29 }).flags).toContain('ghost');
    expect(luaOnly({ playtimeSec: 30 }).flags).not.toContain('ghost');
    expect(joined({ statsPlaytimeSec: 20 }, { playtimeSec: 20 }).flags).not.toContain('ghost');
  });

  it('carries the stats flags and keys a Lua-only verdict by its report id', () => {
    expect(joined({ approximateStatsTime: true, overLimit: true }).flags).toEqual([
      'approximateStatsTime',
      'overLimit',
      'approximatePlayerTime',
    ]);
    expect(luaOnly()).toMatchObject({ roundKey: 'lua:eu1:supply:1:1787168493', players: [], statsFactId: null });
    expect(luaOnly({ roundStartUnix: null }).wallClockSec).toBeNull();
  });

  it('links players by GUID prefix (any case), else by exactly one clean name, else flags unlinkedPlayers', () => {
    const p = (guid8: string, name: string) => ({ guid8, name, team: 1, damageGiven: 600, timePlayedSec: 300 });
    const reportPlayers = [
      { guid: VEKTOR, name: 'Vektor', rawName: null, team: 1 as const },
      { guid: '3F9A1C0EAAAAAAAAAAAAAAAAAAAAAAAA', name: 'Twin', rawName: null, team: 2 as const },
      { guid: 'B0000000000000000000000000000001', name: 'dup', rawName: null, team: 1 as const },
      { guid: 'B0000000000000000000000000000002', name: 'dup', rawName: null, team: 2 as const },
      { guid: 'C0000000000000000000000000000001', name: 'Solo', rawName: null, team: 2 as const },
    ];
    const v = joined(
      { players: [p('c0000000', 'x'), p('3F9A1C0E', '^1Vek^7tor'), p('DEADBEEF', '^2Solo'), p('DEADBEEF', 'dup')] },
      { players: reportPlayers },
    );
    expect(v.players.map((x) => x.fullGuid)).toEqual([
      'C0000000000000000000000000000001',
      VEKTOR,
      'C0000000000000000000000000000001',
      null,
    ]);
    expect(v.flags).toEqual(['unlinkedPlayers', 'approximatePlayerTime']);
  });

  it('computes per-player figures from the fighting time; DPM undefined at zero time', () => {
    const players = [
      { guid8: '3F9A1C0E', name: 'a', team: 1, damageGiven: 1200, timePlayedSec: 600 },
      { guid8: 'C08D3E6A', name: 'b', team: 2, damageGiven: 50, timePlayedSec: 0 },
    ];
    const v = joined({ statsPlaytimeSec: 600, players }, { playtimeSec: 540 });
    expect(v.players[0]).toMatchObject({ statsTimeSec: 600, correctedTimeSec: 540, factor: 0.9, dpm: 120 });
    expect(v.players[0]!.correctedDpm).toBeCloseTo((1200 * 60) / 540);
    expect(v.players[1]).toMatchObject({ correctedTimeSec: 0, dpm: null, correctedDpm: null });
    const noLua = decide([statsRound(FILE, { statsPlaytimeSec: 600, players })], [], T + 121)[0]!;
    expect(noLua.players.map((x) => x.fullGuid)).toEqual([null, null]);
    expect(noLua.flags).toEqual(['approximatePlayerTime']);
  });

  it('waits for the watermark to pass the latest time candidate + grace before NO_LUA_DATA', () => {
    const s = statsRound('2026-10-25-023003-supply-round-1.txt', { offsets: [CEST, CET] });
    const [early, late] = s.fileTimeCandidatesUnix as [number, number];
    expect(decide([s], [], early + 121)).toEqual([]);
    expect(decide([s], [], late + 120)).toEqual([]);
    expect(decide([s], [], late + 121)[0]).toMatchObject({ status: 'NO_LUA_DATA', fileTimeUnix: early });
  });

  it('decides a LUA_ONLY only after roundEnd + grace, and with no watermark never guesses one', () => {
    const l = luaRound({ end: END });
    expect(decideVerdicts([], [l], new Map(), config)).toEqual([]);
    expect(decide([], [l], l.report.roundEndUnix + 120)).toEqual([]);
    expect(decide([], [l], l.report.roundEndUnix + 121)).toHaveLength(1);
    const other = decideVerdicts([], [l], new Map([['eu2', T + 1000]]), config);
    expect(other).toEqual([]);
  });

  it('emits a joined verdict at once, stamped with the facts own latest time when no watermark is known', () => {
    const v = decideVerdicts([statsRound(FILE)], [luaRound({ end: END })], new Map(), config);
    expect(v[0]).toMatchObject({ watermarkUnix: T, correlatorVersion: 1, status: 'ALIGNED' });
  });
});
