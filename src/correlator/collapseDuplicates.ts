// A fact delivered twice is one fact (same event id). When two deliveries of one id differ
// (a report's legacy and own shape), the pick must not depend on arrival order: keep the
// smallest canonical form, and merge pause records by start time.
import { canonicalJson, compareStrings, sameCanonical } from './canonicalJson.ts';
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

/** One entry per factId, sorted by factId; pause records of all deliveries merged. */
export const collapseLua = (lua: readonly LuaCandidate[]): LuaCandidate[] =>
  collapseById(lua, (a, b) =>
    a === b
      ? a
      : {
          factId: a.factId,
          report: smaller(a.report, b.report),
          pauseRecords: mergePauseRecords(a.pauseRecords, b.pauseRecords),
        },
  );
