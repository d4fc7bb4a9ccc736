// Work a projection defers while its build catches up. Some folds cost far less done once in bulk
// than batch by batch: the rounds projection's player sums are one grouped pass over every row at
// the end of a rebuild, where batch by batch each round is summed twice (its file, then its
// verdict) and every touched day and player is probed and rewritten in every batch. Such a projection keeps a durable flag in its build (set with the build's
// tables, cleared in the transaction that does the bulk work) and says what to do in its
// `caughtUp` hook; the runner calls the hook whenever it finds the build at the log's head:
//  - at the end of a catch-up that reached the head: an ingest, a rebuild before its swap, a replay;
//  - when the live tail finds nothing more to read.
// A catch-up that stops short of the head (a pass of `projectAllToHead` while the correlator is
// still appending verdicts for it, `catchUp` to a position) leaves the work deferred, so a rebuild
// that reads the facts, then the verdicts, does the bulk work once, after both. A scratch build
// (`export --as-of`, `replay`) is read as it stands at its end, wherever that is: it settles there.
// A crash before or during the hook leaves the flag set and the work to the next call.
import type { EventStore } from '../store/eventStore.ts';
import { ident, type SqlDatabase } from '../store/sqlDatabase.ts';
import type { Build } from './catalog.ts';
import type { Projection } from './projection.ts';

/** Builds this process has seen at the head with their hook run: later calls cost nothing. */
const settled = new WeakSet<Build>();

/** Runs `p.caughtUp` on `build` when the build is at the log's head (once per build per process). */
export async function settleAtHead(db: SqlDatabase, store: EventStore, p: Projection, build: Build): Promise<void> {
  if (!p.caughtUp || settled.has(build)) return;
  if (build.position < (await store.headPosition())) return;
  await settle(db, p, build);
}

/** Runs `p.caughtUp` on `build` where it stands: a scratch build, read as of its last position. */
export async function settle(db: SqlDatabase, p: Projection, build: Build): Promise<void> {
  if (!p.caughtUp || settled.has(build)) return;
  await db.transaction(async (tx) => {
    await tx.exec(`set local search_path to ${ident(build.schemaName)}, public`);
    await p.caughtUp!(tx);
  });
  settled.add(build);
}
