// Which R1 belongs to which R2 of a stopwatch map, from facts only, so a late R1, a missing R1 or a
// replay all resolve the same way in any arrival order. The rule (README "Round 2"):
//   same server and map; an R2's start is its file time minus its playtime (its file time when the
//   playtime is unknown); R2s are taken in order of start, and each takes the latest R1 not yet
//   taken whose file time lies within 20 minutes before that start. Ties break on the id. A local
//   time the autumn DST hour makes ambiguous is tried at each of its readings.
import { fileTimeToUtcCandidates } from './localTime.ts';
import type { ParsedStatsRound } from './statsTypes.ts';

export const R1_BEFORE_R2_MAX_SEC = 20 * 60;

export type RoundTiming = {
  /** The file name's local time in UTC: ascending, two in the autumn DST overlap, none if unreadable. */
  fileTimeCandidatesUnix: number[];
  /** The earliest candidate; null when the local time does not exist in the zone's calendar. */
  fileTimeUnix: number | null;
  /** When the round started: file time − playtime (file time when the playtime is unknown). */
  startUnix: number | null;
};

export function roundTiming(round: ParsedStatsRound, tz: string): RoundTiming {
  const candidates = fileTimeToUtcCandidates(round.fileLocalTime, tz);
  const fileTimeUnix = candidates[0] ?? null;
  const playtime = round.statsPlaytimeSec ?? 0;
  return {
    fileTimeCandidatesUnix: [...candidates],
    fileTimeUnix,
    startUnix: fileTimeUnix === null ? null : Math.round(fileTimeUnix - playtime),
  };
}

/**
 * A round as the pairing sees it: every UTC reading of its file name's local time (two in the autumn
 * DST hour) and, for an R2, its playtime (0 when unknown), so each reading gives a start.
 */
export type PairableRound = { id: string; round: 1 | 2; fileTimesUnix: readonly number[]; playtimeSec: number };

/** An R2's R1, and the reading of each file time that made them a pair (correlation.md "Three clocks"). */
export type RoundPair = { r1Id: string; r1FileTimeUnix: number; r2FileTimeUnix: number };

type Reading = { t: number; id: string };

const byTimeThenId = (a: Reading, b: Reading) => a.t - b.t || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);

/**
 * R2 id → its pair, for every R2 that finds one; all rounds are of one server and map. Every reading
 * of a local time is tried, never only the first offset that fits: across the autumn hour an R1 read
 * in summer time and an R2 read in winter time can be one map. An R2 takes, over all its readings, the
 * R1 reading closest before its start (the latest R1); equal gaps go to the larger id, as before.
 */
export function pairRounds(rounds: readonly PairableRound[], maxGapSec = R1_BEFORE_R2_MAX_SEC): Map<string, RoundPair> {
  const r1Readings = rounds
    .filter((r) => r.round === 1)
    .flatMap((r) => r.fileTimesUnix.map((t) => ({ t, id: r.id })))
    .sort(byTimeThenId);
  const r2s = rounds
    .filter((r) => r.round === 2 && r.fileTimesUnix.length > 0)
    .map((r) => ({ t: r.fileTimesUnix[0]! - r.playtimeSec, id: r.id, round: r }))
    .sort(byTimeThenId);
  const taken = new Set<string>();
  const pairs = new Map<string, RoundPair>();
  for (const { round: r2 } of r2s) {
    let best: (RoundPair & { gap: number }) | null = null;
    for (const fileTime of r2.fileTimesUnix) {
      const start = fileTime - r2.playtimeSec;
      const r1 = latestUntakenBefore(r1Readings, start, start - maxGapSec, taken);
      if (r1 && (best === null || start - r1.t < best.gap)) {
        best = { r1Id: r1.id, r1FileTimeUnix: r1.t, r2FileTimeUnix: fileTime, gap: start - r1.t };
      }
    }
    if (best === null) continue;
    taken.add(best.r1Id);
    pairs.set(r2.id, { r1Id: best.r1Id, r1FileTimeUnix: best.r1FileTimeUnix, r2FileTimeUnix: best.r2FileTimeUnix });
  }
  return pairs;
}

/** The last reading in [from, to] (sorted ascending) whose round is not taken. */
function latestUntakenBefore(
  readings: readonly Reading[],
  to: number,
  from: number,
  taken: Set<string>,
): Reading | null {
  let lo = 0;
  let hi = readings.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (readings[mid]!.t <= to) lo = mid + 1;
    else hi = mid;
  }
  for (let i = lo - 1; i >= 0; i--) {
    const r = readings[i]!;
    if (r.t < from) return null;
    if (!taken.has(r.id)) return r;
  }
  return null;
}

/** A span of one axis where a round's partners lie: R1 file times (round 1) or R2 starts (round 2). */
export type PairingSpan = { round: 1 | 2; fromUnix: number; toUnix: number };

/**
 * Where the rounds that could pair with `r` lie, one span per reading: an R1's partners start within
 * `maxGapSec` after one of its file times; an R2's partners were written within `maxGapSec` before one
 * of its starts. The "could pair" graph's components are what pairRounds decides independently.
 */
export function pairingSpans(r: PairableRound, maxGapSec = R1_BEFORE_R2_MAX_SEC): PairingSpan[] {
  if (r.round === 1) return r.fileTimesUnix.map((t) => ({ round: 2, fromUnix: t, toUnix: t + maxGapSec }));
  return r.fileTimesUnix.map((t) => ({ round: 1, fromUnix: t - r.playtimeSec - maxGapSec, toUnix: t - r.playtimeSec }));
}

/** True when a reading of `r` lies in the span: an R1's file time, an R2's start. */
export function inPairingSpan(r: PairableRound, span: PairingSpan): boolean {
  if (r.round !== span.round) return false;
  const shift = r.round === 2 ? r.playtimeSec : 0;
  return r.fileTimesUnix.some((t) => t - shift >= span.fromUnix && t - shift <= span.toUnix);
}
