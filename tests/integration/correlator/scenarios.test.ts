// The 21 scenarios of shared/spec/correlation.md end to end: facts as bytes through identifyFact,
// the real log (PostgreSQL; 1, 2 and 10 on PGlite too), the real projections (projectAllToHead),
// checked on the verdicts read model (read.verdicts, read.verdict_history). Times are server-local
// CEST (UTC+2) unless a test says otherwise; the server zone is Europe/Ljubljana.
import { describe, expect, it, onTestFinished } from 'vitest';
import { correlator } from '../../../projections/correlator.ts';
import { createLogger } from '../../../src/logger.ts';
import { activeBuild } from '../../../src/runtime/catalog.ts';
import { listDeadLetters, POISON_ATTEMPTS } from '../../../src/runtime/deadLetters.ts';
import { buildAndSwap } from '../../../src/runtime/ledgerRuntime.ts';
import { defineProjection, type Handler } from '../../../src/runtime/projection.ts';
import { type Ledger, openLedger } from '../../../src/store/openStore.ts';
import { freshPostgresUrl, postgresAvailable } from '../../support/databases.ts';
import {
  appendFacts,
  body,
  CEST,
  CET,
  chainOf,
  clockTick,
  eventsOf,
  type Fact,
  feed,
  file,
  GUIDS,
  gametimeFile,
  type HistoryRow,
  type LegacySpec,
  type LuaSpec,
  legacyReport,
  localUnix,
  openTestLedger,
  ownReport,
  pauseRecord,
  project,
  projections,
  readHistory,
  readModel,
  readVerdicts,
  SERVER,
  type StatsFileSpec,
  type StoreKind,
  statsFile,
  type VerdictRow,
} from '../../support/factBuilders.ts';

const MAIN: StoreKind = postgresAvailable() ? 'postgres' : 'pglite';

async function ledgerFor(kind: StoreKind = MAIN): Promise<Ledger> {
  const ledger = await openTestLedger(kind, 'scn');
  onTestFinished(() => ledger.close());
  return ledger;
}

const stats = (spec: StatsFileSpec): Fact => {
  const f = statsFile(spec);
  return file(f.fileName, f.bytes);
};
const own = (spec: LuaSpec): Fact => body(ownReport(spec));
const legacy = (spec: LegacySpec): Fact => body(legacyReport(spec));

function only<T>(items: T[]): T {
  expect(items).toHaveLength(1);
  return items[0]!;
}
const byFile = (vs: VerdictRow[], name: string): VerdictRow => {
  const v = vs.find((x) => x.statsFileName === name);
  if (!v) throw new Error(`no verdict for ${name}: ${vs.map((x) => x.statsFileName ?? x.roundKey).join(', ')}`);
  return v;
};
const luaOnly = (vs: VerdictRow[]) => vs.filter((v) => v.status === 'LUA_ONLY');
const keysOf = (h: HistoryRow[], key: string) => h.filter((x) => x.roundKey === key);

/** One standing verdict per round: no round key twice, no stats file or report in two verdicts. */
function expectOneVerdictPerRound(vs: VerdictRow[]) {
  const keys = vs.map((v) => v.roundKey);
  expect(new Set(keys).size).toBe(keys.length);
  const files = vs.flatMap((v) => (v.statsFactId ? [v.statsFactId] : []));
  expect(new Set(files).size).toBe(files.length);
  const reports = vs.flatMap((v) => (v.luaReportId ? [v.luaReportId] : []));
  expect(new Set(reports).size).toBe(reports.length);
}

// --- The evening's supply match (samples/lua-legacy #1/#2) -------------------------------------
const R1_START = localUnix('2026-08-19 21:31:12');
const R1_END = localUnix('2026-08-19 21:41:33');
const R1_PAUSES = [
  { startUnix: 1787168073, endUnix: 1787168120, sec: 47 },
  { startUnix: 1787168268, endUnix: 1787168299, sec: 31 },
];
const supplyR1: LuaSpec = { map: 'supply', round: 1, startUnix: R1_START, endUnix: R1_END, pauses: R1_PAUSES };
const supplyR1File: StatsFileSpec = {
  local: '2026-08-19 21:41:36',
  map: 'supply',
  round: 1,
  defender: 1,
  winner: 2,
  limit: '12:00',
  next: '9:03',
  playtimeMs: 543_000,
};
const R1_FILE = '2026-08-19-214136-supply-round-1.txt';
const supplyR2: LegacySpec = {
  map: 'supply',
  round: 2,
  startUnix: localUnix('2026-08-19 21:43:09'),
  endUnix: localUnix('2026-08-19 21:47:34'),
  timelimitText: '9.059 min',
  endReason: 'surrender',
  surrender: { team: 2, callerGuid: GUIDS.n0va, callerName: 'n0va' },
  winner: 1,
  defender: 1,
};
const supplyR2File: StatsFileSpec = {
  local: '2026-08-19 21:47:37',
  map: 'supply',
  round: 2,
  defender: 1,
  winner: 1,
  limit: '9:03',
  next: '58:02',
  playtimeMs: 265_000,
};
const R2_FILE = '2026-08-19-214737-supply-round-2.txt';

