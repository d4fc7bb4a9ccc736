// An `et-ledger.round/2` report end to end: bytes from the folder source through identifyFact, the
// real log and projections (PGlite, or PostgreSQL when available), to the verdicts read model: each
// player's corrected time is his own time in play, capped to the Lua playtime (correlation.md).
import { describe, expect, it, onTestFinished } from 'vitest';
import type { Ledger } from '../../../src/store/openStore.ts';
import { postgresAvailable } from '../../support/databases.ts';
import {
  body,
  type Fact,
  feed,
  file,
  GUIDS,
  type LuaSpec,
  legacyReport,
  localUnix,
  openTestLedger,
  ownReport,
  ownReportV2,
  readModel,
  readVerdicts,
  type StatsFileSpec,
  type StoreKind,
  statsFile,
} from '../../support/factBuilders.ts';

const MAIN: StoreKind = postgresAvailable() ? 'postgres' : 'pglite';

async function ledgerFor(): Promise<Ledger> {
  const ledger = await openTestLedger(MAIN, 'ptime');
  onTestFinished(() => ledger.close());
  return ledger;
}

const END = localUnix('2026-08-19 21:41:33');
const round1: LuaSpec = { map: 'supply', round: 1, startUnix: END - 543, endUnix: END };
const round1File: StatsFileSpec = { local: '2026-08-19 21:41:36', map: 'supply', round: 1, playtimeMs: 543_000 };
const stats = () => {
  const f = statsFile(round1File);
  return file(f.fileName, f.bytes);
};

describe('per-player time from et-ledger.round/2, end to end', () => {
  it('reads a /2 report from a folder file and gives each player his own time, capped to the round', async () => {
    const ledger = await ledgerFor();
    const report = ownReportV2(round1, [
      { guid: GUIDS.Vektor, name: 'Vektor', axisMs: 543_000 },
      { guid: GUIDS.n0va, name: 'n0va', axisMs: 300_040 },
      { guid: GUIDS.Ziggy, name: 'Ziggy', axisMs: 600_000 },
      { guid: GUIDS.bramble, name: 'bramble', team: 2, alliesMs: 500_000, axisMs: 0 },
      { guid: GUIDS.Oskar, name: 'Oskar', team: 2, alliesMs: 400_000, axisMs: 100_000 },
      { guid: GUIDS.quill, name: 'quill', team: 2, alliesMs: 12_340, axisMs: 0 },
    ]);
    await feed(ledger, [file('2026-08-19-214133-supply-round-1.lua.json', report), stats()]);
    const [teams] = await readModel(ledger.db, 'lua_round_teams');
    expect(teams).toMatchObject({ shape: 'et-ledger.round/2', playerCount: 6 });
    const [v] = await readVerdicts(ledger.db);
    expect(v).toMatchObject({ status: 'ALIGNED', fightingTimeSec: 543, flags: ['playerTimeOverRound'] });
    expect(v!.players.map((p) => [p.name, p.statsTimeSec, p.correctedTimeSec])).toEqual([
      ['Vektor', 540, 543],
      ['n0va', 540, 300],
      ['Ziggy', 540, 543],
      ['bramble', 540, 500],
      ['Oskar', 540, 500],
      ['quill', 540, 12.3],
    ]);
    const quill = v!.players[5]!;
    expect(quill.correctedDpm).toBeCloseTo((quill.damageGiven * 60) / 12.3);
  });

  it('a /1 report keeps the stats rule and says so', async () => {
    const ledger = await ledgerFor();
    await feed(ledger, [file('2026-08-19-214133-supply-round-1.lua.json', ownReport(round1)), stats()]);
    const [v] = await readVerdicts(ledger.db);
    expect(v).toMatchObject({ status: 'ALIGNED', flags: ['approximatePlayerTime'] });
    expect(v!.players.every((p) => p.correctedTimeSec === 540)).toBe(true);
  });

  it('our /2 report and the legacy webhook’s of one round: both kept, the same verdict and report row in any order and split', async () => {
    // A community moving from the legacy script to ours runs both for a while: each round comes twice.
    const own = file(
      '2026-08-19-214133-supply-round-1.lua.json',
      ownReportV2({ ...round1, warmupSec: 45 }, [
        { guid: GUIDS.Vektor, name: 'Vektor', axisMs: 300_000 },
        { guid: GUIDS.bramble, name: 'bramble', team: 2, alliesMs: 400_000, axisMs: 0 },
      ]),
    );
    const legacy = body(legacyReport(round1));
    const seen = async (ingests: Fact[][]) => {
      const ledger = await ledgerFor();
      const appended = [];
      for (const facts of ingests) appended.push(...(await feed(ledger, facts)));
      const [v] = await readVerdicts(ledger.db);
      const teams = await readModel(ledger.db, 'lua_round_teams');
      return {
        stored: appended.filter((a) => a.status === 'appended').length,
        // What records when and after what it was decided differs with the order; the decision does not.
        verdict: v && { ...v, eventId: null, position: null, supersedes: null, watermarkUnix: null, generation: null },
        teams: teams.map((t) => ({ ...t, sourceKind: null, sourceRef: null })),
      };
    };
    const legacyFirst = await seen([[legacy], [stats()], [own]]);
    const ownFirst = await seen([[own, stats()], [legacy]]);
    const once = await seen([[legacy, own, stats()]]);
    // Nothing is dropped as a duplicate: two reports and one stats file are on the log.
    expect(legacyFirst.stored).toBe(3);
    // Our script's report is the one taken: its warmup and each player's own time.
    expect(legacyFirst.verdict).toMatchObject({ status: 'ALIGNED', warmupSec: 45 });
    expect(legacyFirst.verdict!.players.find((p) => p.name === 'Vektor')?.correctedTimeSec).toBe(300);
    expect(legacyFirst.teams).toMatchObject([{ shape: 'et-ledger.round/2' }]);
    expect(ownFirst).toEqual(legacyFirst);
    expect(once).toEqual(legacyFirst);
  });
});
