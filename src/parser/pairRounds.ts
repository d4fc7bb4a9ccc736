// Which R1 belongs to which R2 of a stopwatch map, from facts only, so a late R1, a missing R1 or a
// replay all resolve the same way in any arrival order. The rule (README "Round 2"):
//   same server and map; an R2's start is its file time minus its playtime (its file time when the
//   playtime is unknown); R2s are taken in order of start, and each takes the latest R1 not yet
//   taken whose file time lies within 20 minutes before that start. Ties break on the id.
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

export type PairableRound = { id: string; round: 1 | 2; fileTimeUnix: number; startUnix: number };

/** R2 id → R1 id for every R2 that finds one; all rounds are of one server and map. */
export function pairRounds(rounds: readonly PairableRound[], maxGapSec = R1_BEFORE_R2_MAX_SEC): Map<string, string> {
  const byTimeThenId = (a: { t: number; id: string }, b: { t: number; id: string }) =>
    a.t - b.t || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
  const r1s = rounds
    .filter((r) => r.round === 1)
    .map((r) => ({ t: r.fileTimeUnix, id: r.id }))
    .sort(byTimeThenId);
  const r2s = rounds
    .filter((r) => r.round === 2)
    .map((r) => ({ t: r.startUnix, id: r.id }))
    .sort(byTimeThenId);
  const taken = new Set<string>();
  const pairs = new Map<string, string>();
  for (const r2 of r2s) {
    for (let i = r1s.length - 1; i >= 0; i--) {
      const r1 = r1s[i]!;
      if (r1.t > r2.t || taken.has(r1.id)) continue;
      if (r1.t < r2.t - maxGapSec) break;
      taken.add(r1.id);
      pairs.set(r2.id, r1.id);
      break;
    }
  }
  return pairs;
}