async function scenario1(kind: StoreKind) {
  const ledger = await ledgerFor(kind);
  // Pause records are sent when each pause ends, before the report.
  await feed(
    ledger,
    R1_PAUSES.map((p) => body(pauseRecord({ map: 'supply', round: 1, roundStartUnix: R1_START, ...p }))),
  );
  await feed(ledger, [own(supplyR1)]);
  expect(await readVerdicts(ledger.db)).toEqual([]);
  await feed(ledger, [stats(supplyR1File)]);
  const v = only(await readVerdicts(ledger.db));
  expect(v).toMatchObject({
    statsFileName: R1_FILE,
    luaReportId: `${SERVER}:supply:1:${R1_END}`,
    fileTimeUnix: R1_END + 3,
    deltaSec: 3,
    status: 'ALIGNED',
    statsPlaytimeSec: 543,
    luaPlaytimeSec: 543,
    pauseCount: 2,
    pausedSec: 78,
    wallClockSec: 621,
    diffSec: 0,
    fightingTimeSec: 543,
    surrender: false,
    outcome: 'COMPLETED',
    // A /1 report: no per-player time, the stats rule stands.
    flags: ['approximatePlayerTime'],
    supersedes: [],
  });
  expect(v.players.map((p) => p.fullGuid)).toEqual(Object.values(GUIDS));
  expect(only(await readHistory(ledger.db)).eventId).toBe(v.eventId);
  // The log holds the two pauses once although the report repeats them.
  expect(await readModel(ledger.db, 'pauses')).toHaveLength(2);
}

async function scenario2(kind: StoreKind) {
  const ledger = await ledgerFor(kind);
  const fileUnix = R1_END + 3;
  await feed(ledger, [stats(supplyR1File), clockTick(fileUnix + 120)]);
  expect(await readVerdicts(ledger.db)).toEqual([]);
  await feed(ledger, [clockTick(fileUnix + 121)]);
  const first = only(await readVerdicts(ledger.db));
  expect(first).toMatchObject({ status: 'NO_LUA_DATA', luaReportId: null, deltaSec: null, fightingTimeSec: 543 });
  // The report arrives a minute late (its event time is still the round end).
  await feed(ledger, [own(supplyR1)]);
  const second = only(await readVerdicts(ledger.db));
  expect(second).toMatchObject({
    roundKey: first.roundKey,
    status: 'ALIGNED',
    deltaSec: 3,
    supersedes: [first.eventId],
  });
  expect((await chainOf(ledger.db, first.roundKey)).map((h) => h.status)).toEqual(['NO_LUA_DATA', 'ALIGNED']);
  expect(await readHistory(ledger.db)).toHaveLength(2);
  // Within the grace nothing is decided early: a second server whose report is 60 s late gets one verdict.
  await feed(ledger, [stats(supplyR1File)], { serverId: 'eu2' });
  await feed(ledger, [clockTick(fileUnix + 60, 'eu2')]);
  await feed(ledger, [own({ ...supplyR1, server: 'eu2' })]);
  const eu2 = (await readVerdicts(ledger.db)).filter((v) => v.serverId === 'eu2');
  expect(only(eu2)).toMatchObject({ status: 'ALIGNED', supersedes: [] });
  expect(keysOf(await readHistory(ledger.db), eu2[0]!.roundKey)).toHaveLength(1);
}

const escapeReport = (over: Partial<LegacySpec> = {}): LegacySpec => ({
  map: 'te_escape2',
  round: 1,
  startUnix: 0,
  endUnix: 0,
  timelimitSec: 720,
  winner: 1,
  defender: 1,
  ...over,
});
const escapeFile = (local: string, playtimeMs: number): StatsFileSpec => ({
  local,
  map: 'te_escape2',
  round: 1,
  defender: 1,
  winner: 1,
  limit: '12:00',
  next: '12:00',
  playtimeMs,
});

