import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { runCli } from '../support/cli.ts';
import { freshPostgresUrl, postgresAvailable } from '../support/databases.ts';

describe.skipIf(!postgresAvailable())('rebuild, replay, export --as-of, status through the CLI', () => {
  it('a rebuild swaps in a fresh schema and reports the rows that differ', async () => {
    const url = await freshPostgresUrl('rebuild');
    const env = { ET_LEDGER_STORE: `postgres:${url}`, ET_LEDGER_TZ: 'Europe/Ljubljana' };
    expect((await runCli(['ingest', 'samples/stats', 'samples/lua-legacy'], env)).code).toBe(0);
    // What a parser bug looks like from the outside: one stored value that the log does not support.
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    const active = (
      await client.query("select schema_name from ledger.projection_builds where name = 'rounds' and status = 'active'")
    ).rows[0].schema_name;
    await client.query(
      `update "${active}".rounds set winner = 0 where file_name = '2026-08-19-214136-supply-round-1.txt'`,
    );
    const r = await runCli(['rebuild', 'rounds', '--report'], env);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/rounds: v(\d+) \(rm_rounds_v\1_1\) → v\1 \(rm_rounds_v\1_2, reading generation 1\)/);
    const v = /rounds: v(\d+)/.exec(r.stdout)![1];
    expect(r.stdout).toMatch(/rounds\s+\+0 added\s+-0 removed\s+~1 changed/);
    expect(r.stdout).toMatch(/changed .*"winner":\{"before":0,"after":2\}/);
    const schemas = (
      await client.query("select schema_name from ledger.projection_builds where name = 'rounds'")
    ).rows.map((x) => x.schema_name);
    expect(schemas).toEqual([`rm_rounds_v${v}_2`]);
    expect(
      (
        await client.query(
          `select count(*)::int as n from information_schema.schemata where schema_name = 'rm_rounds_v${v}_1'`,
        )
      ).rows[0].n,
    ).toBe(0);
    expect(
      (await client.query("select winner from read.rounds where file_name = '2026-08-19-214136-supply-round-1.txt'"))
        .rows[0].winner,
    ).toBe(2);

    const status = await runCli(['status', '--json'], env);
    const report = JSON.parse(status.stdout);
    expect(report.quarantined).toBe(5);
    const lags = Object.fromEntries(report.projections.map((p: { name: string; lag: number }) => [p.name, p.lag]));
    expect(lags).toMatchObject({ correlator: 0, 'lua-rounds': 0, quarantine: 0, rounds: 0, verdicts: 0 });

    // A second rebuild of the same version gets a schema of its own, and finds nothing to change.
    const again = await runCli(['rebuild', 'rounds'], env);
    expect(again.stdout).toMatch(/rounds: v(\d+) \(rm_rounds_v\1_2\) → v\1 \(rm_rounds_v\1_3, reading generation 1\)/);
    expect(again.stdout).toMatch(/rounds\s+\+0 added\s+-0 removed\s+~0 changed/);

    // Time travel: the rounds read model as it stood after the first five facts.
    const asOf = await runCli(['export', 'rounds', '--as-of', '5'], env);
    expect(asOf.code, asOf.stderr).toBe(0);
    const early = asOf.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    const firstFive = (
      await client.query(
        "select count(*)::int as n from ledger.events where position <= 5 and type = 'StatsFileArrived'",
      )
    ).rows[0].n;
    expect(early.length).toBeLessThanOrEqual(firstFive);
    const csv = await runCli(['export', 'rounds', '--format', 'csv'], env);
    expect(csv.stdout.split('\r\n')[0]).toMatch(/^roundId,serverId,map,round,fileName,fileTimeUtc/);
    expect(csv.stdout.trim().split('\r\n')).toHaveLength(16);

    const replay = await runCli(['replay', '--from', '2000-01-01T00:00:00Z', '--projection', 'rounds'], env);
    expect(replay.stdout).toMatch(/rounds\s+15 rows/);
    const none = await runCli(['replay', '--to', '2000-01-01T00:00:00Z', '--projection', 'rounds'], env);
    expect(none.stdout).toMatch(/rounds\s+0 rows/);
    // Scratch schemas are gone, and nothing was appended by replays.
    expect(
      (await client.query("select count(*)::int as n from ledger.projection_builds where status = 'scratch'")).rows[0]
        .n,
    ).toBe(0);
    await client.end();
  }, 120_000);

  it('rejects a bad --as-of and a bad --format with a usage error', async () => {
    const r = await runCli(['export', 'rounds', '--as-of', 'yesterday'], { ET_LEDGER_STORE: 'pglite:/nonexistent' });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--as-of must be a log position/);
    const f = await runCli(['export', 'rounds', '--format', 'xml'], { ET_LEDGER_STORE: 'pglite:/nonexistent' });
    expect(f.stderr).toMatch(/--format must be ndjson or csv/);
  });
});
