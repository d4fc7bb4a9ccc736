// Planner statistics for a build's tables, refreshed by the runner as the build grows.
//
// Why the runner and not autovacuum: a catch-up or a rebuild fills empty tables with up to millions
// of rows in minutes. Until a table is analyzed, PostgreSQL guesses `key = any($1)` over a batch's
// thousand keys as matching every row and scans the whole table for each batch: the Discord
// outbox's lookup took 0.96 s a batch at 100 000 rounds instead of 2 ms, quadratic over the build.
// Autovacuum analyzes at most once a minute per database, lags far behind such a build, may be off
// (it is off on our development machines), and PGlite has none. So each runner analyzes its build's
// tables after 1 000 events applied, then each time the events applied since it started have grown
// fourfold: a build of N events pays log4(N / 1 000) ANALYZEs, each a bounded sample of a table.

import { errorLine } from '../failureKind.ts';
import type { Logger } from '../logger.ts';
import { ident, type SqlDatabase } from '../store/sqlDatabase.ts';
import type { Build } from './catalog.ts';

/** Events applied before the first ANALYZE, and the factor between two. */
export const FIRST_ANALYZE_AFTER = 1000;
export const ANALYZE_GROWTH = 4;

export class PlannerStatistics {
  readonly #applied = new Map<string, { since: number; analyzedAt: number }>();

  constructor(
    private readonly db: SqlDatabase,
    private readonly log: Logger,
    private readonly opts: { firstAfter?: number; growth?: number } = {},
  ) {}

  /** After a committed batch of `applied` events: analyzes the build's tables when they have grown enough. */
  async afterBatch(build: Build, applied: number): Promise<boolean> {
    if (applied <= 0) return false;
    const first = this.opts.firstAfter ?? FIRST_ANALYZE_AFTER;
    const growth = this.opts.growth ?? ANALYZE_GROWTH;
    const count = this.#applied.get(build.schemaName) ?? { since: 0, analyzedAt: 0 };
    count.since += applied;
    this.#applied.set(build.schemaName, count);
    if (count.since < first || count.since < count.analyzedAt * growth) return false;
    count.analyzedAt = count.since;
    try {
      await analyzeSchema(this.db, build.schemaName, this.log);
      return true;
    } catch (e) {
      // Statistics only speed plans up: the batch is committed, and the next doubling tries again.
      this.log.warn(
        { schema: build.schemaName, err: errorLine(e) },
        'could not refresh planner statistics; queries may be planned on old ones',
      );
      return false;
    }
  }
}

const perDatabase = new WeakMap<SqlDatabase, PlannerStatistics>();

/** The process's one keeper for a database: counts carry over from one catch-up call to the next. */
export function plannerStatisticsFor(deps: { db: SqlDatabase; log: Logger }): PlannerStatistics {
  let keeper = perDatabase.get(deps.db);
  if (!keeper) {
    keeper = new PlannerStatistics(deps.db, deps.log);
    perDatabase.set(deps.db, keeper);
  }
  return keeper;
}

/**
 * ANALYZE of every table in `schema`, in one transaction: of the columns its indexes cover (the
 * lookups a fold makes; the row count comes with any ANALYZE), from a sample of 30 × 300 rows.
 * The whole default (every column, 30 000 rows) cost 1.6 s a time on the rounds read model at
 * 20 000 rounds, most of it on wide jsonb, array and bytea columns no fold filters on.
 */
export async function analyzeSchema(db: SqlDatabase, schema: string, log?: Logger): Promise<string[]> {
  const tables = (
    await db.query<{ name: string; columns: string[] | null }>(
      `select c.relname as name,
              (select array_agg(distinct a.attname::text order by a.attname::text)
                 from pg_index i join pg_attribute a on a.attrelid = c.oid and a.attnum = any(i.indkey)
                where i.indrelid = c.oid and a.attnum > 0) as columns
       from pg_class c join pg_namespace n on n.oid = c.relnamespace
       where n.nspname = $1 and c.relkind in ('r', 'p') order by c.relname`,
      [schema],
    )
  ).rows;
  if (tables.length === 0) return [];
  const targets = tables.map(
    (t) => `${ident(schema)}.${ident(t.name)}${t.columns ? ` (${t.columns.map((c) => ident(c)).join(', ')})` : ''}`,
  );
  const started = performance.now();
  await db.transaction(async (tx) => {
    await tx.exec(`set local default_statistics_target = ${STATISTICS_TARGET}`);
    await tx.exec(`analyze ${targets.join(', ')}`);
  });
  log?.debug(
    { schema, tables: tables.length, ms: Math.round(performance.now() - started) },
    'planner statistics refreshed',
  );
  return tables.map((t) => t.name);
}

/** Enough for what the folds' plans need (whether a key is unique, a column's common values). */
const STATISTICS_TARGET = 30;