async function scenario10(kind: StoreKind) {
  const ledger = await ledgerFor(kind);
  const abortedEnd = localUnix('2026-08-19 22:09:15');
  const replayEnd = localUnix('2026-08-19 22:22:46');
  const aborted = escapeReport({
    startUnix: localUnix('2026-08-19 22:06:05'),
    endUnix: abortedEnd,
    endReason: 'objective',
  });
  const replay = escapeReport({
    startUnix: localUnix('2026-08-19 22:10:46'),
    endUnix: replayEnd,
    endReason: 'time_expired',
  });
  await feed(ledger, [legacy(aborted)]);
  await feed(ledger, [legacy(replay)]);
  await feed(ledger, [stats(escapeFile('2026-08-19 22:22:49', 741_000))]);
  const vs = await readVerdicts(ledger.db);
  expect(vs).toHaveLength(2);
  expect(byFile(vs, '2026-08-19-222249-te_escape2-round-1.txt')).toMatchObject({
    luaRoundEndUnix: replayEnd,
    deltaSec: 3,
    fightingTimeSec: 720,
    outcome: 'FULL_HOLD',
  });
  const first = only(luaOnly(vs));
  expect(first).toMatchObject({
    roundKey: `lua:${SERVER}:te_escape2:1:${abortedEnd}`,
    luaRoundEndUnix: abortedEnd,
    statsFactId: null,
    fightingTimeSec: 190,
    outcome: null,
  });
  expect(first.flags).toContain('suspectedAbort');
  // Never linked to the replay: the first report was never part of a joined verdict.
  const history = await readModel(ledger.db, 'verdict_history');
  for (const h of history) {
    const v = h.verdict as { luaReportId: string | null; status: string };
    if (v.luaReportId === first.luaReportId) expect(v.status).toBe('LUA_ONLY');
  }
}

