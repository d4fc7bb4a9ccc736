import { isLedgerError } from '../errors.ts';
import { classifyFailure, errorLine } from '../failureKind.ts';
import type { Logger } from '../logger.ts';
import { createPacer } from '../pacing.ts';
import type { EventStore, StoredEvent } from '../store/eventStore.ts';
import type { SqlDatabase } from '../store/sqlDatabase.ts';
import type { BatchOutcome } from './applyBatch.ts';
import { applyRange, hasSqlFold, sharesDatabase } from './applyRange.ts';
import { type Build, createBuild, dropBuild, ensureCatalog, generationAt, getBuild, recordFailure } from './catalog.ts';
import { settle, settleAtHead } from './caughtUp.ts';
import { ensureDeadLetters } from './deadLetters.ts';
import { applyGuarded, type PoisonPolicy } from './guardedApply.ts';
import { plannerStatisticsFor } from './plannerStatistics.ts';
import type { Progress } from './progress.ts';
import type { Projection } from './projection.ts';
import { headOf, type SharedHead } from './sharedHead.ts';

export type RuntimeDeps = {
  db: SqlDatabase;
  store: EventStore;
  log: Logger;
  projections: Projection[];
  batchSize?: number;
  /** A progress display for long work, or none (tests). */
  progress?: (label: string, total: number) => Progress;
};

/**
 * The catalog's DDL, once per database handle and under an advisory lock: runners start side by
 * side, and concurrent `alter table` statements on one table deadlock in PostgreSQL.
 */
export async function prepareRuntime(deps: RuntimeDeps): Promise<void> {
  let ready = prepared.get(deps.db);
  if (!ready) {
    ready = deps.db.transaction(async (tx) => {
      if (deps.db.kind === 'postgres') await tx.query("select pg_advisory_xact_lock(hashtext('et-ledger catalog'))");
      await ensureCatalog(tx);
      await ensureDeadLetters(tx);
    });
    prepared.set(deps.db, ready);
    ready.catch(() => prepared.delete(deps.db));
  }
  await ready;
}
const prepared = new WeakMap<SqlDatabase, Promise<void>>();

/**
 * Reads the log from the build's checkpoint up to `until` (default: the head), batch by batch,
 * with an optional filter (replay over a time range). Returns events applied. A poison event is
 * skipped and recorded (`poison: 'skip'`, the default for a build that serves) or stops the
 * catch-up naming it (`'fail'`, a rebuild replacing a serving build).
 */
export async function catchUp(
  deps: RuntimeDeps,
  p: Projection,
  build: Build,
  opts: { until?: number; label?: string; filter?: (recordedAt: Date) => boolean; poison?: PoisonPolicy } = {},
): Promise<number> {
  const head = opts.until ?? (await deps.store.headPosition());
  const batchSize = deps.batchSize ?? 1000;
  const start = build.position;
  const progress =
    head - start > batchSize ? deps.progress?.(opts.label ?? `${p.name} v${p.version}`, head - start) : undefined;
  let applied = 0;
  const types = Object.keys(p.on);
  // SQL folds over the log where it lies: windows of many batches, the events never leave the database.
  let inPlace = !opts.filter && hasSqlFold(p) && sharesDatabase(deps.store, deps.db);
  const keep = opts.filter;
  const poison = opts.poison ?? 'skip';
  while (build.position < head) {
    let outcome: BatchOutcome;
    try {
      if (inPlace) {
        const through = Math.min(head, build.position + batchSize * IN_PLACE_WINDOW_BATCHES);
        try {
          outcome = await applyRange(deps.db, deps.store, p, build, through, batchSize);
        } catch (e) {
          if (classifyFailure(e) === 'transient') throw e;
          // A poison event inside a window: go on batch by batch, where it can be isolated.
          inPlace = false;
          continue;
        }
      } else {
        const pinned = await readPinned(deps.store, build, batchSize);
        const batch = pinned
          ? { events: pinned, through: build.pendingThrough! }
          : await readBatch(deps.store, build.position, head, types, batchSize);
        if (!batch) break;
        const chosen = keep ? batch.events.filter((e) => keep(e.recordedAt)) : batch.events;
        outcome = await applyGuarded(deps, p, build, chosen, batch.through, poison);
      }
    } catch (e) {
      await recordFailure(deps.db, build, e).catch(() => {});
      throw e;
    }
    applied += outcome.applied;
    await plannerStatisticsFor(deps).afterBatch(build, outcome.applied);
    for (const u of outcome.undecodable)
      deps.log.warn(
        { projection: p.name, position: u.position, reason: u.reason },
        'event does not match any known schema version; skipped',
      );
    progress?.update(build.position - start);
  }
  progress?.finish();
  await settleAtHead(deps.db, deps.store, p, build);
  return applied;
}

