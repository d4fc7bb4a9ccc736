// Generations of derived events (DESIGN invariant 8). A processor (the correlator) stamps its
// build's generation on every event it appends; a projection that `follows` it reads only the
// events of one generation, so the log may hold the verdicts of several builds (an old rule's, a
// rebuild still catching up) while readers and sinks see exactly one. A new build of a processor
// is built together with new builds of its followers, and all of them are swapped in at once.
import { derivedEventTypes } from '../events/index.ts';
import type { StoredEvent } from '../store/eventStore.ts';
import type { SqlExecutor } from '../store/sqlDatabase.ts';
import { activeBuild, type Build } from './catalog.ts';
import type { Projection } from './projection.ts';

/** The generation a stored derived event names (verdicts written before generations: 0). */
export function generationOf(event: Pick<StoredEvent, 'data'>): number {
  const g = (event.data as { generation?: unknown } | null)?.generation;
  return typeof g === 'number' ? g : 0;
}

/** The processor `p` follows, if any. */
export function leaderOf(p: Projection, all: readonly Projection[]): Projection | null {
  if (!p.follows) return null;
  const leader = all.find((x) => x.name === p.follows);
  if (!leader) throw new Error(`projection ${p.name} follows ${p.follows}, which is not defined`);
  if (!leader.emits?.length) throw new Error(`projection ${p.name} follows ${p.follows}, which emits nothing`);
  return leader;
}

/** The projections that follow `p` (its group when it is rebuilt). */
export const followersOf = (p: Projection, all: readonly Projection[]): Projection[] =>
  all.filter((x) => x.follows === p.name);

/**
 * What a build of `p` reads of a batch: every fact it handles, and a processor's derived events
 * only when they belong to the generation the build follows.
 */
export function readableBy(p: Projection, build: Pick<Build, 'followsGeneration'>): (event: StoredEvent) => boolean {
  if (!p.follows) return () => true;
  const wanted = build.followsGeneration ?? -1;
  return (e) => !derived.has(e.type) || generationOf(e) === wanted;
}

const derived = new Set<string>(derivedEventTypes);

/** The active generation of the registry's processor (the one projection that `emits`), if built. */
export async function activeProcessorGeneration(
  db: SqlExecutor,
  projections: readonly Projection[],
): Promise<number | null> {
  const processor = projections.find((p) => p.emits?.length);
  if (!processor) return null;
  return (await activeBuild(db, processor.name))?.generation ?? null;
}
