// Planner statistics for a build's tables, refreshed by the runner as the tables grow.
//
// Why the runner and not autovacuum: a catch-up or a rebuild fills empty tables with up to millions
// of rows in minutes. Until a table is analyzed, PostgreSQL guesses `key = any($1)` over a batch's
// thousand keys as matching every row and scans the whole table for each batch: the Discord
// outbox's lookup took 0.96 s a batch at 100 000 rounds instead of 2 ms, quadratic over the build.
// Autovacuum analyzes at most once a minute per database, lags far behind such a build, may be off
// (it is off on our development machines), and PGlite has none.
//
// So every 1 000 events it applies, a runner compares each table of its build with its size at its
// last ANALYZE (pg_class.relpages) and analyzes the tables that have grown fourfold since (or were
// never analyzed) once they are past a few pages: a table of P pages is analyzed about log4(P)
// times over a build, whenever it starts to fill (guid_links, say, only once verdicts arrive).

import { errorLine } from '../failureKind.ts';
import type { Logger } from '../logger.ts';
import { ident, type SqlDatabase } from '../store/sqlDatabase.ts';
import type { Build } from './catalog.ts';

/** Events applied between two looks at the tables' sizes. */
export const CHECK_EVERY_EVENTS = 1000;
/** Growth (in pages) since the last ANALYZE that calls for another. */
export const ANALYZE_GROWTH = 4;
/** Below this many pages (64 kB) a scan costs what a lookup does: no statistics needed. */
export const MIN_PAGES = 8;

export class PlannerStatistics {
  readonly #sinceCheck = new Map<string, number>();

  constructor(
    private readonly db: SqlDatabase,
    private readonly log: Logger,
    private readonly opts: { checkEvery?: number } = {},
  ) {}

  /** After a committed batch of `applied` events; returns the tables it analyzed. */
  async afterBatch(build: Build, applied: number): Promise<string[]> {
    if (applied <= 0) return [];
    const since = (this.#sinceCheck.get(build.schemaName) ?? 0) + applied;
    if (since < (this.opts.checkEvery ?? CHECK_EVERY_EVENTS)) {
      this.#sinceCheck.set(build.schemaName, since);
      return [];
    }
    this.#sinceCheck.set(build.schemaName, 0);
    try {
      return await analyzeGrown(this.db, build.schemaName, this.log);
    } catch (e) {
      // Statistics only speed plans up: the batch is committed, and the next look tries again.
      this.log.warn(
        { schema: build.schemaName, err: errorLine(e) },
        'could not refresh planner statistics; queries may be planned on old ones',
      );
      return [];
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
 * ANALYZE, in one transaction, of the tables of `schema` that grew fourfold since their last one:
 * of the columns their indexes cover (the lookups a fold makes; the row count comes with any
 * ANALYZE), from a sample of 30 × 300 rows. The whole default (every column, 30 000 rows) cost
 * 1.6 s a time on the rounds read model at 20 000 rounds, most of it on wide jsonb, array and bytea
 * columns no fold filters on.
 */
export async function analyzeGrown(db: SqlDatabase, schema: string, log?: Logger): Promise<string[]> {
  const grown = (
    await db.query<{ name: string; columns: string[] | null }>(
      `select c.relname as name,
              (select array_agg(distinct a.attname::text order by a.attname::text)
                 from pg_index i join pg_attribute a on a.attrelid = c.oid and a.attnum = any(i.indkey)
                where i.indrelid = c.oid and a.attnum > 0) as columns
       from pg_class c join pg_namespace n on n.oid = c.relnamespace
       cross join lateral (select pg_relation_size(c.oid) / current_setting('block_size')::int as pages) s
       where n.nspname = $1 and c.relkind in ('r', 'p') and s.pages >= ${MIN_PAGES}
         and (c.reltuples < 0 or s.pages > ${ANALYZE_GROWTH} * c.relpages)
       order by c.relname`,
      [schema],
    )
  ).rows;
  if (grown.length === 0) return [];
  const targets = grown.map(
    (t) => `${ident(schema)}.${ident(t.name)}${t.columns ? ` (${t.columns.map((c) => ident(c)).join(', ')})` : ''}`,
  );
  const started = performance.now();
  await db.transaction(async (tx) => {
    await tx.exec(`set local default_statistics_target = ${STATISTICS_TARGET}`);
    await tx.exec(`analyze ${targets.join(', ')}`);
  });
  const names = grown.map((t) => t.name);
  log?.debug({ schema, tables: names, ms: Math.round(performance.now() - started) }, 'planner statistics refreshed');
  return names;
}

/** Enough for what the folds' plans need (whether a key is unique, a column's common values). */
const STATISTICS_TARGET = 30;
