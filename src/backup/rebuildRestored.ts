// `et-ledger restore`, step 2: the read models, rebuilt from the restored log (restoreLedger.ts
// wrote it). The correlator of the backup's active generation is carried on under its own
// generation number, its standing verdicts taken from its events in the log; restoreLedger.ts's
// opening comment says why deciding them again would not give the same chain.
import type { Logger } from '../logger.ts';
import { activate, type Build, createBuild, dropBuild } from '../runtime/catalog.ts';
import { listDeadLetters } from '../runtime/deadLetters.ts';
import { catchUp, prepareRuntime, projectAllToHead, type RuntimeDeps } from '../runtime/ledgerRuntime.ts';
import type { Progress } from '../runtime/progress.ts';
import type { Projection } from '../runtime/projection.ts';
import type { AppendOutcome, EventStore, NewEvent } from '../store/eventStore.ts';
import type { Ledger } from '../store/openStore.ts';
import { knowsStanding, restoreStanding } from './correlatorState.ts';
import type { BuildLine, GenerationLine } from './format.ts';
import { insertGenerations, type LoadedBackup } from './restoreLedger.ts';

export type RebuildSummary = {
  /** The correlator's generation carried on (its events kept as they are), or why it was decided again. */
  processor: { name: string; generation: number; continued: boolean; reason: string | null } | null;
  projections: { name: string; version: number; position: number }[];
  headAfter: number;
  deadLetters: number;
};

/** Step 2: the read models, rebuilt from the restored log. */
export async function rebuildReadModels(
  ledger: Ledger,
  loaded: LoadedBackup,
  opts: { log: Logger; projections: Projection[]; progress?: (label: string, total: number) => Progress },
): Promise<RebuildSummary> {
  const deps: RuntimeDeps = {
    db: ledger.db,
    store: ledger.store,
    log: opts.log,
    projections: opts.projections,
    ...(opts.progress ? { progress: opts.progress } : {}),
  };
  await prepareRuntime(deps);
  const processor = opts.projections.find((p) => p.emits?.length) ?? null;
  let processorSummary: RebuildSummary['processor'] = null;
  if (processor) {
    const was = loaded.builds.find((b) => b.name === processor.name && b.status === 'active');
    const reason = !was
      ? `the backup has no active ${processor.name} build`
      : was.version !== processor.version
        ? `${processor.name} v${was.version} made the backup's verdicts and this code is v${processor.version}: a new generation decides them again, as after an upgrade`
        : was.generation < 1
          ? `the backup's ${processor.name} build has no generation`
          : null;
    if (was && reason === null) {
      const carried = await continueProcessor(deps, processor, was, loaded.generations);
      processorSummary = carried
        ? {
            name: processor.name,
            generation: carried.build.generation,
            continued: true,
            reason: carried.quiet ? null : 'its state is new to restore: its decisions were taken again',
          }
        : {
            name: processor.name,
            generation: was.generation,
            continued: false,
            reason: `generation ${was.generation} of ${processor.name} could not be taken again (the backup's generations have a gap)`,
          };
    } else processorSummary = { name: processor.name, generation: 0, continued: false, reason };
  }
  // The other projections' numbers mean nothing to readers, but the catalog should read as it did:
  // a build of the version that was active takes its old number (createBuild takes max + 1).
  const same = loaded.builds.filter(
    (b) =>
      b.status === 'active' &&
      b.name !== processor?.name &&
      opts.projections.some((p) => p.name === b.name && p.version === b.version),
  );
  for (const b of same)
    await ledger.db.query('delete from ledger.generations where name = $1 and generation >= $2', [
      b.name,
      b.generation,
    ]);
  const builds = await projectAllToHead(deps);
  await ledger.db.transaction(async (tx) => {
    await insertGenerations(tx, loaded.generations);
    const since = loaded.generations.filter((g) =>
      same.some((b) => b.name === g.name && b.generation === g.generation),
    );
    await tx.query(
      `update ledger.generations g set activated_position = x.a
       from unnest($1::text[], $2::int[], $3::bigint[]) as x(n, v, a) where g.name = x.n and g.generation = x.v`,
      [since.map((g) => g.name), since.map((g) => g.generation), since.map((g) => g.activatedPosition)],
    );
  });
  if (processorSummary && !processorSummary.continued)
    processorSummary.generation = builds.get(processorSummary.name)?.generation ?? 0;
  return {
    processor: processorSummary,
    projections: [...builds.values()]
      .map((b) => ({ name: b.name, version: b.version, position: b.position }))
      .sort((a, b) => (a.name < b.name ? -1 : 1)),
    headAfter: await ledger.store.headPosition(),
    deadLetters: (await listDeadLetters(ledger.db, { state: 'skipped' })).length,
  };
}

/**
 * Builds the processor again as the backup's active generation `was.generation`: its state is
 * folded from the facts up to its old checkpoint with its appends withheld (those decisions are
 * in the log already), its standing verdicts taken from its events, then it is swapped in. Returns
 * null, with nothing changed, when that number cannot be had (createBuild takes max + 1).
 */
async function continueProcessor(
  deps: RuntimeDeps,
  processor: Projection,
  was: BuildLine,
  generations: GenerationLine[],
): Promise<{ build: Build; quiet: boolean } | null> {
  const { db } = deps;
  const mine = generations.filter((g) => g.name === processor.name);
  const later = mine.filter((g) => g.generation >= was.generation);
  await db.query('delete from ledger.generations where name = $1 and generation >= $2', [
    processor.name,
    was.generation,
  ]);
  const build = await createBuild(db, processor, 'building', null);
  if (build.generation !== was.generation) {
    await dropBuild(db, build.schemaName);
    await db.transaction(async (tx) => {
      await tx.query('delete from ledger.generations where name = $1 and generation = $2', [
        processor.name,
        build.generation,
      ]);
      await insertGenerations(tx, later);
    });
    return null;
  }
  const activatedAt = mine.find((g) => g.generation === was.generation)?.activatedPosition ?? null;
  await db.transaction(async (tx) => {
    // Since when readers saw it (`export --as-of`); activate() keeps a value already set.
    await tx.query('update ledger.generations set activated_position = $3 where name = $1 and generation = $2', [
      processor.name,
      build.generation,
      activatedAt,
    ]);
    await insertGenerations(
      tx,
      later.filter((g) => g.generation !== build.generation),
    );
  });
  // A state this module does not know how to fold from the log: the decisions are taken again under
  // the same generation (the same facts in the same order decide the same ids, but not always: see
  // docs/backup.md), and whatever differs is appended.
  const quiet = await knowsStanding(db, build);
  await catchUp(quiet ? { ...deps, store: withoutAppends(deps.store) } : deps, processor, build, {
    until: was.position,
    label: `${processor.name} (its state, from the facts)`,
  });
  if (quiet) await restoreStanding(db, build);
  else
    deps.log.warn(
      { projection: processor.name, schema: build.schemaName },
      'the correlator keeps a state restore does not know; its decisions were taken again',
    );
  await db.transaction((tx) => activate(tx, processor, build));
  build.status = 'active';
  return { build, quiet };
}

/** The store with appends withheld: every event reported as already stored. */
function withoutAppends(store: EventStore): EventStore {
  const none = async (events: NewEvent[]): Promise<AppendOutcome[]> =>
    events.map((e) => ({ eventId: e.eventId, status: 'duplicate', position: 0, streamVersion: 0 }));
  return { ...store, append: (_stream, events) => none(events), appendFacts: none, appendWithin: (_tx, e) => none(e) };
}
