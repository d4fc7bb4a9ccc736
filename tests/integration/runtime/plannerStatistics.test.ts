// Runners keep their build's planner statistics (src/runtime/plannerStatistics.ts): every 1 000
// events they analyze the tables that were never analyzed or grew fourfold since, so a build is
// never planned on "never analyzed" guesses (autovacuum is off on our machines and PGlite has none).
// Both stores; the estimate check runs on PostgreSQL.
import { describe, expect, it, onTestFinished } from 'vitest';
import { createLogger } from '../../../src/logger.ts';
import { activeBuild } from '../../../src/runtime/catalog.ts';
import {
  catchUp,
  ensureServing,
  prepareRuntime,
  type RuntimeDeps,
  runLive,
} from '../../../src/runtime/ledgerRuntime.ts';
import { PlannerStatistics } from '../../../src/runtime/plannerStatistics.ts';
import { ident, type SqlDatabase, type SqlExecutor } from '../../../src/store/sqlDatabase.ts';
import { postgresAvailable } from '../../support/databases.ts';
import { openTestLedger } from '../../support/factBuilders.ts';
import { tallyProjection, ticks } from '../../support/tallyProjection.ts';

const silent = createLogger('silent');
const KINDS = postgresAvailable() ? (['pglite', 'postgres'] as const) : (['pglite'] as const);

/** Tables of `schema` that have planner statistics (pg_stats rows exist only after an ANALYZE). */
async function analyzedTables(db: SqlDatabase, schema: string): Promise<string[]> {
  const r = await db.query<{ t: string }>(
    'select distinct tablename as t from pg_stats where schemaname = $1 order by 1',
    [schema],
  );
  return r.rows.map((x) => x.t);
}

/** `db` with every ANALYZE statement handed to `seen` first (which may throw), in or out of a transaction. */
function watchingAnalyzes(db: SqlDatabase, seen: (sql: string) => void): SqlDatabase {
  const isAnalyze = (sql: string) => /^\s*analyze\b/i.test(sql);
  const executor = (x: SqlExecutor): SqlExecutor => ({
    query: (sql, params) => x.query(sql, params),
    exec: async (sql) => {
      if (isAnalyze(sql)) seen(sql);
      return x.exec(sql);
    },
  });
  const watched: SqlDatabase = Object.create(db);
  watched.exec = executor(db).exec;
  watched.transaction = (work) => db.transaction((tx) => work(executor(tx)));
  return watched;
}

/** Counts ANALYZE statements the runner sends through this handle. */
function countingAnalyzes(db: SqlDatabase): { db: SqlDatabase; analyzes: string[] } {
  const analyzes: string[] = [];
  return { db: watchingAnalyzes(db, (sql) => analyzes.push(sql)), analyzes };
}

