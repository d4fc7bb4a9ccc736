// When to decide (spec/correlation.md): a joined pair at once; an unmatched stats round once the
// server's watermark (event time) passes its latest file-time candidate + grace; an unmatched
// report once it passes its round end + grace. Otherwise the item is undecided: no verdict.
import type { Verdict } from '../events/index.ts';
import { joinedVerdict, luaOnlyVerdict, statsOnlyVerdict } from './buildVerdict.ts';
import { compareStrings } from './canonicalJson.ts';
import { matchRounds } from './matchRounds.ts';
import {
  type CorrelatorConfig,
  type CorrelatorFact,
  isLuaCandidate,
  type LuaCandidate,
  type StatsCandidate,
} from './types.ts';

/**
 * A fact's event time for the watermark: a report's round end; a stats file's earliest time
 * candidate (in the DST overlap the later one may not have happened yet).
 */
export function factEventTimeUnix(fact: CorrelatorFact): number | null {
  if (isLuaCandidate(fact)) return fact.report.roundEndUnix;
  const times = fact.fileTimeCandidatesUnix;
  return times.length === 0 ? null : times.reduce((m, t) => Math.min(m, t));
}

/**
 * The watermark beyond which an unmatched fact is decided (NO_LUA_DATA, LUA_ONLY): its latest
 * event time + grace. A stats round without any time can never pair: decided at once.
 */
export function decisionDeadlineUnix(fact: CorrelatorFact, config: Pick<CorrelatorConfig, 'graceSec'>): number {
  if (isLuaCandidate(fact)) return fact.report.roundEndUnix + config.graceSec;
  const times = fact.fileTimeCandidatesUnix;
  return times.length === 0 ? Number.NEGATIVE_INFINITY : times.reduce((m, t) => Math.max(m, t)) + config.graceSec;
}

/** The watermark never lags the facts it decides on: max(given, their own event times). */
function effectiveWatermarks(
  stats: readonly StatsCandidate[],
  lua: readonly LuaCandidate[],
  given: ReadonlyMap<string, number>,
): Map<string, number> {
  const out = new Map(given);
  const raise = (serverId: string, t: number | null) => {
    if (t === null) return;
    const w = out.get(serverId);
    if (w === undefined || t > w) out.set(serverId, t);
  };
  for (const s of stats) raise(s.serverId, factEventTimeUnix(s));
  for (const l of lua) raise(l.report.serverId, l.report.roundEndUnix);
  return out;
}

export function decideVerdicts(
  stats: readonly StatsCandidate[],
  lua: readonly LuaCandidate[],
  watermarks: ReadonlyMap<string, number>,
  config: CorrelatorConfig,
): Verdict[] {
  const matched = matchRounds(stats, lua, config);
  const wm = effectiveWatermarks(stats, lua, watermarks);
  const out: Verdict[] = [];
  for (const pair of matched.pairs) {
    const watermarkUnix = wm.get(pair.stats.serverId)!;
    out.push(joinedVerdict(pair, { watermarkUnix, ambiguous: false, config }));
  }
  for (const { stats: s, ambiguous } of matched.unmatchedStats) {
    const watermarkUnix = wm.get(s.serverId);
    if (watermarkUnix !== undefined && watermarkUnix > decisionDeadlineUnix(s, config)) {
      out.push(statsOnlyVerdict(s, { watermarkUnix, ambiguous, config }));
    }
  }
  for (const { lua: l, ambiguous } of matched.unmatchedLua) {
    const watermarkUnix = wm.get(l.report.serverId)!;
    if (watermarkUnix > decisionDeadlineUnix(l, config)) {
      out.push(luaOnlyVerdict(l, { watermarkUnix, ambiguous, config }));
    }
  }
  return out.sort((a, b) => compareStrings(a.roundKey, b.roundKey));
}

/** The facts a tie keeps unmatched (`ambiguous`): a retraction of their verdict says why. */
export function ambiguousFactIds(
  stats: readonly StatsCandidate[],
  lua: readonly LuaCandidate[],
  config: CorrelatorConfig,
): Set<string> {
  const matched = matchRounds(stats, lua, config);
  return new Set([
    ...matched.unmatchedStats.filter((s) => s.ambiguous).map((s) => s.stats.factId),
    ...matched.unmatchedLua.filter((l) => l.ambiguous).map((l) => l.lua.factId),
  ]);
}
