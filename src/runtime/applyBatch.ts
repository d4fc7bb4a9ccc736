import type { EventType } from '../events/index.ts';
import { decodeEvent, type LedgerEvent } from '../events/index.ts';
import type { EventStore, NewEvent, StoredEvent } from '../store/eventStore.ts';
import { ident, type SqlDatabase, type SqlExecutor } from '../store/sqlDatabase.ts';
import { advanceCheckpoint, type Build, markPending } from './catalog.ts';
import { readableBy } from './generations.ts';
import {
  type ApplyContext,
  type EventMeta,
  handles,
  isSqlFold,
  type Projection,
  runsByType,
  type SqlFold,
} from './projection.ts';

export type BatchOutcome = {
  position: number;
  applied: number;
  emitted: number;
  undecodable: { position: number; reason: string }[];
};

/**
 * Applies one batch to one build and stores the new checkpoint in the same transaction
 * (invariant 3): a crash at any instant leaves both as they were, and the batch is applied again.
 */
export async function applyBatch(
  db: SqlDatabase,
  store: EventStore,
  p: Projection,
  build: Build,
  events: StoredEvent[],
  throughPosition = events[events.length - 1]?.position ?? build.position,
): Promise<BatchOutcome> {
  if (throughPosition <= build.position) return { position: build.position, applied: 0, emitted: 0, undecodable: [] };
  const readable = readableBy(p, build);
  const { items, undecodable } = decodeFor(events.filter((e) => handles(p, e.type) && readable(e)));
  const emitted: NewEvent[] = [];
  await db.transaction(async (tx) => {
    await tx.exec(`set local search_path to ${ident(build.schemaName)}, public`);
    const ctx = { tx, emit: (e: NewEvent[]) => emitted.push(...e), generation: build.generation };
    for (const run of runsByType(items)) await applyRun(p, run, ctx);
    await finishBatch(tx, store, build, emitted, throughPosition, db);
  });
  build.position = throughPosition;
  // A smaller batch than the one that crashed keeps the pin until the checkpoint passes it.
  if (build.pendingThrough !== null && build.pendingThrough <= throughPosition) build.pendingThrough = null;
  return { position: throughPosition, applied: items.length, emitted: emitted.length, undecodable };
}

/** Hands one run of decoded events of one type to the projection's handler or SQL fold. */
export async function applyRun(
  p: Projection,
  run: { type: EventType; items: { event: LedgerEvent; meta: EventMeta }[] },
  ctx: ApplyContext,
): Promise<void> {
  const handler = p.on[run.type];
  if (isSqlFold(handler)) return applySqlFold(ctx, handler, run.items);
  await (handler as (items: unknown[], ctx: ApplyContext) => Promise<void>)(run.items, ctx);
}

/** The SQL fold fed from the client: the decoded events as the `events` relation. */
async function applySqlFold(
  { tx }: ApplyContext,
  fold: SqlFold,
  items: { event: LedgerEvent; meta: EventMeta }[],
): Promise<void> {
  const rows = items.map(({ event, meta }) => ({
    position: meta.position,
    event_id: meta.eventId,
    stream_id: meta.streamId,
    data: event.data,
    recorded_at: meta.recordedAt,
  }));
  await tx.query(
    `with events as (
       select * from jsonb_to_recordset($1::jsonb)
         as e(position bigint, event_id text, stream_id text, data jsonb, recorded_at timestamptz))
     ${fold.sql}`,
    [JSON.stringify(rows)],
  );
}

/** Decodes stored events into the current shapes (upcast on read); the ones that cannot be are listed. */
export function decodeFor(events: readonly StoredEvent[]): {
  items: { event: LedgerEvent; meta: EventMeta }[];
  undecodable: BatchOutcome['undecodable'];
} {
  const items: { event: LedgerEvent; meta: EventMeta }[] = [];
  const undecodable: BatchOutcome['undecodable'] = [];
  for (const stored of events) {
    const decoded = decodeEvent(stored);
    if (!decoded.ok) {
      undecodable.push({ position: stored.position, reason: decoded.reason });
      continue;
    }
    const { position, eventId, streamId, recordedAt } = stored;
    items.push({ event: decoded.event, meta: { position, eventId, streamId, recordedAt } });
  }
  return { items, undecodable };
}

/** The end of every batch's transaction: append what the projection emitted, then move the checkpoint. */
export async function finishBatch(
  tx: SqlExecutor,
  store: EventStore,
  build: Build,
  emitted: NewEvent[],
  through: number,
  db: SqlExecutor,
): Promise<void> {
  // A scratch build (time travel, replay) reads the log as it was: what it decides is not appended.
  if (emitted.length > 0 && build.status !== 'scratch') {
    // Same database: the emitted events commit with the checkpoint. Otherwise they are appended
    // before it commits; a crash in between repeats the batch, pinned to the same end (catalog.sql,
    // pending_through), so it decides the same and appends the same ids: a no-op.
    if (store.appendWithin) await store.appendWithin(tx, emitted);
    else {
      // Committed at once, outside the batch's transaction: it must survive a crash of this batch.
      if (build.pendingThrough !== through) await markPending(db, build, through);
      await store.appendFacts(emitted);
    }
  }
  await advanceCheckpoint(tx, build, build.position, through);
}