describe.each(KINDS)('planner statistics (%s)', (kind) => {
  // Wide ticks: 1 200 of them fill more than MIN_PAGES pages.
  const SERVER = `srv-${'x'.repeat(120)}`;

  it('every 1 000 events, the tables past a few pages that were never analyzed or grew fourfold are', async () => {
    const ledger = await openTestLedger(kind, 'stats');
    onTestFinished(() => ledger.close());
    const { db, analyzes } = countingAnalyzes(ledger.db);
    const p = tallyProjection();
    const deps: RuntimeDeps = { db, store: ledger.store, log: silent, projections: [p], batchSize: 300 };
    await prepareRuntime(deps);
    const build = await ensureServing(deps, p);
    const schema = build.schemaName;

    await ledger.store.appendFacts(ticks(SERVER, 1_000, 900));
    await catchUp(deps, p, build);
    expect(analyzes).toEqual([]); // no look before 1 000 events
    expect(await analyzedTables(db, schema)).toEqual([]);

    // A second call carries the count on: the look comes at 1 200 applied, then at 2 200.
    await ledger.store.appendFacts(ticks(SERVER, 5_000, 1_300));
    await catchUp(deps, p, build);
    // `ticks` had never been analyzed; `tallies` is one page. At 2 200, ticks had not grown 4× since.
    expect(analyzes).toHaveLength(1);
    expect(analyzes[0]).toContain(`"${schema}"."ticks" ("at_unix", "server_id")`); // the columns its key covers
    expect(analyzes[0]).not.toContain('tallies');
    expect(await analyzedTables(db, schema)).toEqual(['ticks']);
    const reltuples = async (table: string) =>
      Number(
        (
          await db.query<{ n: string }>(
            `select reltuples::bigint as n from pg_class c join pg_namespace s on s.oid = c.relnamespace
             where s.nspname = $1 and c.relname = $2`,
            [schema, table],
          )
        ).rows[0]!.n,
      );
    expect(await reltuples('ticks')).toBe(1_200);

    // A table that starts to fill late (as guid_links once verdicts come) is analyzed when it does,
    // whatever the events applied; live batches count as well.
    await db.exec(`insert into ${ident(schema)}.tallies select 'z' || g, 1, 0, 0 from generate_series(1, 5000) g`);
    await ledger.store.appendFacts(ticks(SERVER, 9_000, 1_000));
    const live = runLive(deps, p);
    onTestFinished(() => live.stop());
    for (let i = 0; i < 200; i++) {
      const active = await activeBuild(db, 'tally');
      if (active && active.position >= (await ledger.store.headPosition())) break;
      await new Promise((r) => setTimeout(r, 25));
    }
    await live.stop();
    expect(analyzes).toHaveLength(2);
    expect(analyzes[1]).toContain(`"${schema}"."tallies" ("server_id")`);
    expect(analyzes[1]).not.toContain('ticks');
    expect(await reltuples('tallies')).toBe(5_001);
    const tally = await db.query<{ n: string }>(`select n from ${ident(schema)}.tallies where server_id = $1`, [
      SERVER,
    ]);
    expect(Number(tally.rows[0]!.n)).toBe(3_200);
  });

  it('a failed ANALYZE is logged and the batch stands', async () => {
    const ledger = await openTestLedger(kind, 'stats');
    onTestFinished(() => ledger.close());
    const failing = watchingAnalyzes(ledger.db, () => {
      throw new Error('simulated: permission denied to analyze');
    });
    const warnings: unknown[] = [];
    const log = Object.assign(Object.create(silent), { warn: (o: unknown) => warnings.push(o) });
    const keeper = new PlannerStatistics(failing, log, { checkEvery: 10 });
    const p = tallyProjection();
    const deps: RuntimeDeps = { db: failing, store: ledger.store, log: silent, projections: [p] };
    await prepareRuntime(deps);
    const build = await ensureServing(deps, p);
    await ledger.db.exec(
      `insert into ${ident(build.schemaName)}.ticks select 's' || g, g, g from generate_series(1, 5000) g`,
    );
    expect(await keeper.afterBatch(build, 9)).toEqual([]);
    expect(warnings).toHaveLength(0);
    expect(await keeper.afterBatch(build, 1)).toEqual([]); // looked, tried, failed, said
    expect(warnings).toHaveLength(1);
    expect(JSON.stringify(warnings[0])).toContain('permission denied to analyze');
  });
});

describe.runIf(postgresAvailable())('planner statistics change the plan (postgres)', () => {
  it('after a catch-up, the planner expects a lookup of a batch of 1 000 keys to find about 1 000 rows, not all', async () => {
    const ledger = await openTestLedger('postgres', 'stats');
    onTestFinished(() => ledger.close());
    const p = tallyProjection();
    const deps: RuntimeDeps = { db: ledger.db, store: ledger.store, log: silent, projections: [p], batchSize: 1000 };
    await prepareRuntime(deps);
    const build = await ensureServing(deps, p);
    const ticksTable = `"${build.schemaName}".ticks`;
    // The shape of a fold's lookup (e.g. the outbox's rows of a batch's round keys): the key's
    // leading column against a batch-sized array.
    const keys = Array.from({ length: 1000 }, (_, i) => `srv-${i * 7}`);
    // The planner's row estimate decides between the key and a scan of the table: on the wide rows
    // of the real read models a wrong one meant a full scan per batch (plannerStatistics.ts).
    const estimate = async () => {
      const r = await ledger.db.query<{ 'QUERY PLAN': { Plan: { 'Plan Rows': number } }[] }>(
        `explain (format json) select * from ${ticksTable} where server_id = any($1::text[])`,
        [keys],
      );
      return r.rows[0]!['QUERY PLAN'][0]!.Plan['Plan Rows'];
    };
    // Rows the planner has never seen analyzed: its guess for `= any` of 1 000 values is every row.
    await ledger.db.exec(`insert into ${ticksTable} select 'srv-' || g, g, 0 from generate_series(1, 20000) g`);
    expect(await estimate()).toBeGreaterThan(15_000);
    await ledger.store.appendFacts(Array.from({ length: 1200 }, (_, i) => ticks(`late-${i}`, 0, 1)[0]!));
    await catchUp(deps, p, build);
    expect(await estimate()).toBeGreaterThan(500);
    expect(await estimate()).toBeLessThan(2_000);
  });
});
