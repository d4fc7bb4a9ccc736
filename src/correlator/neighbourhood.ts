// What a shell must load so that the correlator sees whole matching components. Pairs only form
// inside one (server, map, round) group, between facts at most max(windowBefore, windowAfter)
// apart; components chain (S1–L1 is decided by whether L1 fits S2 better, S2 by L2, …), so the
// loaded ranges grow until every loaded fact's own windows lie inside them.
import { luaReportId } from '../events/index.ts';
import { normalizeMapName } from '../parser/names.ts';
import { collapseLua, collapseStats } from './collapseDuplicates.ts';
import { type MatchWindow, roundGroupKey } from './matchRounds.ts';
import { type CorrelatorFact, isLuaCandidate, type LuaCandidate, type StatsCandidate } from './types.ts';

/** Inclusive range of event times: stats by any file-time candidate, reports by round end. */
export type Neighbourhood = { serverId: string; map: string; round: 1 | 2; fromUnix: number; toUnix: number };

/** Returns every candidate of the group with an event time in [fromUnix, toUnix] (map compared normalised). */
export type CandidateLoader = (
  range: Neighbourhood,
) => Promise<{ stats: StatsCandidate[]; lua: LuaCandidate[] }> | { stats: StatsCandidate[]; lua: LuaCandidate[] };

export type LoadedNeighbourhood = { window: Neighbourhood | null; stats: StatsCandidate[]; lua: LuaCandidate[] };

const anchorTimes = (fact: CorrelatorFact): number[] =>
  isLuaCandidate(fact) ? [fact.report.roundEndUnix] : fact.fileTimeCandidatesUnix;

const groupOf = (fact: CorrelatorFact) =>
  isLuaCandidate(fact)
    ? { serverId: fact.report.serverId, map: fact.report.map, round: fact.report.round }
    : { serverId: fact.serverId, map: fact.map, round: fact.round };

/** The round key a fact's verdict would carry when it stands alone. */
export const ownRoundKey = (fact: CorrelatorFact): string =>
  isLuaCandidate(fact)
    ? `lua:${luaReportId(fact.report.serverId, fact.report.map, fact.report.round, fact.report.roundEndUnix)}`
    : fact.factId;

/** The windows around each of a fact's event times where its partners lie. */
function readingWindows(fact: CorrelatorFact, config: MatchWindow): [number, number][] {
  const reach = Math.max(config.windowBeforeSec, config.windowAfterSec);
  return anchorTimes(fact).map((t) => [t - reach, t + reach]);
}

/** Every fact that could pair with `fact` lies in this range; null when the fact has no time. */
export function neighbourhoodWindow(fact: CorrelatorFact, config: MatchWindow): Neighbourhood | null {
  const windows = readingWindows(fact, config);
  if (windows.length === 0) return null;
  const { serverId, map, round } = groupOf(fact);
  // A loop, not Math.min(...times): a spread of a long array overflows the stack.
  let fromUnix = Number.POSITIVE_INFINITY;
  let toUnix = Number.NEGATIVE_INFINITY;
  for (const [from, to] of windows) {
    if (from < fromUnix) fromUnix = from;
    if (to > toUnix) toUnix = to;
  }
  return { serverId, map: normalizeMapName(map), round, fromUnix, toUnix };
}

/** The parts of [from, to] that `loaded` (sorted, disjoint, inclusive) does not cover. */
function uncovered(loaded: readonly [number, number][], from: number, to: number): [number, number][] {
  const parts: [number, number][] = [];
  let at = from;
  for (const [a, b] of loaded) {
    if (b < at) continue;
    if (a > to) break;
    if (a > at) parts.push([at, a - 1]);
    at = Math.max(at, b + 1);
    if (at > to) break;
  }
  if (at <= to) parts.push([at, to]);
  return parts;
}

/** Adds [from, to] to the sorted, disjoint ranges, merging what touches it. */
function cover(loaded: [number, number][], from: number, to: number): void {
  let lo = from;
  let hi = to;
  const kept: [number, number][] = [];
  for (const [a, b] of loaded) {
    if (b < lo - 1 || a > hi + 1) kept.push([a, b]);
    else {
      lo = Math.min(lo, a);
      hi = Math.max(hi, b);
    }
  }
  kept.push([lo, hi]);
  kept.sort((x, y) => x[0] - y[0]);
  loaded.splice(0, loaded.length, ...kept);
}

/**
 * Loads around `seed` along possible pairings: the windows around every event time of every fact
 * loaded (one per reading of an ambiguous file time, never the hour between them), asking the
 * loader only for the parts not loaded yet, until every loaded fact's windows are. The seed is
 * included even if not yet stored.
 */
export async function expandUntilStable(
  seed: CorrelatorFact,
  load: CandidateLoader,
  config: MatchWindow,
): Promise<LoadedNeighbourhood> {
  // Kept as delivered: two deliveries of one id are collapsed exactly as matchRounds does.
  const stats: StatsCandidate[] = [];
  const lua: LuaCandidate[] = [];
  const add = (f: CorrelatorFact) => (isLuaCandidate(f) ? lua.push(f) : stats.push(f));
  const done = (window: Neighbourhood | null) => ({ window, stats: collapseStats(stats), lua: collapseLua(lua) });
  add(seed);
  const first = neighbourhoodWindow(seed, config);
  if (first === null) return done(null);
  const group = roundGroupKey(first.serverId, first.map, first.round);
  const inGroup = (f: CorrelatorFact) => {
    const g = groupOf(f);
    return roundGroupKey(g.serverId, g.map, g.round) === group;
  };
  const loaded: [number, number][] = [];
  const pending: CorrelatorFact[] = [seed];
  while (pending.length > 0) {
    const fact = pending.pop()!;
    for (const [from, to] of readingWindows(fact, config)) {
      for (const [fromUnix, toUnix] of uncovered(loaded, from, to)) {
        const got = await load({ ...first, fromUnix, toUnix });
        cover(loaded, fromUnix, toUnix);
        for (const f of [...got.stats, ...got.lua])
          if (inGroup(f)) {
            add(f);
            pending.push(f);
          }
      }
    }
  }
  return done({ ...first, fromUnix: loaded[0]![0], toUnix: loaded[loaded.length - 1]![1] });
}
