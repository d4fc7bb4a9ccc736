// The sample evening (samples/stats, samples/lua-legacy) end to end with the real CLI, as a user
// runs it: `ingest --tz Europe/Ljubljana samples/stats samples/lua-legacy`, then `export`. Every
// round pairs as the data READMEs say.
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../../support/cli.ts';
import { freshPgliteDir, freshPostgresUrl, postgresAvailable } from '../../support/databases.ts';
import { GUIDS, localUnix } from '../../support/factBuilders.ts';

const statsDir = fileURLToPath(new URL('../../../samples/stats', import.meta.url));
const luaDir = fileURLToPath(new URL('../../../samples/lua-legacy', import.meta.url));

type Row = Record<string, unknown>;
type Summary = {
  files: number;
  appended: number;
  duplicate: number;
  quarantined: number;
  quarantinedFiles: { file: string; reason: string }[];
};

let store = '';
let first: Summary;
let verdicts: Row[] = [];
let rounds: Row[] = [];
let playerStats: Row[] = [];
let history: Row[] = [];

async function exportRows(name: string): Promise<Row[]> {
  const r = await runCli(['export', name, '--store', store]);
  expect(r.code, r.stderr).toBe(0);
  return r.stdout
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => JSON.parse(l) as Row);
}

async function ingest(): Promise<Summary> {
  const r = await runCli(['ingest', '--json', '--tz', 'Europe/Ljubljana', '--store', store, statsDir, luaDir]);
  // Exit 0 although files were quarantined (an empty file, the READMEs, the pause-record notes).
  expect(r.code, r.stderr).toBe(0);
  return JSON.parse(r.stdout) as Summary;
}

const verdictOf = (fileName: string): Row => {
  const v = verdicts.find((x) => x.statsFileName === fileName);
  if (!v) throw new Error(`no verdict for ${fileName}`);
  return v;
};

