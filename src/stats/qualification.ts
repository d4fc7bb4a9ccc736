// Who is ranked by a rate (DPM): the one rule, used by the evening's post and by /leaderboard.
// A rate over a few minutes is noise (a 6-minute guest on one map tops any list), so a player must
// have played a minimum of minutes, and, within an evening, a minimum share of its fighting time.

export const qualification = {
  /** Time in play (the verdicts' corrected time, summed) below this is never ranked by a rate. */
  minSec: 600,
  /** Within an evening: at least this share of the evening's fighting time (all its rounds). */
  minShare: 0.3,
} as const;

/** The time a player needs in an evening of `eveningSec` fighting time (or over a period: `null`). */
export function requiredSec(eveningSec: number | null): number {
  const share = eveningSec === null ? 0 : Math.ceil(eveningSec * qualification.minShare);
  return Math.max(qualification.minSec, share);
}

export const qualifies = (playerSec: number, eveningSec: number | null): boolean =>
  playerSec > 0 && playerSec >= requiredSec(eveningSec);

const minutes = (sec: number) => `${Math.round(sec / 60)} min`;

/** In words, for a post's footer or a leaderboard's description. */
export function qualificationRule(eveningSec: number | null): string {
  const base = `at least ${minutes(qualification.minSec)} played`;
  if (eveningSec === null) return base;
  return `${base} and ${Math.round(qualification.minShare * 100)} % of the evening's fighting time (${minutes(requiredSec(eveningSec))})`;
}

/** The same rule, short (a chart's note): `ranked: 14+ min in play (10 min, 30 % of the evening)`. */
export const qualificationShort = (eveningSec: number): string =>
  `ranked: ${minutes(requiredSec(eveningSec))}+ in play (${minutes(qualification.minSec)}, ${Math.round(qualification.minShare * 100)} % of the evening)`;
