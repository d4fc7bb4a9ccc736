// Which build serves each projection, and how a new one replaces it. A processor (the correlator)
// and the projections that follow it are one group (src/runtime/generations.ts): a new build of
// the processor is built with new builds of its followers, reading its new generation's events,
// and all of them are swapped in in one transaction (DESIGN invariants 4 and 8).
import { isLedgerError, LedgerError } from '../errors.ts';
import { activate, activeBuild, type Build, createBuild, dropBuild, resumableBuild } from './catalog.ts';
import { forgetDeadLetters } from './deadLetters.ts';
import { diffBuilds, type TableDiff } from './diffBuilds.ts';
import { followersOf, leaderOf } from './generations.ts';
import { catchUp, prepareRuntime, type RuntimeDeps } from './ledgerRuntime.ts';
import type { Projection } from './projection.ts';

/** A follower's first start before its processor has a build: expected, retried, not an error. */
class WaitingForLeader extends LedgerError {
  constructor(p: Projection, leader: Projection) {
    super('PROJECTION_FAILED', `${p.name} waits for ${leader.name} to be built`, { retriable: true });
  }
}
export const isWaitingForLeader = (e: unknown): boolean => e instanceof WaitingForLeader;

/** Is the build the one the code defines: same version and, for a follower, the leader's active generation? */
async function isCurrent(deps: RuntimeDeps, p: Projection, build: Build | null): Promise<boolean> {
  if (!build || build.version !== p.version) return false;
  const leader = leaderOf(p, deps.projections);
  if (!leader) return true;
  const leaderBuild = await activeBuild(deps.db, leader.name);
  return leaderBuild !== null && leaderBuild.generation === build.followsGeneration;
}

/** The build readers see for `p`, built (or rebuilt, when the code's version differs) first if needed. */
export async function ensureServing(deps: RuntimeDeps, p: Projection): Promise<Build> {
  const active = await activeBuild(deps.db, p.name);
  if (await isCurrent(deps, p, active)) return active!;
  const leader = leaderOf(p, deps.projections);
  if (leader) {
    const leaderBuild = await activeBuild(deps.db, leader.name);
    if (!leaderBuild || leaderBuild.version !== leader.version) {
      // The leader's own runner builds this follower with its next generation.
      if (active) return active;
      throw new WaitingForLeader(p, leader);
    }
  }
  if (active && stalled.has(stallKey(p))) return active;
  try {
    const { build } = await buildAndSwap(deps, p, { report: false });
    return build;
  } catch (e) {
    // A rebuild started by itself (new code met the log) that stops on a poison event leaves the
    // previous build serving, and everything else running; `et-ledger rebuild` names the event.
    if (!active || !isLedgerError(e, 'PROJECTION_FAILED') || e.retriable) throw e;
    stalled.add(stallKey(p));
    deps.log.error(
      { projection: p.name, version: p.version, serving: active.version, err: e.message },
      'the new version stopped on a poison event; the previous version keeps serving',
    );
    return active;
  }
}

/** Rebuilds that stopped on a poison event in this process: not retried until it restarts. */
const stalled = new Set<string>();
const stallKey = (p: Projection) => `${p.name}@${p.version}`;

export type RebuildResult = {
  build: Build;
  previous: Build | null;
  diff: TableDiff[] | null;
  applied: number;
  /** The followers built and swapped in with this build (a processor's group). */
  followers: RebuildResult[];
};

type Member = { p: Projection; build: Build; previous: Build | null; applied: number };

/**
 * Builds `p` as the code defines it into a fresh schema from position 0 (resuming an interrupted
 * build of the same version), with its followers when it is a processor, while the active builds
 * keep serving; then swaps all of them in atomically. `dryRun` builds and reports, then drops the
 * new builds; `beforeSwap` sees the finished builds (the rebuild report reads them).
 */