describe('correlation.md scenarios, end to end', () => {
  it(`scenario 1: Lua first, then its stats file: one verdict, Δ = +3 s (${MAIN})`, () => scenario1(MAIN));
  it.runIf(MAIN !== 'pglite')('scenario 1: Lua first, then its stats file (PGlite)', () => scenario1('pglite'));

  it(`scenario 2: Lua late: NO_LUA_DATA first, the joined verdict supersedes it (${MAIN})`, () => scenario2(MAIN));
  it.runIf(MAIN !== 'pglite')('scenario 2: Lua late, superseding (PGlite)', () => scenario2('pglite'));

  it('scenario 3: three replays of te_escape2, each L before its S: every L joins its own replay', async () => {
    const ledger = await ledgerFor();
    const ends = ['22:27:23', '22:40:17', '22:50:56'];
    const files = ['22:27:26', '22:40:19', '22:50:59'];
    for (let i = 0; i < 3; i++) {
      const end = localUnix(`2026-08-19 ${ends[i]}`);
      await feed(ledger, [
        legacy(escapeReport({ startUnix: end - 600, endUnix: end, endReason: 'objective', winner: 2 })),
      ]);
      await feed(ledger, [stats({ ...escapeFile(`2026-08-19 ${files[i]}`, 600_000), winner: 2 })]);
    }
    await feed(ledger, [clockTick(localUnix('2026-08-20 03:00:00'))]);
    const vs = await readVerdicts(ledger.db);
    expect(vs).toHaveLength(3);
    expectOneVerdictPerRound(vs);
    for (let i = 0; i < 3; i++) {
      const v = byFile(vs, `2026-08-19-${files[i]!.replace(/:/g, '')}-te_escape2-round-1.txt`);
      expect(v).toMatchObject({ luaRoundEndUnix: localUnix(`2026-08-19 ${ends[i]}`), status: 'ALIGNED' });
      expect(v.deltaSec).toBe([3, 2, 3][i]);
    }
    // No report was ever LUA_ONLY, no verdict was ever superseded.
    const history = await readHistory(ledger.db);
    expect(history.map((h) => [h.status, h.supersedes])).toEqual(Array(3).fill(['ALIGNED', []]));
  });

  it('scenario 4: a leftover L never attaches 17 min later; two stats rounds never share one L', async () => {
    const ledger = await ledgerFor();
    await feed(ledger, [own(supplyR1)]);
    await feed(ledger, [stats({ ...supplyR1File, local: '2026-08-19 21:58:36' })]);
    await feed(ledger, [clockTick(localUnix('2026-08-19 22:30:00'))]);
    const vs = await readVerdicts(ledger.db);
    expect(byFile(vs, '2026-08-19-215836-supply-round-1.txt')).toMatchObject({
      status: 'NO_LUA_DATA',
      luaReportId: null,
    });
    expect(only(luaOnly(vs)).luaRoundEndUnix).toBe(R1_END);

    // eu2: one report, two stats rounds of the map 14 s apart: the nearer one takes it.
    const eu2 = { serverId: 'eu2' };
    await feed(ledger, [stats({ ...supplyR1File, local: '2026-08-19 21:41:50' })], eu2);
    await feed(ledger, [own({ ...supplyR1, server: 'eu2' })], eu2);
    await feed(ledger, [stats(supplyR1File)], eu2);
    await feed(ledger, [clockTick(localUnix('2026-08-19 22:30:00'), 'eu2')]);
    const two = (await readVerdicts(ledger.db)).filter((v) => v.serverId === 'eu2');
    expect(two).toHaveLength(2);
    expectOneVerdictPerRound(two);
    expect(byFile(two, R1_FILE)).toMatchObject({ luaReportId: `eu2:supply:1:${R1_END}`, deltaSec: 3 });
    expect(byFile(two, '2026-08-19-214150-supply-round-1.txt')).toMatchObject({
      status: 'NO_LUA_DATA',
      luaReportId: null,
    });
  });

  it("scenario 5: R2's L never arrives: R2 gets NO_LUA_DATA after the grace, R1 unaffected", async () => {
    const ledger = await ledgerFor();
    await feed(ledger, [own(supplyR1), stats(supplyR1File)]);
    const r1 = only(await readVerdicts(ledger.db));
    const r2Unix = localUnix('2026-08-19 21:47:37');
    await feed(ledger, [stats(supplyR2File), clockTick(r2Unix + 120)]);
    expect(await readVerdicts(ledger.db)).toHaveLength(1);
    await feed(ledger, [clockTick(r2Unix + 121)]);
    const vs = await readVerdicts(ledger.db);
    expect(byFile(vs, R2_FILE)).toMatchObject({ status: 'NO_LUA_DATA', fightingTimeSec: 265, statsPlaytimeSec: 265 });
    expect(byFile(vs, R1_FILE)).toEqual(r1);
    expect(keysOf(await readHistory(ledger.db), r1.roundKey)).toHaveLength(1);
  });

  it('scenario 6: a fractional stopwatch limit in R2 (9.059 min) is 543.5 s, not 0', async () => {
    const ledger = await ledgerFor();
    await feed(ledger, [legacy(supplyR2), stats(supplyR2File)]);
    const v = only(await readVerdicts(ledger.db));
    expect(v.timelimitSec).toBeCloseTo(543.5, 0);
    const report = only(await readModel(ledger.db, 'lua_round_teams'));
    expect(report.timelimitSec).toBeCloseTo(543.54, 2);
  });

  it('scenario 7: surrender: fighting time 265 s from Lua, R2 f8 58:02 never a time; R1 surrender ignores f8', async () => {
    const ledger = await ledgerFor();
    await feed(ledger, [legacy(supplyR2), stats(supplyR2File)]);
    const v = only(await readVerdicts(ledger.db));
    expect(v).toMatchObject({
      fightingTimeSec: 265,
      luaPlaytimeSec: 265,
      statsPlaytimeSec: 265,
      surrender: true,
      surrenderTeam: 2,
      outcome: 'FULL_HOLD',
      status: 'ALIGNED',
      diffSec: 0,
    });
    // The R2 file comes without its R1 here: its figures are both halves (cumulativeFigures).
    expect(v.flags).toEqual(['approximatePlayerTime', 'cumulativeFigures']);

    // An R1 attacker surrender on eu2: f8 reads the full limit (12:00), f9 says 312 s.
    const eu2 = { serverId: 'eu2' };
    const end = localUnix('2026-08-19 21:41:33');
    await feed(
      ledger,
      [
        own({
          server: 'eu2',
          map: 'supply',
          round: 1,
          startUnix: end - 311,
          endUnix: end,
          endReason: 'surrender',
          surrender: { team: 2 },
          winner: 1,
          defender: 1,
        }),
        stats({ ...supplyR1File, winner: 1, next: '12:00', playtimeMs: 312_000 }),
      ],
      eu2,
    );
    const r1 = only((await readVerdicts(ledger.db)).filter((x) => x.serverId === 'eu2'));
    expect(r1).toMatchObject({
      statsPlaytimeSec: 312,
      fightingTimeSec: 311,
      surrender: true,
      status: 'ALIGNED',
      outcome: 'FULL_HOLD',
    });
    expect(r1.flags).not.toContain('approximateStatsTime');
  });

  it('scenario 8: a failed vote then an objective: surrender false, inconsistentSurrender', async () => {
    const ledger = await ledgerFor();
    await feed(ledger, [
      legacy({ ...supplyR1, endReason: 'surrender', surrender: { team: 2 }, winner: 2, defender: 1 }),
      stats(supplyR1File),
    ]);
    const v = only(await readVerdicts(ledger.db));
    expect(v).toMatchObject({ surrender: false, outcome: 'COMPLETED', status: 'ALIGNED' });
    expect(v.flags).toContain('inconsistentSurrender');
  });

  it('scenario 9: an objective at 11:00 of 12:00 reported as time_expired is COMPLETED', async () => {
    const ledger = await ledgerFor();
    await feed(ledger, [
      own({ ...supplyR1, pauses: [], startUnix: R1_END - 660, endReason: 'time_expired', winner: 2, defender: 1 }),
      stats({ ...supplyR1File, next: '11:00', playtimeMs: 660_000 }),
    ]);
    const v = only(await readVerdicts(ledger.db));
    expect(v).toMatchObject({ outcome: 'COMPLETED', fightingTimeSec: 660, status: 'ALIGNED', surrender: false });
  });

  it(`scenario 10: admin map_restart at 3:10: the replay pairs, the first L is LUA_ONLY + suspectedAbort (${MAIN})`, () =>
    scenario10(MAIN));
  it.runIf(MAIN !== 'pglite')('scenario 10: admin map_restart at 3:10 (PGlite)', () => scenario10('pglite'));

  it('scenario 11: a pause open at intermission (count 1, no record) flags pausesIncomplete', async () => {
    const ledger = await ledgerFor();
    await feed(ledger, [
      legacy({ ...supplyR1, pauses: [], playtimeSec: 543, pausesText: '1 (0 sec)' }),
      stats(supplyR1File),
    ]);
    const v = only(await readVerdicts(ledger.db));
    expect(v).toMatchObject({ pauseCount: 1, pausedSec: 0, fightingTimeSec: 543 });
    expect(v.flags).toContain('pausesIncomplete');
  });

  it('scenario 12: duplicate deliveries of one L (HTTP retry, fallback file, relay) → one fact, one verdict', async () => {
    const ledger = await ledgerFor();
    const spec = { ...supplyR2 };
    const fallback = gametimeFile(spec);
    const first = await appendFacts(ledger.store, [legacy(spec), legacy(spec)], { kind: 'http' });
    await project(ledger);
    const retries = [
      ...(await appendFacts(ledger.store, [legacy(spec)], { kind: 'http' })),
      ...(await appendFacts(ledger.store, [file(fallback.fileName, fallback.bytes)], { kind: 'sftp' })),
      ...(await appendFacts(ledger.store, [legacy(spec)], { kind: 'discord' })),
    ];
    expect(first.map((o) => o.status)).toEqual(['appended', 'duplicate']);
    expect(retries.map((o) => o.status)).toEqual(['duplicate', 'duplicate', 'duplicate']);
    await feed(ledger, [stats(supplyR2File), clockTick(localUnix('2026-08-19 23:00:00'))]);
    const log = await ledger.store.readAll(0, 1000);
    expect(log.filter((e) => e.type === 'LuaRoundEnded')).toHaveLength(1);
    const v = only(await readVerdicts(ledger.db));
    expect(v).toMatchObject({ status: 'ALIGNED', surrender: true });
    expect(await readHistory(ledger.db)).toHaveLength(1);
    expect(await readModel(ledger.db, 'lua_round_teams')).toHaveLength(1);
  });

  it.runIf(postgresAvailable())('scenario 13: L and S appended concurrently → exactly one verdict', async () => {
    const url = await freshPostgresUrl('scn13');
    const a = await openLedger({ kind: 'postgres', url });
    const b = await openLedger({ kind: 'postgres', url });
    onTestFinished(async () => {
      await a.close();
      await b.close();
    });
    const rounds: [LuaSpec, StatsFileSpec][] = [
      [supplyR1, supplyR1File],
      [
        { ...supplyR1, map: 'etl_adlernest', pauses: [], startUnix: R1_END - 543 },
        { ...supplyR1File, map: 'etl_adlernest' },
      ],
      [
        { ...supplyR1, map: 'te_escape2', pauses: [], startUnix: R1_END - 543 },
        { ...supplyR1File, map: 'te_escape2' },
      ],
    ];
    for (const [l, s] of rounds) {
      await Promise.all([appendFacts(a.store, [own(l)]), appendFacts(b.store, [stats(s)])]);
    }
    // Once more, both racing the same pair again (both duplicates).
    await Promise.all([appendFacts(a.store, [own(supplyR1)]), appendFacts(b.store, [stats(supplyR1File)])]);
    await project(a);
    await project(b);
    const vs = await readVerdicts(a.db);
    expect(vs).toHaveLength(3);
    expectOneVerdictPerRound(vs);
    for (const v of vs) expect(v).toMatchObject({ status: 'ALIGNED', deltaSec: 3, supersedes: [] });
    expect(await readHistory(b.db)).toHaveLength(3);
  });

  it('scenario 14: back-to-back matches 8 min apart, a late L for the second → attaches to the second', async () => {
    const ledger = await ledgerFor();
    await feed(ledger, [own(supplyR1), stats(supplyR1File)]);
    const s1 = only(await readVerdicts(ledger.db));
    const secondFile = { ...supplyR1File, local: '2026-08-19 21:49:36' };
    await feed(ledger, [stats(secondFile), clockTick(localUnix('2026-08-19 21:55:00'))]);
    const S2 = '2026-08-19-214936-supply-round-1.txt';
    const noLua = byFile(await readVerdicts(ledger.db), S2);
    expect(noLua.status).toBe('NO_LUA_DATA');
    const end2 = localUnix('2026-08-19 21:49:33');
    await feed(ledger, [own({ ...supplyR1, pauses: [], startUnix: end2 - 543, endUnix: end2 })]);
    const vs = await readVerdicts(ledger.db);
    expect(vs).toHaveLength(2);
    expect(byFile(vs, S2)).toMatchObject({
      luaRoundEndUnix: end2,
      deltaSec: 3,
      status: 'ALIGNED',
      supersedes: [noLua.eventId],
    });
    expect(byFile(vs, R1_FILE)).toEqual(s1);
  });

  it('scenario 15: midnight: L ends 23:59:59, its file is 00:00:02 of the next day → pairs by absolute time', async () => {
    const ledger = await ledgerFor();
    const end = localUnix('2026-04-19 23:59:59');
    await feed(ledger, [own({ ...supplyR1, pauses: [], startUnix: end - 543, endUnix: end })]);
    await feed(ledger, [stats({ ...supplyR1File, local: '2026-04-20 00:00:02' })]);
    const v = only(await readVerdicts(ledger.db));
    expect(v).toMatchObject({
      statsFileName: '2026-04-20-000002-supply-round-1.txt',
      luaRoundEndUnix: end,
      fileTimeUnix: end + 3,
      deltaSec: 3,
      status: 'ALIGNED',
    });
  });

  it('scenario 16: R2 stats time inflated (86:40) with L ≈ 300 s → fighting time 300 s, players clamped, DPM sane', async () => {
    const ledger = await ledgerFor();
    const end = localUnix('2026-08-19 21:47:34');
    const l2 = { ...supplyR2, startUnix: end - 300, endReason: 'time_expired' as const, surrender: null };
    const players = [
      { guid8: '3F9A1C0E', name: 'Vektor', team: 2 as const, damage: 1500, timeSec: 600 },
      { guid8: 'C08D3E6A', name: 'bramble', team: 1 as const, damage: 900, timeSec: 240 },
    ];
    // f9 = 86:40 in ms: a measured value, kept and flagged overLimit.
    await feed(ledger, [legacy(l2), stats({ ...supplyR2File, playtimeMs: 5_200_000, players })]);
    const v = only(await readVerdicts(ledger.db));
    expect(v).toMatchObject({ fightingTimeSec: 300, statsPlaytimeSec: 5200, diffSec: 4900, status: 'DISCREPANCY' });
    expect(v.flags).toContain('overLimit');
    // This R2 has no R1 file: its players' figures are both halves, so a rate divides them by both
    // halves' time (Vektor: 1500 over 600 s = 150 DPM), never by this half's 300 s (300 DPM would be
    // the inflated figure the scenario warns of). Half-only figures are clamped to the fighting time
    // (tests/unit/correlator/playerTime.test.ts).
    expect(v.flags).toContain('cumulativeFigures');
    const vek = v.players.find((p) => p.guid8 === '3F9A1C0E')!;
    expect(vek).toMatchObject({ statsTimeSec: 600, correctedTimeSec: 600, fullGuid: GUIDS.Vektor });
    expect(vek.correctedDpm).toBeCloseTo((1500 * 60) / 600);
    expect(vek.factor).toBeCloseTo(300 / 5200);
    const bra = v.players.find((p) => p.guid8 === 'C08D3E6A')!;
    expect(bra).toMatchObject({ statsTimeSec: 240, correctedTimeSec: 240 });
    expect(bra.correctedDpm).toBeCloseTo((900 * 60) / 240);

    // The header of an 8-field writer says 86:40 in f8: an R2 f8 is never a time.
    const eu2 = { serverId: 'eu2' };
    await feed(ledger, [legacy(l2), stats({ ...supplyR2File, next: '86:40', playtimeMs: null, players })], eu2);
    const w = only((await readVerdicts(ledger.db)).filter((x) => x.serverId === 'eu2'));
    expect(w).toMatchObject({ fightingTimeSec: 300, statsPlaytimeSec: null, diffSec: null, status: 'NO_STATS_TIME' });
    // Both halves again (no R1): both halves' time, as above.
    expect(w.players.find((p) => p.guid8 === '3F9A1C0E')).toMatchObject({ correctedTimeSec: 600 });
  });

  it('scenario 17: a projection crashes on an L → the fact is stored and dead-lettered, nothing stops; a rebuild gives the verdict', async () => {
    const ledger = await ledgerFor();
    const real = await projections();
    const lua = own(supplyR1);
    const luaId = eventsOf([lua])[0]!.eventId;
    const buggy = defineProjection({
      ...correlator,
      on: {
        ...correlator.on,
        LuaRoundEnded: async (items, ctx) => {
          if (items.some((i) => i.meta.eventId === luaId)) throw new Error('correlator bug: cannot read this report');
          return (correlator.on.LuaRoundEnded as Handler<'LuaRoundEnded'>)(items, ctx);
        },
      },
    });
    const broken = real.map((p) => (p.name === 'correlator' ? buggy : p));
    await appendFacts(ledger.store, [stats(supplyR1File)]);
    await project(ledger, broken);
    await appendFacts(ledger.store, [lua]);
    // Invariant 10: the poison event is retried, recorded and skipped; the projection goes on.
    await project(ledger, broken);
    const log = await ledger.store.readAll(0, 100);
    expect(log.filter((e) => e.type === 'LuaRoundEnded').map((e) => e.eventId)).toEqual([luaId]);
    expect(log.filter((e) => e.type === 'RoundTimingReconciled')).toEqual([]);
    expect(await readVerdicts(ledger.db)).toEqual([]);
    const dead = await listDeadLetters(ledger.db);
    expect(dead.map((d) => [d.projection, d.eventId, d.state, d.attempts])).toEqual([
      ['correlator', luaId, 'skipped', POISON_ATTEMPTS],
    ]);
    expect(dead[0]!.error).toMatch(/correlator bug/);
    // A rebuild with the bug still in place fails fast on it, naming the event; the old build keeps serving.
    const brokenDeps = { db: ledger.db, store: ledger.store, log: createLogger('silent'), projections: broken };
    const before = await activeBuild(ledger.db, 'correlator');
    await expect(buildAndSwap(brokenDeps, buggy, { report: false })).rejects.toThrow(
      new RegExp(`LuaRoundEnded ${luaId} at position`),
    );
    expect((await activeBuild(ledger.db, 'correlator'))?.schemaName).toBe(before?.schemaName);
    // After the fix: rebuild the correlator from the log, then let the read models catch up.
    const deps = { db: ledger.db, store: ledger.store, log: createLogger('silent'), projections: real };
    await buildAndSwap(deps, correlator, { report: false });
    await project(ledger);
    const v = only(await readVerdicts(ledger.db));
    expect(v).toMatchObject({ statsFileName: R1_FILE, deltaSec: 3, status: 'ALIGNED', supersedes: [] });
    expect(await readHistory(ledger.db)).toHaveLength(1);
  });

  it('scenario 18: names with control bytes, quotes and backslashes decode exactly', async () => {
    const ledger = await ledgerFor();
    const raw = '^3"Back\\slash\b^7Q\'';
    const clean = '"Back\\slashQ\'';
    const allies = [
      { guid: 'ABCDEF0123456789ABCDEF0123456789', name: raw },
      { guid: GUIDS.Oskar, name: 'Oskar' },
    ];
    const players = [
      // The writer cannot read the userinfo of a name with a backslash: its guid8 is empty.
      { guid8: '', name: raw, team: 2 as const, damage: 800, timeSec: 540 },
      { guid8: GUIDS.Oskar.slice(0, 8), name: 'Oskar', team: 2 as const, damage: 700, timeSec: 540 },
    ];
    await feed(ledger, [legacy({ ...supplyR1, allies, axis: [] }), stats({ ...supplyR1File, players })]);
    const v = only(await readVerdicts(ledger.db));
    expect(v.flags).not.toContain('unlinkedPlayers');
    const p = v.players.find((x) => x.guid8 === '')!;
    expect(p).toMatchObject({ name: clean, fullGuid: 'ABCDEF0123456789ABCDEF0123456789' });
    const lua = await readModel(ledger.db, 'lua_round_players');
    expect(lua.find((x) => x.guid === 'ABCDEF0123456789ABCDEF0123456789')).toMatchObject({ rawName: raw, name: clean });
    const rows = await readModel(ledger.db, 'player_stats');
    expect(rows.find((x) => x.guid8 === '')).toMatchObject({
      rawName: raw,
      name: clean,
      fullGuid: 'ABCDEF0123456789ABCDEF0123456789',
    });
  });

  it('scenario 19: a ghost L (< 30 s, no S) is kept in the log, LUA_ONLY + ghost (never posted)', async () => {
    const ledger = await ledgerFor();
    const end = localUnix('2026-08-19 21:41:33');
    await feed(ledger, [own({ map: 'supply', round: 1, startUnix: end - 12, endUnix: end }), clockTick(end + 120)]);
    expect(await readVerdicts(ledger.db)).toEqual([]);
    await feed(ledger, [clockTick(end + 121)]);
    const v = only(await readVerdicts(ledger.db));
    expect(v).toMatchObject({ status: 'LUA_ONLY', fightingTimeSec: 12, statsFactId: null });
    expect(v.flags).toContain('ghost');
    expect((await ledger.store.readAll(0, 100)).filter((e) => e.type === 'LuaRoundEnded')).toHaveLength(1);
    expect(only(await readModel(ledger.db, 'lua_round_teams'))).toMatchObject({ playtimeSec: 12 });
  });

  it('scenario 20: the zone changes to winter time during a session (Europe/Ljubljana, 25 Oct 2026) → pairs hold', async () => {
    const ledger = await ledgerFor();
    // 03:00 CEST becomes 02:00 CET: 02:00–02:59 local happens twice.
    const rounds: { l: LuaSpec; s: StatsFileSpec }[] = [
      ['supply', 1, '2026-10-25 02:41:30', CEST, '2026-10-25 02:41:33'],
      ['te_escape2', 1, '2026-10-25 02:20:00', CET, '2026-10-25 02:20:03'],
      ['supply', 1, '2026-10-25 02:45:10', CET, '2026-10-25 02:45:13'],
      ['supply', 2, '2026-10-25 03:05:00', CET, '2026-10-25 03:05:03'],
    ].map(([map, round, end, offset, local]) => {
      const endUnix = localUnix(end as string, offset as number);
      return {
        l: { map: map as string, round: round as 1 | 2, startUnix: endUnix - 500, endUnix, pauses: [] },
        s: { ...supplyR1File, map: map as string, round: round as 1 | 2, local: local as string, playtimeMs: 500_000 },
      };
    });
    // Chronological arrival, each report 3 s before its file.
    for (const { l, s } of [...rounds].sort((a, b) => a.l.endUnix - b.l.endUnix)) {
      await feed(ledger, [own(l)]);
      await feed(ledger, [stats(s)]);
    }
    await feed(ledger, [clockTick(localUnix('2026-10-25 06:00:00', CET))]);
    const vs = await readVerdicts(ledger.db);
    expect(vs).toHaveLength(4);
    expectOneVerdictPerRound(vs);
    for (const { l, s } of rounds) {
      const v = byFile(vs, statsFile(s).fileName);
      expect(v).toMatchObject({
        luaRoundEndUnix: l.endUnix,
        fileTimeUnix: l.endUnix + 3,
        deltaSec: 3,
        status: 'ALIGNED',
      });
    }
    // The te_escape2 file's local time fits both offsets; the rounds read model lists the earlier, the
    // verdict took the later (CET) one because the report says so: never "the first offset that matches".
    const rounds_ = await readModel(ledger.db, 'rounds');
    expect(rounds_.find((r) => r.map === 'te_escape2')!.fileTimeUnix).toBe(localUnix('2026-10-25 02:20:03', CEST));
  });

  it('scenario 21: the facts above in any order with duplicates → the same final verdicts', async () => {
    const facts: Fact[] = [
      // 2 and 5: a match with a late L1 and a missing L2.
      stats(supplyR1File),
      stats(supplyR2File),
      own(supplyR1),
      // 3 and 10: the aborted te_escape2 and two replays.
      legacy(escapeReport({ startUnix: localUnix('2026-08-19 22:06:05'), endUnix: localUnix('2026-08-19 22:09:15') })),
      legacy(escapeReport({ startUnix: localUnix('2026-08-19 22:10:46'), endUnix: localUnix('2026-08-19 22:22:46') })),
      stats(escapeFile('2026-08-19 22:22:49', 741_000)),
      legacy(escapeReport({ startUnix: localUnix('2026-08-19 22:30:00'), endUnix: localUnix('2026-08-19 22:40:17') })),
      stats(escapeFile('2026-08-19 22:40:19', 617_000)),
      // 14: back to back, the second L late.
      stats({ ...supplyR1File, local: '2026-08-19 22:49:36' }),
      own({
        ...supplyR1,
        pauses: [],
        startUnix: localUnix('2026-08-19 22:40:30'),
        endUnix: localUnix('2026-08-19 22:49:33'),
      }),
      // 19: a ghost.
      own({ map: 'etl_ice', round: 1, startUnix: 1787180000, endUnix: 1787180012 }),
    ];
    const finalTick = clockTick(localUnix('2026-08-20 06:00:00'));
    const strip = (v: VerdictRow) => {
      const { eventId: _e, position: _p, watermarkUnix: _w, supersedes: _s, ...rest } = v;
      return rest;
    };
    let seed = 7;
    const rnd = () => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed / 2 ** 31;
    };
    const results = [];
    for (let run = 0; run < 3; run++) {
      const ledger = await ledgerFor();
      const order =
        run === 0 ? [...facts] : [...facts, facts[(rnd() * facts.length) | 0]!, facts[(rnd() * facts.length) | 0]!];
      if (run > 0) order.sort(() => rnd() - 0.5);
      for (let i = 0; i < order.length; ) {
        const n = 1 + ((rnd() * 3) | 0);
        await feed(ledger, order.slice(i, i + n));
        i += n;
      }
      await feed(ledger, [finalTick]);
      const vs = await readVerdicts(ledger.db);
      expectOneVerdictPerRound(vs);
      results.push(vs.map(strip));
    }
    // Five stats rounds (four joined, supply R2 NO_LUA_DATA), the aborted report and the ghost.
    expect(results[0]).toHaveLength(7);
    expect(results[1]).toEqual(results[0]);
    expect(results[2]).toEqual(results[0]);
  });
});