describe('the sample evening through the CLI', () => {
  beforeAll(async () => {
    store = postgresAvailable() ? `postgres:${await freshPostgresUrl('evening')}` : `pglite:${freshPgliteDir()}`;
    first = await ingest();
    const names = ['verdicts', 'rounds', 'player-stats', 'verdict-history'];
    // PGlite is one process at a time; PostgreSQL serves the exports side by side.
    const all = store.startsWith('pglite:')
      ? await names.reduce<Promise<Row[][]>>(
          async (acc, n) => [...(await acc), await exportRows(n)],
          Promise.resolve([]),
        )
      : await Promise.all(names.map(exportRows));
    [verdicts, rounds, playerStats, history] = all as [Row[], Row[], Row[], Row[]];
  }, 120_000);

  it('ingest exits 0 and lists what it quarantined', () => {
    expect(first.appended).toBeGreaterThan(0);
    expect(first.quarantined).toBeGreaterThan(0);
    const names = first.quarantinedFiles.map((q) => q.file.split('/').pop());
    expect(names).toEqual(expect.arrayContaining(['2026-08-20-211500-sp_delivery_te-round-1.txt', 'README.md']));
    // #6 is a second delivery of #2: recognised by content, stored once.
    expect(first.duplicate).toBe(1);
  });

  it('every round pairs as the READMEs say: supply R1/R2, adlernest R1, the te_escape2 replay, each +3 s', () => {
    const joined = verdicts.filter((v) => v.statsFactId !== null && v.luaReportId !== null);
    expect(joined.map((v) => v.statsFileName).sort()).toEqual([
      '2026-08-19-214136-supply-round-1.txt',
      '2026-08-19-214737-supply-round-2.txt',
      '2026-08-19-220005-etl_adlernest-round-1.txt',
      '2026-08-19-222249-te_escape2-round-1.txt',
    ]);
    for (const v of joined) expect(v).toMatchObject({ deltaSec: 3, status: 'ALIGNED' });
    expect(verdictOf('2026-08-19-214136-supply-round-1.txt')).toMatchObject({
      luaRoundEndUnix: localUnix('2026-08-19 21:41:33'),
      fightingTimeSec: 543,
      pauseCount: 2,
      pausedSec: 78,
      outcome: 'COMPLETED',
      // The sample reports are /1: no per-player time, the stats rule stands.
      flags: ['approximatePlayerTime'],
    });
    expect(verdictOf('2026-08-19-220005-etl_adlernest-round-1.txt')).toMatchObject({
      luaRoundEndUnix: localUnix('2026-08-19 22:00:02'),
      fightingTimeSec: 442,
      outcome: 'COMPLETED',
    });
    expect(verdictOf('2026-08-19-222249-te_escape2-round-1.txt')).toMatchObject({
      luaRoundEndUnix: localUnix('2026-08-19 22:22:46'),
      fightingTimeSec: 720,
      outcome: 'FULL_HOLD',
    });
    // Rounds without a report are decided NO_LUA_DATA, never linked to a neighbour's report.
    for (const name of ['2026-08-19-220523-etl_adlernest-round-2.txt', '2026-08-19-223456-te_escape2-round-2.txt'])
      expect(verdictOf(name)).toMatchObject({ status: 'NO_LUA_DATA', luaReportId: null });
    // One standing verdict per round, every report in at most one.
    const keys = verdicts.map((v) => v.roundKey);
    expect(new Set(keys).size).toBe(keys.length);
    const reports = verdicts.flatMap((v) => (v.luaReportId ? [v.luaReportId] : []));
    expect(new Set(reports).size).toBe(reports.length);
  });

  it('the aborted te_escape2 report (map_restart at 3:10) is LUA_ONLY + suspectedAbort', () => {
    const lonely = verdicts.filter((v) => v.status === 'LUA_ONLY');
    expect(lonely).toHaveLength(1);
    expect(lonely[0]).toMatchObject({
      map: 'te_escape2',
      luaRoundEndUnix: localUnix('2026-08-19 22:09:15'),
      fightingTimeSec: 190,
      outcome: null,
      statsFactId: null,
    });
    expect(lonely[0]!.flags).toContain('suspectedAbort');
  });

  it('supply R2 is a surrender: fighting time 265 s, FULL_HOLD, limit ≈ 543.5 s', () => {
    const v = verdictOf('2026-08-19-214737-supply-round-2.txt');
    expect(v).toMatchObject({
      surrender: true,
      surrenderTeam: 2,
      fightingTimeSec: 265,
      statsPlaytimeSec: 265,
      outcome: 'FULL_HOLD',
    });
    expect(v.timelimitSec as number).toBeCloseTo(543.5, 0);
  });

  it("supply R2's player_stats carry the report's full GUIDs and the R2-only values (Vektor 5/6/702/264 s)", () => {
    const r2 = rounds.find((r) => r.fileName === '2026-08-19-214737-supply-round-2.txt')!;
    const r1 = rounds.find((r) => r.fileName === '2026-08-19-214136-supply-round-1.txt')!;
    expect(r2).toMatchObject({ r1RoundId: r1.roundId, statsPlaytimeSec: 265 });
    expect(verdictOf('2026-08-19-214737-supply-round-2.txt').statsFactId).toBe(r2.roundId);
    const players = playerStats.filter((p) => p.roundId === r2.roundId);
    expect(players).toHaveLength(6);
    for (const p of players) {
      expect(p.fullGuid).toMatch(/^[0-9A-F]{32}$/);
      expect(p.fullGuid).toBe(GUIDS[p.name as keyof typeof GUIDS]);
      expect((p.fullGuid as string).startsWith(p.guid8 as string)).toBe(true);
    }
    expect(players.find((p) => p.name === 'Vektor')).toMatchObject({
      kills: 5,
      deaths: 6,
      damageGiven: 702,
      timePlayedSec: 264,
    });
  });

  it('ingesting the same folders again appends nothing new and changes no verdict', async () => {
    const again = await ingest();
    expect(again.appended).toBe(0);
    expect(again.duplicate).toBe(first.appended + first.duplicate);
    expect(await exportRows('verdict-history')).toEqual(history);
  });
});