export async function buildAndSwap(
  deps: RuntimeDeps,
  p: Projection,
  opts: {
    report: boolean;
    fresh?: boolean;
    dryRun?: boolean;
    beforeSwap?: (members: { p: Projection; build: Build; previous: Build | null }[]) => Promise<void>;
  },
): Promise<RebuildResult> {
  await prepareRuntime(deps);
  const leader = leaderOf(p, deps.projections);
  const follows = leader ? ((await activeBuild(deps.db, leader.name))?.generation ?? null) : null;
  const head = await startMember(deps, p, opts.fresh ? null : await resumableBuild(deps.db, p, follows), follows);
  const members: Member[] = [head];
  for (const f of followersOf(p, deps.projections)) {
    const resumed = opts.fresh ? null : await resumableBuild(deps.db, f, head.build.generation);
    members.push(await startMember(deps, f, resumed, head.build.generation));
  }
  // A build that replaces a serving one stops on a poison event (the old keeps serving); a first build skips it.
  const poison = head.previous ? 'fail' : 'skip';
  try {
    // The processor appends what its followers read: repeat until the log's head stands still.
    for (let pass = 0; pass < 20; pass++) {
      const before = await deps.store.headPosition();
      // Side by side: followers fold what the processor has appended so far; the next pass the rest.
      await allSettled(
        members.map(async (m) => {
          m.applied += await catchUp(deps, m.p, m.build, { poison });
        }),
      );
      if ((await deps.store.headPosition()) === before) break;
    }
  } catch (e) {
    if (opts.dryRun) for (const m of members) await dropBuild(deps.db, m.build.schemaName).catch(() => {});
    throw e;
  }
  await opts.beforeSwap?.(members);
  const diffs = await deps.db.transaction(async (tx) => {
    const out: (TableDiff[] | null)[] = [];
    for (const m of members) {
      out.push(opts.report ? await diffBuilds(tx, m.p, m.previous?.schemaName ?? null, m.build.schemaName) : null);
      if (!opts.dryRun) await activate(tx, m.p, m.build);
    }
    return out;
  });
  if (opts.dryRun) {
    for (const m of members) await dropBuild(deps.db, m.build.schemaName);
  } else {
    for (const m of members) {
      m.build.status = 'active';
      if (m.previous) await forgetDeadLetters(deps.db, m.previous.schemaName);
    }
    for (const m of members) m.applied += await catchUp(deps, m.p, m.build);
  }
  for (const m of members)
    deps.log.info(
      { projection: m.p.name, schema: m.build.schemaName, position: m.build.position, dryRun: !!opts.dryRun },
      opts.dryRun ? 'built (dry run; dropped)' : 'active',
    );
  const results = members.map(
    (m, i): RebuildResult => ({
      build: m.build,
      previous: m.previous,
      diff: diffs[i]!,
      applied: m.applied,
      followers: [],
    }),
  );
  return { ...results[0]!, followers: results.slice(1) };
}

async function startMember(
  deps: RuntimeDeps,
  p: Projection,
  resumed: Build | null,
  follows: number | null,
): Promise<Member> {
  const previous = await activeBuild(deps.db, p.name);
  if (resumed) {
    deps.log.info(
      { projection: p.name, schema: resumed.schemaName, position: resumed.position },
      'resuming an interrupted build',
    );
    return { p, build: resumed, previous, applied: 0 };
  }
  const build = await createBuild(deps.db, p, 'building', follows);
  deps.log.info(
    { projection: p.name, version: p.version, schema: build.schemaName, replacing: previous?.schemaName ?? null },
    'building',
  );
  return { p, build, previous, applied: 0 };
}

/**
 * Runs every projection to the head of the log. Processors append events (verdicts) that other
 * projections read, so passes repeat until a pass leaves the head where it was.
 */
export async function projectAllToHead(deps: RuntimeDeps): Promise<Map<string, Build>> {
  await prepareRuntime(deps);
  const builds = new Map<string, Build>();
  // Side by side, followers after: a processor's new build brings new builds of its followers.
  const followers = deps.projections.filter((p) => p.follows);
  await allSettled(
    deps.projections.filter((p) => !p.follows).map(async (p) => builds.set(p.name, await ensureServing(deps, p))),
  );
  for (const p of followers) builds.set(p.name, await ensureServing(deps, p));
  for (let pass = 0; pass < 10; pass++) {
    const headBefore = await deps.store.headPosition();
    // Side by side, each on its own connection: one projection's SQL runs while another folds.
    await allSettled(
      deps.projections.map(async (p) => {
        let build = builds.get(p.name)!;
        if (build.status !== 'active' || !(await isCurrent(deps, p, build))) {
          build = await ensureServing(deps, p);
          builds.set(p.name, build);
        }
        await catchUp(deps, p, build);
      }),
    );
    if ((await deps.store.headPosition()) === headBefore) return builds;
  }
  throw new LedgerError(
    'PROJECTION_FAILED',
    'projections did not settle after 10 passes: a processor keeps appending events',
  );
}

/**
 * Waits for every task, then throws the first failure. Promise.all would reject at the first one and
 * leave the others running: a build still catching up after its caller gave up races the next
 * attempt on the same build (its checkpoint moves under it).
 */
async function allSettled(tasks: Promise<unknown>[]): Promise<void> {
  const results = await Promise.allSettled(tasks);
  const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (failed) throw failed.reason;
}
