// The scenarios of shared/spec/correlation.md at the pure level. Where a scenario is about the
// log (12, 13, 17) or about decoding (18), the end-to-end part belongs to the projection and
// source tests; here we assert what the correlator itself guarantees.
import { describe, expect, it } from 'vitest';
import { type LuaCandidate, type StatsCandidate, verdictContent } from '../../../src/correlator/index.ts';
import type { Verdict } from '../../../src/events/index.ts';
import { parseStatsFile } from '../../../src/parser/statsFile.ts';
import {
  BRAMBLE,
  CEST,
  CET,
  createVerdictLog,
  decide,
  localUnix,
  luaRound,
  shuffled,
  statsRound,
  VEKTOR,
} from './fixtures.ts';

const t = (s: StatsCandidate) => s.fileTimeCandidatesUnix.at(-1)!;
const end = (l: LuaCandidate) => l.report.roundEndUnix;
function only<T>(items: T[]): T {
  expect(items).toHaveLength(1);
  return items[0]!;
}
const byKey = (verdicts: Verdict[], key: string): Verdict => {
  const v = verdicts.find((x) => x.roundKey === key);
  if (v === undefined) throw new Error(`no verdict for ${key}`);
  return v;
};

const supplyR1Pauses = [
  { startUnix: 1787168073, endUnix: 1787168120, sec: 47 },
  { startUnix: 1787168268, endUnix: 1787168299, sec: 31 },
];
const supplyR1 = () =>
  luaRound({
    start: '2026-08-19 21:31:12',
    end: '2026-08-19 21:41:33',
    pauseCount: 2,
    pausedSec: 78,
    pauses: supplyR1Pauses,
    pauseRecords: supplyR1Pauses,
  });
const supplyR1File = () => statsRound('2026-08-19-214136-supply-round-1.txt');
const supplyR2 = () =>
  luaRound({
    round: 2,
    start: '2026-08-19 21:43:09',
    end: '2026-08-19 21:47:34',
    playtimeSec: 265,
    timelimitSec: 9.059 * 60,
    endReason: 'surrender',
    surrender: { team: 2, callerGuid: BRAMBLE, callerName: 'n0va' },
    winner: 1,
    defender: 1,
  });
const supplyR2File = () =>
  statsRound('2026-08-19-214737-supply-round-2.txt', { statsPlaytimeSec: 265, timeLimitSec: 543.5, winner: 1 });

/** A stats round as the projection builds it from the parser's output (header only). */
function parsedStatsRound(fileName: string, header: string): StatsCandidate {
  const parsed = parseStatsFile(new TextEncoder().encode(`${header}\n`), fileName);
  if (!parsed.ok) throw new Error(parsed.error.detail);
  const r = parsed.round;
  return statsRound(fileName, {
    statsPlaytimeSec: r.statsPlaytimeSec,
    approximateStatsTime: r.flags.includes('approximateStatsTime'),
    overLimit: r.flags.includes('overLimit'),
    shutdownWritten: r.flags.includes('shutdownWritten'),
    timeLimitSec: r.timeLimitSec,
    winner: r.winner === 1 || r.winner === 2 ? r.winner : 0,
    defender: r.defender === 1 || r.defender === 2 ? r.defender : 0,
  });
}

