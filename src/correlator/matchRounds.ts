// The one-to-one join of spec/correlation.md "The rule": same server, same normalised map, same
// round, Δ = fileTime − roundEnd in [−windowBefore, +windowAfter] for any of the file's time
// candidates. Pairs are taken in increasing |Δ|, a pair only when neither side is taken. A tie
// for one side at equal |Δ| takes neither: every item of the tie stays unmatched, flagged
// ambiguous. Never guess: an item whose best remaining partner is ambiguous would pair
// differently once the tie is resolved, so it becomes ambiguous too. Inputs are collapsed by
// factId and sorted by id, so the result does not depend on their order.
import { normalizeMapName } from '../parser/names.ts';
import { collapseLua, collapseStats } from './collapseDuplicates.ts';
import type { CorrelatorConfig, LuaCandidate, StatsCandidate } from './types.ts';

export type RoundMatch = { stats: StatsCandidate; lua: LuaCandidate; fileTimeUnix: number; deltaSec: number };

export type MatchResult = {
  /** Sorted by the stats factId. */
  pairs: RoundMatch[];
  /** Sorted by factId; `ambiguous` when a tie kept the item out. */
  unmatchedStats: { stats: StatsCandidate; ambiguous: boolean }[];
  unmatchedLua: { lua: LuaCandidate; ambiguous: boolean }[];
};

export type MatchWindow = Pick<CorrelatorConfig, 'windowBeforeSec' | 'windowAfterSec'>;

/** Candidates can only pair inside one group: same server, normalised map and round. */
export const roundGroupKey = (serverId: string, map: string, round: number): string =>
  `${serverId}\u0000${normalizeMapName(map)}\u0000${round}`;

type Pair = { si: number; li: number; fileTimeUnix: number; deltaSec: number; abs: number };

const FREE = 0;
const TAKEN = 1;
const BLOCKED = 2;

function lowerBound(ends: readonly number[], value: number): number {
  let lo = 0;
  let hi = ends.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (ends[mid]! < value) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

function candidatePairs(stats: readonly StatsCandidate[], lua: readonly LuaCandidate[], window: MatchWindow): Pair[] {
  const groups = new Map<string, { li: number[]; ends: number[] }>();
  const order = lua
    .map((_, li) => li)
    .sort((a, b) => lua[a]!.report.roundEndUnix - lua[b]!.report.roundEndUnix || a - b);
  for (const li of order) {
    const { serverId, map, round, roundEndUnix } = lua[li]!.report;
    const key = roundGroupKey(serverId, map, round);
    const group = groups.get(key) ?? { li: [], ends: [] };
    group.li.push(li);
    group.ends.push(roundEndUnix);
    groups.set(key, group);
  }
  // One pair per (stats, report): the time candidate with the smallest |Δ| (then the later file time).
  const best = new Map<string, Pair>();
  stats.forEach((s, si) => {
    const group = groups.get(roundGroupKey(s.serverId, s.map, s.round));
    if (group === undefined) return;
    for (const t of s.fileTimeCandidatesUnix) {
      for (let k = lowerBound(group.ends, t - window.windowAfterSec); k < group.ends.length; k++) {
        const end = group.ends[k]!;
        if (end > t + window.windowBeforeSec) break;
        const li = group.li[k]!;
        const deltaSec = t - end;
        const pair = { si, li, fileTimeUnix: t, deltaSec, abs: Math.abs(deltaSec) };
        const id = `${si}:${li}`;
        const seen = best.get(id);
        if (seen === undefined || pair.abs < seen.abs || (pair.abs === seen.abs && pair.deltaSec > seen.deltaSec)) {
          best.set(id, pair);
        }
      }
    }
  });
  return [...best.values()].sort((a, b) => a.abs - b.abs || a.si - b.si || a.li - b.li);
}

export function matchRounds(
  stats: readonly StatsCandidate[],
  lua: readonly LuaCandidate[],
  config: MatchWindow,
): MatchResult {
  const s = collapseStats(stats);
  const l = collapseLua(lua);
  const pairs = candidatePairs(s, l, config);
  const stateS = new Uint8Array(s.length);
  const stateL = new Uint8Array(l.length);
  const taken: Pair[] = [];
  for (let start = 0; start < pairs.length; ) {
    let end = start;
    while (end < pairs.length && pairs[end]!.abs === pairs[start]!.abs) end++;
    // Pairs still possible at this |Δ|: no side taken (a side already ambiguous still contends).
    const open = pairs.slice(start, end).filter((p) => stateS[p.si] !== TAKEN && stateL[p.li] !== TAKEN);
    const usesS = new Map<number, number>();
    const usesL = new Map<number, number>();
    for (const p of open) {
      usesS.set(p.si, (usesS.get(p.si) ?? 0) + 1);
      usesL.set(p.li, (usesL.get(p.li) ?? 0) + 1);
    }
    for (const p of open) {
      const clean = stateS[p.si] === FREE && stateL[p.li] === FREE && usesS.get(p.si) === 1 && usesL.get(p.li) === 1;
      stateS[p.si] = clean ? TAKEN : BLOCKED;
      stateL[p.li] = clean ? TAKEN : BLOCKED;
      if (clean) taken.push(p);
    }
    start = end;
  }
  return {
    pairs: taken
      .sort((a, b) => a.si - b.si)
      .map((p) => ({ stats: s[p.si]!, lua: l[p.li]!, fileTimeUnix: p.fileTimeUnix, deltaSec: p.deltaSec })),
    unmatchedStats: s.flatMap((stats, si) =>
      stateS[si] === TAKEN ? [] : [{ stats, ambiguous: stateS[si] === BLOCKED }],
    ),
    unmatchedLua: l.flatMap((lua, li) => (stateL[li] === TAKEN ? [] : [{ lua, ambiguous: stateL[li] === BLOCKED }])),
  };
}
