// `et-ledger export maps` on the sample evening through the CLI: each map's time set, result and
// winner by logical team, the evening's score; the same after R2s arrive before their R1s, after
// Lua reports correct the times, and after a rebuild of the maps and of the correlator.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { openLedger } from '../../src/store/openStore.ts';
import { runCli } from '../support/cli.ts';
import { freshPostgresUrl, postgresAvailable } from '../support/databases.ts';

const samples = fileURLToPath(new URL('../../samples/', import.meta.url));
const statsFiles = readdirSync(join(samples, 'stats'))
  .filter((f) => f.endsWith('.txt'))
  .map((f) => join(samples, 'stats', f));
const round2s = statsFiles.filter((f) => f.endsWith('-round-2.txt'));
const round1s = statsFiles.filter((f) => f.endsWith('-round-1.txt'));
const luaReports = join(samples, 'lua-legacy');

function cli(store: string) {
  const env = { ET_LEDGER_STORE: store, ET_LEDGER_TZ: 'Europe/Ljubljana' };
  const run = async (...args: string[]) => {
    const r = await runCli(args, env);
    expect(r.code, r.stderr).toBe(0);
    return r.stdout;
  };
  const maps = async () =>
    (await run('export', 'maps'))
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l) as Record<string, unknown>);
  return { run, maps };
}

const evening = (rows: Record<string, unknown>[]) =>
  rows
    .filter((r) => String(r.sessionStartUtc).startsWith('2026-08-19'))
    .map((r) => [r.map, r.timeSetSec, r.r2TimeSec, r.result, r.winnerTeam, r.teamAPoints, r.teamBPoints]);

describe.skipIf(!postgresAvailable())('export maps (stopwatch) through the CLI', () => {
  it('decides the sample evening the same in any split of the facts, and after rebuilds', async () => {
    const split = cli(`postgres:${await freshPostgresUrl('maps')}`);
    await split.run('ingest', ...round2s);
    // R2s alone: supply R2 held (Axis won on a surrender) cannot say draw or win without its R1.
    const alone = await split.maps();
    expect(alone.find((r) => r.map === 'supply')).toMatchObject({ result: 'unknown', r1RoundId: null });
    expect(alone.find((r) => r.map === 'supply')!.flags).toEqual(['r1Missing']);
    await split.run('ingest', ...round1s);
    await split.run('ingest', luaReports);

    const rows = await split.maps();
    expect(evening(rows)).toEqual([
      // R1 completed in 9:03; R2's attackers surrendered: held, the R1 attackers win.
      ['supply', 543, 265, 'held', 'Team bramble', 2, 0],
      ['etl_adlernest', 442, 250, 'beaten', 'Team bramble', 2, 0],
      // R1 held to the 12:00 limit; R2 completed in 588 s of play: beaten.
      ['te_escape2', 720, 588, 'beaten', 'Team Vektor', 0, 2],
    ]);
    const score = rows
      .filter((r) => String(r.sessionStartUtc).startsWith('2026-08-19'))
      .reduce((s, r) => [s[0]! + Number(r.teamAPoints), s[1]! + Number(r.teamBPoints)], [0, 0]);
    expect([rows[0]!.teamA, rows[0]!.teamB, ...score]).toEqual(['Team bramble', 'Team Vektor', 4, 2]);
    expect(rows.find((r) => r.map === 'bremen_b3')).toMatchObject({ result: 'unknown', flags: ['r2Aborted'] });
    expect(rows.find((r) => r.map === 'etl_ice')!.flags).toContain('r1NoPlayers');

    const once = cli(`postgres:${await freshPostgresUrl('maps')}`);
    await once.run('ingest', join(samples, 'stats'), luaReports);
    expect(await once.maps()).toEqual(rows);

    await split.run('rebuild', 'rounds');
    expect(await split.maps()).toEqual(rows);
    await split.run('rebuild', 'correlator');
    expect(await split.maps()).toEqual(rows);
  }, 240_000);
});

/** The README's ```sql blocks that start with `-- analyst:`, in order. */
const analystQueries = (
  readFileSync(new URL('../../README.md', import.meta.url), 'utf8').match(/```sql\n-- analyst:[\s\S]*?```/g) ?? []
).map((block) => block.slice('```sql\n'.length, -3));

describe.skipIf(!postgresAvailable())("the README's three analyst queries", () => {
  it('run as written on the sample evening and give its figures', async () => {
    expect(analystQueries).toHaveLength(3);
    const url = await freshPostgresUrl('analyst');
    await cli(`postgres:${url}`).run('ingest', join(samples, 'stats'), luaReports);
    const ledger = await openLedger({ kind: 'postgres', url });
    try {
      const results = [];
      for (const q of analystQueries) results.push((await ledger.db.query<Record<string, unknown>>(q)).rows);
      const [dpm, perMap, score] = results as Record<string, unknown>[][];
      expect(dpm!.length).toBeGreaterThan(0);
      // bramble: (1764 + 810 + …) damage over his own fighting time; every row at least 10 minutes.
      for (const r of dpm!) expect(Number(r.minutes)).toBeGreaterThanOrEqual(10);
      expect(dpm!.map((r) => r.name)).toContain('bramble');
      expect(perMap).toEqual([
        { map: 'etl_adlernest', maps: 1, won: 1, drawn: 0 },
        { map: 'supply', maps: 1, won: 1, drawn: 0 },
        { map: 'te_escape2', maps: 1, won: 0, drawn: 0 },
      ]);
      expect(score!.map((r) => [r.map, r.result, r.points_a, r.points_b])).toEqual([
        ['supply', 'held', 2, 0],
        ['etl_adlernest', 'beaten', 0, 2],
        ['te_escape2', 'beaten', 0, 2],
      ]);
    } finally {
      await ledger.close();
    }
  }, 120_000);
});
