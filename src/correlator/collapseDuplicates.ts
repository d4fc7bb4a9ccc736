// A fact delivered twice is one fact (same event id); a round report delivered by our script and
// by the legacy webhook is two facts of one report (luaDeliveries.ts). Where deliveries differ, the
// pick must not depend on arrival order, and pause records are merged by start time.
import { canonicalJson, compareStrings, sameCanonical } from './canonicalJson.ts';
import { deliveryRank, reportIdOf } from './luaDeliveries.ts';
import type { LuaCandidate, PauseRecord, StatsCandidate } from './types.ts';

function smaller<T>(a: T, b: T): T {
  // Usually the same fact twice (this batch's copy and the stored one): equal content, either will do.
  if (sameCanonical(a, b)) return a;
  return canonicalJson(a) <= canonicalJson(b) ? a : b;
}

function collapseById<T extends { factId: string }>(items: readonly T[], merge: (a: T, b: T) => T): T[] {
  const byId = new Map<string, T>();
  for (const item of items) {
    const seen = byId.get(item.factId);
    byId.set(item.factId, seen === undefined ? item : merge(seen, item));
  }
  return [...byId.values()].sort((a, b) => compareStrings(a.factId, b.factId));
}

function mergePauseRecords(a: readonly PauseRecord[], b: readonly PauseRecord[]): PauseRecord[] {
  const byStart = new Map<number, PauseRecord>();
  for (const p of [...a, ...b]) {
    const seen = byStart.get(p.startUnix);
    byStart.set(p.startUnix, seen === undefined ? p : smaller(seen, p));
  }
  return [...byStart.values()].sort((x, y) => x.startUnix - y.startUnix);
}

/** One entry per factId, sorted by factId. */
export const collapseStats = (stats: readonly StatsCandidate[]): StatsCandidate[] => collapseById(stats, smaller);

/**
 * One entry per report id (lua-report.md), sorted by factId: of the deliveries of one report, the
 * one every reader takes (luaDeliveries.ts), whatever order they came in; the pause records of all
 * of them merged.
 */
export function collapseLua(lua: readonly LuaCandidate[]): LuaCandidate[] {
  // Ranked only when a report comes twice: hashing every report's content cost a hood each time.
  const byReport = new Map<string, { kept: LuaCandidate; rank?: string }>();
  for (const c of lua) {
    const key = reportIdOf(c.report);
    const seen = byReport.get(key);
    if (seen === undefined) {
      byReport.set(key, { kept: c });
      continue;
    }
    if (seen.kept === c) continue;
    const seenRank = seen.rank ?? deliveryRank(seen.kept.report);
    const rank = deliveryRank(c.report);
    const wins = rank < seenRank || (rank === seenRank && compareStrings(c.factId, seen.kept.factId) < 0);
    const pauseRecords = mergePauseRecords(seen.kept.pauseRecords, c.pauseRecords);
    byReport.set(key, { kept: { ...(wins ? c : seen.kept), pauseRecords }, rank: wins ? rank : seenRank });
  }
  return [...byReport.values()].map((e) => e.kept).sort((a, b) => compareStrings(a.factId, b.factId));
}
