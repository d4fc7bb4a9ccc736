// Catch-up straight over `ledger.events` when the log lives in the read models' database: a run
// of events with a SQL fold is applied by one INSERT … SELECT that never brings them to the client.
// Runs of TypeScript-handled types (and of events stored in an older schema version) are read and
// decoded as usual, inside the same transaction, so the window's order and checkpoint hold exactly
// as with applyBatch (invariant 3).
import { currentSchemaVersion, type EventType } from '../events/index.ts';
import type { EventStore, NewEvent } from '../store/eventStore.ts';
import { ident, type SqlDatabase, type SqlExecutor } from '../store/sqlDatabase.ts';
import { readTypesWith } from '../store/sqlEventStore.ts';
import { applyRun, type BatchOutcome, decodeFor, finishBatch } from './applyBatch.ts';
import type { Build } from './catalog.ts';
import { readableBy } from './generations.ts';
import { isSqlFold, type Projection } from './projection.ts';

type Run = { type: EventType; schema_version: number; first: number; last: number; n: number };

/** True when catch-up can read the log inside the read models' database (the SQL store, same connection pool). */
export const sharesDatabase = (store: EventStore, db: SqlDatabase): boolean =>
  (store as { db?: unknown }).db === db && typeof store.readTypes === 'function';

export const hasSqlFold = (p: Projection): boolean => Object.values(p.on).some(isSqlFold);

/** Applies every event `p` handles with build.position < position ≤ through, and moves the checkpoint there. */
export async function applyRange(
  db: SqlDatabase,
  store: EventStore,
  p: Projection,
  build: Build,
  through: number,
  chunk: number,
): Promise<BatchOutcome> {
  if (through <= build.position) return { position: build.position, applied: 0, emitted: 0, undecodable: [] };
  const types = Object.keys(p.on);
  const emitted: NewEvent[] = [];
  const undecodable: BatchOutcome['undecodable'] = [];
  let applied = 0;
  await db.transaction(async (tx) => {
    await tx.exec(`set local search_path to ${ident(build.schemaName)}, public`);
    const runs = await runsOf(tx, build.position, through, types);
    const ctx = { tx, emit: (e: NewEvent[]) => emitted.push(...e), generation: build.generation };
    const readable = readableBy(p, build);
    for (const run of runs) {
      const handler = p.on[run.type];
      if (isSqlFold(handler) && run.schema_version === currentSchemaVersion(run.type)) {
        await tx.query(
          `with events as (
             select position, event_id::text, stream_id, data, recorded_at from ledger.events
             where position >= $1 and position <= $2 and type = $3)
           ${handler.sql}`,
          [run.first, run.last, run.type],
        );
        applied += run.n;
        continue;
      }
      // Read in chunks inside this transaction (PGlite has one session; PostgreSQL sees the same rows).
      for (let after = run.first - 1; after < run.last; ) {
        const stored = await readTypesWith(tx, after, run.last, [run.type], chunk);
        if (stored.length === 0) break;
        after = stored[stored.length - 1]!.position;
        const decoded = decodeFor(stored.filter(readable));
        undecodable.push(...decoded.undecodable);
        const items = decoded.items;
        if (items.length > 0) await applyRun(p, { type: run.type, items }, ctx);
        applied += items.length;
      }
    }
    await finishBatch(tx, store, build, emitted, through, db);
  });
  build.position = through;
  return { position: through, applied, emitted: emitted.length, undecodable };
}

/**
 * The window's runs: consecutive events of one type and schema version, in log order. Usually
 * each (type, version) occupies its own stretch, and one aggregate says so; only when stretches
 * interleave are the islands computed event by event.
 */
async function runsOf(tx: SqlExecutor, after: number, through: number, types: string[]): Promise<Run[]> {
  const groups = await tx.query<Run>(
    `select type, schema_version, min(position) as first, max(position) as last, count(*)::int as n
     from ledger.events where position > $1 and position <= $2 and type = any($3::text[])
     group by type, schema_version order by first`,
    [after, through, types],
  );
  const rows = groups.rows.map((r) => ({ ...r, first: Number(r.first), last: Number(r.last) }));
  if (rows.every((r, i) => i === 0 || rows[i - 1]!.last < r.first)) return rows;
  const islands = await tx.query<Run>(
    `select type, schema_version, min(position) as first, max(position) as last, count(*)::int as n
     from (select position, type, schema_version,
                  row_number() over (order by position)
                  - row_number() over (partition by type, schema_version order by position) as island
           from ledger.events where position > $1 and position <= $2 and type = any($3::text[])) x
     group by type, schema_version, island order by first`,
    [after, through, types],
  );
  return islands.rows.map((r) => ({ ...r, first: Number(r.first), last: Number(r.last) }));
}