/**
 * The batch a crash interrupted, read whole (whatever the batch size now): the same events in one
 * batch decide the same, so the retry appends the same ids.
 */
async function readPinned(store: EventStore, build: Build, pageSize: number): Promise<StoredEvent[] | null> {
  const pin = build.pendingThrough;
  if (pin === null || pin <= build.position) return null;
  const events: StoredEvent[] = [];
  for (let after = build.position; after < pin; ) {
    const page = (await store.readAll(after, pageSize)).filter((e) => e.position <= pin);
    if (page.length === 0) break;
    events.push(...page);
    after = page[page.length - 1]!.position;
  }
  return events;
}

/** An in-place window spans this many batches: SQL folds are cheap per event, a transaction is not. */
const IN_PLACE_WINDOW_BATCHES = 100;

/**
 * The next events a projection handles after `after`, and the position the batch accounts for:
 * with a store that filters by type, every position up to the last event returned (a full batch)
 * or up to `head` (nothing more of these types before it); otherwise a plain slice of the log.
 */
async function readBatch(
  store: EventStore,
  after: number,
  head: number,
  types: readonly string[],
  batchSize: number,
): Promise<{ events: StoredEvent[]; through: number } | null> {
  if (store.readTypes) {
    const events = await store.readTypes(after, head, types, batchSize);
    // Empty: nothing of these types up to the head. Otherwise the batch accounts for what it holds
    // (a read may also stop short by bytes); the next read takes it from there.
    return { events, through: events.length === 0 ? head : events[events.length - 1]!.position };
  }
  // Positions may be sparse (EventStoreDB's are byte offsets): the count bounds the read, the
  // position filter bounds the batch (a pinned retry must end exactly where the first try did).
  const events = (await store.readAll(after, Math.min(batchSize, head - after))).filter((e) => e.position <= head);
  const last = events[events.length - 1];
  return last ? { events, through: last.position } : null;
}

import { ensureServing, isWaitingForLeader } from './serving.ts';

export { buildAndSwap, ensureServing, projectAllToHead, type RebuildResult } from './serving.ts';

/** Builds `p` as it stood at `position` into a scratch schema; the caller reads it, then drops it. */
export async function buildScratch(
  deps: RuntimeDeps,
  p: Projection,
  opts: { until?: number; filter?: (recordedAt: Date) => boolean },
): Promise<{ build: Build; applied: number; drop: () => Promise<void> }> {
  await prepareRuntime(deps);
  // A follower reads the generation readers saw at that position (as-of), or the active one.
  const follows = p.follows
    ? await generationAt(deps.db, p.follows, opts.until ?? (await deps.store.headPosition()))
    : null;
  const build = await createBuild(deps.db, p, 'scratch', follows);
  try {
    const applied = await catchUp(deps, p, build, { ...opts, label: `${p.name} (scratch)` });
    await settle(deps.db, p, build);
    return { build, applied, drop: () => dropBuild(deps.db, build.schemaName) };
  } catch (e) {
    await dropBuild(deps.db, build.schemaName).catch(() => {});
    throw e;
  }
}

export type LiveRunner = { stop(): Promise<void>; done: Promise<void> };

/**
 * Follows the log for one projection, retrying a failing batch with back-off (a failing projection
 * never stops the others). On PostgreSQL only one process runs a projection at a time: the others
 * wait on its advisory lock and take over when it dies.
 */
