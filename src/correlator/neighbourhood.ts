// What a shell must load so that the correlator sees whole matching components. Pairs only form
// inside one (server, map, round) group, between facts at most max(windowBefore, windowAfter)
// apart; components chain (S1–L1 is decided by whether L1 fits S2 better, S2 by L2, …), so the
// range grows until every loaded fact's own window lies inside it.
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

/** Every fact that could pair with `fact` lies in this range; null when the fact has no time. */
export function neighbourhoodWindow(fact: CorrelatorFact, config: MatchWindow): Neighbourhood | null {
  const times = anchorTimes(fact);
  if (times.length === 0) return null;
  const reach = Math.max(config.windowBeforeSec, config.windowAfterSec);
  const { serverId, map, round } = groupOf(fact);
  return {
    serverId,
    map: normalizeMapName(map),
    round,
    fromUnix: Math.min(...times) - reach,
    toUnix: Math.max(...times) + reach,
  };
}

/**
 * Loads around `seed` until the range is closed under neighbourhoodWindow (a fixed point), asking
 * the loader only for the parts not loaded yet. The seed is included even if not yet stored.
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
  // Nothing loaded yet: an empty range, so the first pass loads the whole wanted range.
  let loadedFrom = Number.POSITIVE_INFINITY;
  let loadedTo = Number.NEGATIVE_INFINITY;
  let wantFrom = first.fromUnix;
  let wantTo = first.toUnix;
  for (;;) {
    const parts: [number, number][] =
      loadedFrom > loadedTo
        ? [[wantFrom, wantTo]]
        : [
            [wantFrom, loadedFrom - 1],
            [loadedTo + 1, wantTo],
          ];
    for (const [fromUnix, toUnix] of parts) {
      if (fromUnix > toUnix) continue;
      const got = await load({ ...first, fromUnix, toUnix });
      for (const f of [...got.stats, ...got.lua]) if (inGroup(f)) add(f);
    }
    loadedFrom = Math.min(loadedFrom, wantFrom);
    loadedTo = Math.max(loadedTo, wantTo);
    for (const f of [...stats, ...lua]) {
      const w = neighbourhoodWindow(f, config);
      if (w === null) continue;
      wantFrom = Math.min(wantFrom, w.fromUnix);
      wantTo = Math.max(wantTo, w.toUnix);
    }
    if (wantFrom >= loadedFrom && wantTo <= loadedTo) return done({ ...first, fromUnix: loadedFrom, toUnix: loadedTo });
  }
}
