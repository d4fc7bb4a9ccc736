// A batch that fails with a permanent error is taken apart event by event, so the one poison event
// is found and the events around it still apply (DESIGN invariant 10). While running, the poison
// event is retried POISON_ATTEMPTS times, then recorded as a dead letter and skipped; while
// rebuilding, the first one stops the build with its name. Transient errors are thrown unchanged:
// the caller retries them with back-off and never skips.

import { classifyFailure, errorLine } from '../failureKind.ts';
import type { Logger } from '../logger.ts';
import type { EventStore, StoredEvent } from '../store/eventStore.ts';
import type { SqlDatabase } from '../store/sqlDatabase.ts';
import { applyBatch, type BatchOutcome } from './applyBatch.ts';
import { advanceCheckpoint, type Build } from './catalog.ts';
import { clearFailure, markSkipped, noteFailure, POISON_ATTEMPTS, poisonInRebuild } from './deadLetters.ts';
import { handles, type Projection } from './projection.ts';

/** `skip`: a running build records and skips poison events; `fail`: a rebuild stops on the first. */
export type PoisonPolicy = 'skip' | 'fail';

export type GuardDeps = { db: SqlDatabase; store: EventStore; log: Logger };

/**
 * Applies one batch (`events`, accounting for positions up to `through`); on a permanent failure
 * applies its events one at a time instead.
 */
export async function applyGuarded(
  deps: GuardDeps,
  p: Projection,
  build: Build,
  events: StoredEvent[],
  through: number,
  policy: PoisonPolicy,
): Promise<BatchOutcome> {
  try {
    return await applyBatch(deps.db, deps.store, p, build, events, through);
  } catch (e) {
    if (classifyFailure(e) === 'transient') throw e;
    deps.log.warn(
      { projection: p.name, schema: build.schemaName, from: build.position, through, err: errorLine(e) },
      'a batch failed permanently; applying its events one by one to find the cause',
    );
  }
  let applied = 0;
  for (const event of events) {
    if (event.position <= build.position || event.position > through || !handles(p, event.type)) continue;
    const result = await applyOne(deps, p, build, event, policy);
    if (result !== 'skipped') applied += result;
  }
  // The rest of the batch's span (events of other types) is accounted for too.
  const outcome = await applyBatch(deps.db, deps.store, p, build, [], through);
  return { ...outcome, position: build.position, applied };
}

async function applyOne(
  deps: GuardDeps,
  p: Projection,
  build: Build,
  event: StoredEvent,
  policy: PoisonPolicy,
): Promise<number | 'skipped'> {
  for (let tries = 1; ; tries++) {
    try {
      const outcome = await applyBatch(deps.db, deps.store, p, build, [event], event.position);
      // A failure recorded earlier (this attempt or an interrupted one) is no dead letter now.
      await clearFailure(deps.db, build, event.position);
      return outcome.applied;
    } catch (e) {
      if (classifyFailure(e) === 'transient') throw e;
      if (policy === 'fail') throw poisonInRebuild(build, event, e);
      const attempts = await noteFailure(deps.db, build, event, e);
      if (attempts < POISON_ATTEMPTS && tries < POISON_ATTEMPTS) continue;
      await deps.db.transaction(async (tx) => {
        await markSkipped(tx, build, event.position);
        await advanceCheckpoint(tx, build, build.position, event.position);
      });
      build.position = event.position;
      deps.log.error(
        {
          projection: p.name,
          schema: build.schemaName,
          eventId: event.eventId,
          type: event.type,
          position: event.position,
          attempts,
          err: errorLine(e),
        },
        'poison event: recorded as a dead letter and skipped (et-ledger status lists it; a rebuild retries it)',
      );
      return 'skipped';
    }
  }
}