export function runLive(
  deps: RuntimeDeps,
  p: Projection,
  opts: { retryInitialMs?: number; retryMaxMs?: number } = {},
): LiveRunner {
  let stopping = false;
  const types = Object.keys(p.on);
  const head = headOf(deps.store);
  const pacer = createPacer();
  const sleep = (ms: number) => pacer.sleep(ms);
  const wake = () => pacer.wake();
  let failures = 0;
  const backOff = async (e: unknown, position: number) => {
    failures++;
    const delay = Math.min(opts.retryMaxMs ?? 30_000, (opts.retryInitialMs ?? 200) * 2 ** Math.min(failures - 1, 10));
    // Waiting for the leader's first build is expected at a first start: not an error.
    const waiting = isWaitingForLeader(e);
    deps.log[waiting ? 'info' : 'error'](
      {
        projection: p.name,
        position,
        failures,
        retryInMs: delay,
        ...(waiting ? { reason: errorLine(e) } : { err: e }),
      },
      waiting ? 'waiting for the processor this projection follows' : 'projection batch failed; retrying',
    );
    await sleep(delay);
  };
  const followActive = async () => {
    while (!stopping) {
      let build: Build;
      try {
        build = await ensureServing(deps, p);
      } catch (e) {
        await backOff(e, -1);
        continue;
      }
      let replaced = false;
      while (!stopping && !replaced) {
        try {
          const batch = await readLive(deps.store, head, build, types, deps.batchSize ?? 500);
          if (!batch) {
            await settleAtHead(deps.db, deps.store, p, build);
            await waitForAppend(head, build.position, sleep);
            continue;
          }
          const outcome = await applyGuarded(deps, p, build, batch.events, batch.through, 'skip');
          failures = 0;
          await plannerStatisticsFor(deps).afterBatch(build, outcome.applied);
        } catch (e) {
          if (isLedgerError(e, 'STORE_CONFLICT')) {
            const current = await getBuild(deps.db, build.schemaName);
            if (current?.status !== 'active') {
              deps.log.info(
                { projection: p.name, schema: build.schemaName },
                'build replaced by a rebuild; following the new one',
              );
              replaced = true;
              continue;
            }
            build.position = current!.position;
            continue;
          }
          await recordFailure(deps.db, build, e).catch(() => {});
          await backOff(e, build.position);
        }
      }
    }
  };
  const followLeader = async (): Promise<void> => {
    if (deps.db.ownedByOneProcess) return followActive();
    // One leader per projection across processes: the lock lives as long as this session.
    await deps.db.withSession(async (session) => {
      while (!stopping) {
        const got = await session.query<{ ok: boolean }>(
          "select pg_try_advisory_lock(hashtext('et-ledger projection ' || $1)) as ok",
          [p.name],
        );
        if (got.rows[0]!.ok) {
          deps.log.info({ projection: p.name, pid: process.pid }, 'leading projection');
          try {
            return await followActive();
          } finally {
            await session
              .query("select pg_advisory_unlock(hashtext('et-ledger projection ' || $1))", [p.name])
              .catch(() => {});
          }
        }
        await sleep(1000);
      }
    });
  };
  const done = (async () => {
    await prepareRuntime(deps);
    // Appends in a SQL log notify `ledger_events`: wake at once instead of waiting for the next poll.
    const unlisten = await deps.db
      .listen('ledger_events', () => {
        head.invalidate();
        wake();
      })
      .catch(() => async () => {});
    try {
      await followLeader();
    } finally {
      await unlisten().catch(() => {});
    }
  })();
  return {
    done,
    async stop() {
      stopping = true;
      wake();
      await done.catch(() => {});
    },
  };
}

/**
 * The live tail's next batch: the pinned batch a crash interrupted, else the next events of the
 * projection's own types up to the head (the store filters them where it can, raw bytes and all
 * never leave it for a projection that skips them). A batch with none of them still accounts for
 * the positions read, so the checkpoint of a projection whose types are rare moves on. Null: caught up.
 */
async function readLive(
  store: EventStore,
  shared: SharedHead,
  build: Build,
  types: readonly string[],
  batchSize: number,
): Promise<{ events: StoredEvent[]; through: number } | null> {
  const pinned = await readPinned(store, build, batchSize);
  if (pinned) return { events: pinned, through: build.pendingThrough! };
  const head = await shared.read();
  if (head <= build.position) return null;
  return readBatch(store, build.position, head, types, batchSize);
}

async function waitForAppend(shared: SharedHead, after: number, sleep: (ms: number) => Promise<void>): Promise<void> {
  // Cheap head polling, one reading shared by the process's followers (sharedHead.ts); the
  // subscription machinery of the store is for consumers without a checkpoint.
  if ((await shared.read()) > after) return;
  await sleep(250);
}