describe('correlation.md scenarios', () => {
  it('1. Lua first: the report waits, its stats file joins it once, Δ = +3 s', () => {
    const L = supplyR1();
    const S = supplyR1File();
    expect(end(L)).toBe(1787168493);
    const log = createVerdictLog();
    expect(log.feed([], [L], end(L)).appends).toEqual([]);
    const v = only(log.feed([S], [L], t(S)).appends.map((a) => a.event.data));
    expect(v).toMatchObject({
      roundKey: S.factId,
      statsFactId: S.factId,
      luaFactId: L.factId,
      luaReportId: 'eu1:supply:1:1787168493',
      fileTimeUnix: 1787168496,
      deltaSec: 3,
      statsPlaytimeSec: 543,
      luaPlaytimeSec: 543,
      pauseCount: 2,
      pausedSec: 78,
      wallClockSec: 621,
      fightingTimeSec: 543,
      diffSec: 0,
      status: 'ALIGNED',
      outcome: 'COMPLETED',
      // A /1 report carries no per-player time: the stats rule stands, and the verdict says so.
      flags: ['approximatePlayerTime'],
      supersedes: [],
    });
    expect(v.players.map((p) => p.fullGuid)).toEqual([VEKTOR, BRAMBLE]);
    expect(log.feed([S], [L], t(S) + 3600).appends).toEqual([]);
  });

  it('2. Lua late by a minute: NO_LUA_DATA first, then the joined verdict supersedes it under the same key', () => {
    const L = supplyR1();
    const S = supplyR1File();
    const log = createVerdictLog();
    const first = only(log.feed([S], [], t(S) + 121).appends);
    expect(first.event.data.status).toBe('NO_LUA_DATA');
    const second = only(log.feed([S], [L], t(S) + 121).appends);
    expect(second.event.data).toMatchObject({ roundKey: S.factId, status: 'ALIGNED', supersedes: [first.eventId] });
    expect(log.standing()).toHaveLength(1);
  });

  it('3. three replays of te_escape2 in one evening: every report joins its own replay', () => {
    const ends = ['22:27:23', '22:40:17', '22:50:56'];
    const files = ['222726', '224019', '225059'];
    const deltas = [3, 2, 3];
    const L = ends.map((e) => luaRound({ map: 'te_escape2', end: `2026-08-19 ${e}` }));
    const S = files.map((f) => statsRound(`2026-08-19-${f}-te_escape2-round-1.txt`));
    const log = createVerdictLog();
    for (let i = 0; i < 3; i++) {
      log.feed(S.slice(0, i), L.slice(0, i + 1), end(L[i]!));
      const v = only(log.feed(S.slice(0, i + 1), L.slice(0, i + 1), t(S[i]!)).appends.map((a) => a.event.data));
      expect(v).toMatchObject({ statsFactId: S[i]!.factId, luaFactId: L[i]!.factId, deltaSec: deltas[i] });
    }
    expect(log.standing().map((v) => [v.statsFactId, v.luaFactId])).toEqual(
      expect.arrayContaining(S.map((s, i) => [s.factId, L[i]!.factId])),
    );
  });

  it('4. a leftover report never attaches to a round 17 min later; two stats rounds never share one report', () => {
    const L = supplyR1();
    const later = statsRound('2026-08-19-215836-supply-round-1.txt');
    const verdicts = decide([later], [L], t(later) + 121);
    expect(byKey(verdicts, later.factId)).toMatchObject({ status: 'NO_LUA_DATA', luaFactId: null });
    expect(byKey(verdicts, 'lua:eu1:supply:1:1787168493').status).toBe('LUA_ONLY');

    const a = statsRound('2026-08-19-214136-supply-round-1.txt');
    const b = statsRound('2026-08-19-214150-supply-round-1.txt');
    const two = decide([b, a], [L], t(b) + 121);
    expect(byKey(two, a.factId)).toMatchObject({ luaFactId: L.factId, deltaSec: 3 });
    expect(byKey(two, b.factId)).toMatchObject({ status: 'NO_LUA_DATA', luaFactId: null });

    // Same file time, different bytes: a tie for L at equal |Δ|, never a guess.
    const twin = statsRound('2026-08-19-214136-supply-round-1.txt', { sha: 'other bytes' });
    const tie = decide([a, twin], [L], t(a) + 121);
    expect(tie.map((v) => `${v.status} ${v.flags}`).sort()).toEqual([
      'LUA_ONLY ambiguous',
      'NO_LUA_DATA ambiguous,approximatePlayerTime',
      'NO_LUA_DATA ambiguous,approximatePlayerTime',
    ]);
  });

  it('5. R2 report never arrives: R2 gets NO_LUA_DATA after the grace, R1 stays as it was', () => {
    const L1 = supplyR1();
    const S1 = supplyR1File();
    const S2 = supplyR2File();
    const log = createVerdictLog();
    log.feed([S1, S2], [L1], t(S2));
    expect(log.feed([S1, S2], [L1], t(S2) + 120).appends).toEqual([]);
    const v = only(log.feed([S1, S2], [L1], t(S2) + 121).appends.map((a) => a.event.data));
    expect(v).toMatchObject({ roundKey: S2.factId, status: 'NO_LUA_DATA', fightingTimeSec: 265 });
    expect(byKey(log.standing(), S1.factId)).toMatchObject({ luaFactId: L1.factId, status: 'ALIGNED' });
  });

  it('6. a fractional stopwatch limit (9.059 min) is 543.5 s, not 0', () => {
    const v = only(decide([supplyR2File()], [supplyR2()], t(supplyR2File())));
    expect(v.timelimitSec).toBeCloseTo(543.5, 0);
    const noLuaLimit = only(
      decide(
        [supplyR2File()],
        [luaRound({ ...supplyR2().report, end: '2026-08-19 21:47:34', timelimitSec: null })],
        t(supplyR2File()),
      ),
    );
    expect(noLuaLimit.timelimitSec).toBe(543.5);
  });

  it('7. surrender: fighting time is the Lua playtime; an R1 surrender with field 9 ignores f8', () => {
    const v = only(decide([supplyR2File()], [supplyR2()], t(supplyR2File())));
    expect(v).toMatchObject({ fightingTimeSec: 265, surrender: true, surrenderTeam: 2, status: 'ALIGNED', diffSec: 0 });

    const S = statsRound('2026-08-19-214136-supply-round-1.txt', { statsPlaytimeSec: 312, winner: 1 });
    const L = luaRound({
      end: '2026-08-19 21:41:33',
      playtimeSec: 311,
      endReason: 'surrender',
      surrender: { team: 2, callerGuid: null, callerName: null },
      winner: 1,
    });
    const r1 = only(decide([S], [L], t(S)));
    expect(r1).toMatchObject({ statsPlaytimeSec: 312, fightingTimeSec: 311, surrender: true, status: 'ALIGNED' });
    expect(r1.flags).not.toContain('approximateStatsTime');
  });

  it('8. a failed vote then an objective: surrender false, inconsistentSurrender', () => {
    const S = supplyR1File();
    const L = luaRound({
      end: '2026-08-19 21:41:33',
      endReason: 'surrender',
      surrender: { team: 2, callerGuid: null, callerName: null },
      winner: 2,
    });
    const v = only(decide([S], [L], t(S)));
    expect(v).toMatchObject({ surrender: false, outcome: 'COMPLETED' });
    expect(v.flags).toContain('inconsistentSurrender');
  });

  it('9. an objective at 11:00 of 12:00 reported as time_expired is COMPLETED', () => {
    const S = statsRound('2026-08-19-214136-supply-round-1.txt', { statsPlaytimeSec: 660 });
    const L = luaRound({
      end: '2026-08-19 21:41:33',
      playtimeSec: 660,
      endReason: 'time_expired',
      winner: 2,
      defender: 1,
    });
    expect(only(decide([S], [L], t(S))).outcome).toBe('COMPLETED');
  });

  it('10. admin map_restart at 3:10: the replay pairs, the first report is LUA_ONLY + suspectedAbort', () => {
    const aborted = luaRound({
      map: 'te_escape2',
      start: '2026-08-19 22:06:05',
      end: '2026-08-19 22:09:15',
      playtimeSec: 190,
      endReason: 'objective',
      winner: 1,
      defender: 1,
    });
    const replay = luaRound({
      map: 'te_escape2',
      start: '2026-08-19 22:10:46',
      end: '2026-08-19 22:22:46',
      playtimeSec: 720,
      endReason: 'time_expired',
      winner: 1,
      defender: 1,
    });
    const S = statsRound('2026-08-19-222249-te_escape2-round-1.txt', { statsPlaytimeSec: 720, winner: 1 });
    const verdicts = decide([S], [replay, aborted], t(S));
    expect(byKey(verdicts, S.factId)).toMatchObject({ luaFactId: replay.factId, deltaSec: 3, outcome: 'FULL_HOLD' });
    const first = byKey(verdicts, `lua:eu1:te_escape2:1:${end(aborted)}`);
    expect(first).toMatchObject({ status: 'LUA_ONLY', outcome: null, fightingTimeSec: 190 });
    expect(first.flags).toContain('suspectedAbort');
  });

  it('11. a pause open at intermission (count 1, no record) flags pausesIncomplete', () => {
    const S = supplyR1File();
    const legacy = luaRound({ end: '2026-08-19 21:41:33', pauseCount: 1, pausedSec: 0, pauses: [] });
    expect(only(decide([S], [legacy], t(S))).flags).toContain('pausesIncomplete');
    const open = luaRound({
      end: '2026-08-19 21:41:33',
      pauseCount: 1,
      pausedSec: null,
      pauses: [{ startUnix: 1787168400, endUnix: null, sec: null }],
    });
    expect(only(decide([S], [open], t(S))).flags).toContain('pausesIncomplete');
  });

  it('12. duplicate deliveries of one report (HTTP retry, fallback file, relay) are one fact, one verdict', () => {
    const http = supplyR1();
    const file = {
      ...http,
      report: { ...http.report, source: { kind: 'dir' as const, ref: 'gametime-supply-R1.json' } },
    };
    const relay = {
      ...http,
      report: {
        ...http.report,
        receivedAt: '2026-08-19T19:41:40.000Z',
        source: { kind: 'discord' as const, ref: 'm1' },
      },
    };
    const S = supplyR1File();
    const results = [0, 1, 2, 3, 4, 5].map((seed) => decide([S], shuffled([http, file, relay, http], seed), t(S)));
    for (const r of results) expect(r).toEqual(results[0]);
    expect(only(results[0]!).luaFactId).toBe(http.factId);
    expect(decide([], [http, relay, file], end(http) + 121)).toHaveLength(1);
  });

  it('13. a report and its file appended concurrently make exactly one verdict (either order, same id)', () => {
    // End to end (two appends racing in the store) belongs to the projection tests.
    const L = supplyR1();
    const S = supplyR1File();
    const a = createVerdictLog();
    const b = createVerdictLog();
    const planA = a.feed([S], [L], t(S));
    const planB = b.feed([S], [L, L], t(S) + 5);
    expect(planA.appends.map((x) => x.eventId)).toEqual(planB.appends.map((x) => x.eventId));
    expect(planA.appends).toHaveLength(1);
    expect(a.feed([S], [L], t(S) + 5).appends).toEqual([]);
  });

  it('14. back-to-back matches of one map 8 min apart: a late report attaches to the second', () => {
    const L1 = supplyR1();
    const S1 = supplyR1File();
    const L2 = luaRound({ end: '2026-08-19 21:49:33' });
    const S2 = statsRound('2026-08-19-214936-supply-round-1.txt');
    const log = createVerdictLog();
    log.feed([S1, S2], [L1], localUnix('2026-08-19 21:55:00'));
    expect(byKey(log.standing(), S2.factId).status).toBe('NO_LUA_DATA');
    const plan = log.feed([S1, S2], [L1, L2], localUnix('2026-08-19 21:55:00'));
    expect(only(plan.appends.map((a) => a.event.data))).toMatchObject({
      roundKey: S2.factId,
      luaFactId: L2.factId,
      deltaSec: 3,
    });
    expect(byKey(log.standing(), S1.factId).luaFactId).toBe(L1.factId);
  });

  it('15. midnight: a report ending 23:59:59 pairs with the 00:00:02 file of the next day', () => {
    const L = luaRound({ end: '2026-04-19 23:59:59' });
    const S = statsRound('2026-04-20-000002-supply-round-1.txt');
    expect(only(decide([S], [L], t(S)))).toMatchObject({ luaFactId: L.factId, deltaSec: 3 });
  });

  it('16. an inflated R2 stats time (86:40) against ~300 s of Lua: fighting time 300, players clamped, DPM sane', () => {
    const S = statsRound('2026-08-19-214737-supply-round-2.txt', { statsPlaytimeSec: 5200, overLimit: true });
    const L = luaRound({ round: 2, end: '2026-08-19 21:47:34', playtimeSec: 300 });
    const v = only(decide([S], [L], t(S)));
    expect(v).toMatchObject({ fightingTimeSec: 300, diffSec: 4900, status: 'DISCREPANCY' });
    expect(v.flags).toContain('overLimit');
    const p = v.players[0]!;
    expect(p).toMatchObject({ statsTimeSec: 5200, correctedTimeSec: 300 });
    expect(p.correctedDpm).toBeCloseTo((2287 * 60) / 300);
    expect(p.factor).toBeCloseTo(300 / 5200);
  });

  it('17. a rebuild after a crash on a report produces the same verdict with the same id', () => {
    // The crash and the stored fact are the projection runner's part; the correlator is a function of the facts.
    const L = supplyR1();
    const S = supplyR1File();
    const once = createVerdictLog().feed([S], [L], t(S));
    const rebuilt = createVerdictLog().feed([S], [L], t(S));
    expect(rebuilt).toEqual(once);
  });

  it('18. names with control bytes, quotes and backslashes survive the join exactly', () => {
    const raw = '^3"Back\\slash\u0007^7Q\'';
    const S = statsRound('2026-08-19-214136-supply-round-1.txt', {
      players: [{ guid8: 'FFFFFFFF', name: raw, team: 2, damageGiven: 100, timePlayedSec: 543 }],
    });
    const L = luaRound({
      end: '2026-08-19 21:41:33',
      players: [{ guid: 'ABCDEF0123456789ABCDEF0123456789', name: '"Back\\slashQ\'', rawName: raw, team: 2 }],
    });
    const v = only(decide([S], [L], t(S)));
    expect(v.players[0]).toMatchObject({ name: raw, fullGuid: 'ABCDEF0123456789ABCDEF0123456789' });
    expect(JSON.parse(JSON.stringify(v)).players[0].name).toBe(raw);
    expect(v.flags).not.toContain('unlinkedPlayers');
  });

  it('19. a ghost report (< 30 s, no stats) is kept as LUA_ONLY + ghost after the grace', () => {
    const L = luaRound({ end: '2026-08-19 21:41:33', playtimeSec: 12 });
    expect(decide([], [L], end(L) + 120)).toEqual([]);
    const v = only(decide([], [L], end(L) + 121));
    expect(v).toMatchObject({ status: 'LUA_ONLY', fightingTimeSec: 12 });
    expect(v.flags).toContain('ghost');
  });

  it('20. the zone changes to winter time during a session: every pair holds, offsets decided one-to-one', () => {
    const both = [CEST, CET];
    const A = luaRound({ end: '2026-10-25 02:41:30', offset: CEST });
    const SA = statsRound('2026-10-25-024133-supply-round-1.txt', { offsets: both });
    const C = luaRound({ map: 'te_escape2', end: '2026-10-25 02:20:00', offset: CET });
    const SC = statsRound('2026-10-25-022003-te_escape2-round-1.txt', { offsets: both });
    const D = luaRound({ end: '2026-10-25 02:45:10', offset: CET });
    const SD = statsRound('2026-10-25-024513-supply-round-1.txt', { offsets: both });
    const E = luaRound({ round: 2, end: '2026-10-25 03:05:00', offset: CET });
    const SE = statsRound('2026-10-25-030503-supply-round-2.txt', { offsets: [CET] });
    expect(SA.fileTimeCandidatesUnix).toEqual([end(A) + 3, end(A) + 3603]);
    const stats = [SA, SC, SD, SE];
    const lua = [A, C, D, E];
    for (const seed of [1, 2, 3]) {
      const verdicts = decide(shuffled(stats, seed), shuffled(lua, seed + 7), end(E) + 600);
      expect(verdicts).toHaveLength(4);
      stats.forEach((s, i) => {
        expect(byKey(verdicts, s.factId)).toMatchObject({ luaFactId: lua[i]!.factId, deltaSec: 3 });
      });
      // The later offset wins where the report says so: never "the first offset that matches".
      expect(byKey(verdicts, SC.factId).fileTimeUnix).toBe(SC.fileTimeCandidatesUnix[1]);
    }
  });

  it('21. the whole evening, in any order and with duplicates, ends with the same verdict per round', () => {
    const L2fallback = { ...supplyR2(), report: { ...supplyR2().report, shape: 'legacy.gametime' as const } };
    const adlernest = luaRound({ map: 'etl_adlernest', end: '2026-08-19 22:00:02', playtimeSec: 442 });
    const aborted = luaRound({
      map: 'te_escape2',
      end: '2026-08-19 22:09:15',
      playtimeSec: 190,
      winner: 1,
      defender: 1,
    });
    const replay = luaRound({
      map: 'te_escape2',
      end: '2026-08-19 22:22:46',
      playtimeSec: 720,
      winner: 1,
      defender: 1,
    });
    const lua = [supplyR1(), supplyR2(), L2fallback, adlernest, aborted, replay];
    const stats = [
      supplyR1File(),
      supplyR2File(),
      statsRound('2026-08-19-220005-etl_adlernest-round-1.txt', { statsPlaytimeSec: 441 }),
      statsRound('2026-08-19-222249-te_escape2-round-1.txt', { statsPlaytimeSec: 720 }),
      statsRound('2026-08-19-223456-te_escape2-round-2.txt', { statsPlaytimeSec: 600 }),
    ];
    const facts = [...stats, ...lua];
    const finalWatermark = localUnix('2026-08-19 23:30:00');
    const expected = decide(stats, lua, finalWatermark).map(verdictContent);
    expect(expected).toHaveLength(6);
    for (let seed = 0; seed < 40; seed++) {
      const arrivals = shuffled([...facts, ...shuffled(facts, seed + 100).slice(0, 3)], seed);
      const log = createVerdictLog();
      let wm = Number.NEGATIVE_INFINITY;
      const seenS: StatsCandidate[] = [];
      const seenL: LuaCandidate[] = [];
      for (const f of arrivals) {
        if ('report' in f) seenL.push(f);
        else seenS.push(f);
        wm = Math.max(wm, 'report' in f ? end(f) : f.fileTimeCandidatesUnix[0]!);
        log.feed(seenS, seenL, wm);
      }
      log.feed(seenS, seenL, finalWatermark);
      expect(log.standing().map(verdictContent)).toEqual(expected);
    }
  });

  it('23. legacy surrender with team 0 and winner 0 (map_restart after 18 s): LUA_ONLY, ghost, suspectedAbort, no surrender', () => {
    const L = luaRound({
      end: '2026-08-19 21:41:33',
      start: '2026-08-19 21:41:15',
      playtimeSec: 18,
      timelimitSec: 720,
      endReason: 'surrender',
      surrender: { team: 0, callerGuid: null, callerName: null },
      winner: 0,
      defender: 1,
      pauseCount: null,
      pausedSec: null,
      shape: 'legacy.gametime',
    });
    const v = only(decide([], [L], end(L) + 121));
    expect(v).toMatchObject({ status: 'LUA_ONLY', surrender: false, surrenderTeam: 0, outcome: null });
    expect(v.flags).toEqual(expect.arrayContaining(['ghost', 'suspectedAbort']));
    expect(v.flags).not.toContain('inconsistentSurrender');
  });

  it('24. a full hold R2 to an R1 time of 6:41.5 (header 6:41, Lua 401.5 s, field 9 = 402 000 ms) is not overLimit', () => {
    const file = '2026-08-19-214737-supply-round-2.txt';
    const fullHold = (ms: number) => parsedStatsRound(file, `Srv\\supply\\legacy6\\2\\1\\1\\6:41\\58:02\\${ms}`);
    const L = luaRound({
      round: 2,
      start: '2026-08-19 21:40:50',
      end: '2026-08-19 21:47:34',
      playtimeSec: 401.5,
      timelimitSec: 401.5,
      endReason: 'time_expired',
      winner: 1,
      defender: 1,
    });
    const S = fullHold(402_000);
    expect(S).toMatchObject({ statsPlaytimeSec: 402, timeLimitSec: 401, overLimit: false });
    const v = only(decide([S], [L], t(S)));
    expect(v).toMatchObject({ status: 'ALIGNED', outcome: 'FULL_HOLD', timelimitSec: 401.5 });
    expect(v.flags).not.toContain('overLimit');
    // 1.5 s over the Lua limit (2 s over the header's) is still over.
    const over = fullHold(403_000);
    expect(only(decide([over], [L], t(over))).flags).toContain('overLimit');
  });
});
