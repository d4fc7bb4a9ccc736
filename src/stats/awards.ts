// The evening's awards, defined once in one table: what each counts (from read.player_stats rows,
// summed over the evening), the minimum that makes it an award, and how its value reads.

/** What the awards read of one player over an evening (sums of read.player_stats rows). */
export type AwardTotals = {
  revives: number;
  /** objectives stolen + returned, dynamites planted + defused */
  objectiveActions: number;
  gibs: number;
  shots: number;
  hits: number;
};

export type Award = {
  key: string;
  title: string;
  /** The player's value, or null when he does not compete (below a minimum). */
  value: (t: AwardTotals) => number | null;
  /** The award is given only when the best value reaches this. */
  atLeast: number;
  format: (v: number) => string;
  /** The condition to compete, in words (shown beside the award), or null. */
  rule: string | null;
};

/** A value at or above this many shots counts for accuracy. */
export const accuracyMinShots = 500;

export const awards: readonly Award[] = [
  {
    key: 'revives',
    title: 'Most revives',
    value: (t) => t.revives,
    atLeast: 1,
    format: (v) => String(v),
    rule: null,
  },
  {
    key: 'objectives',
    title: 'Most objective actions',
    value: (t) => t.objectiveActions,
    atLeast: 1,
    format: (v) => String(v),
    rule: 'stolen, returned, dynamite planted or defused',
  },
  {
    key: 'accuracy',
    title: 'Best accuracy',
    value: (t) => (t.shots >= accuracyMinShots ? (t.hits * 100) / t.shots : null),
    atLeast: 0.1,
    format: (v) => `${v.toFixed(1)} %`,
    rule: `at least ${accuracyMinShots} shots`,
  },
  {
    key: 'gibs',
    title: 'Most gibs',
    value: (t) => t.gibs,
    atLeast: 1,
    format: (v) => String(v),
    rule: null,
  },
];

export type AwardWinner = { award: Award; value: number; names: string[] };

/** Each award's best value and everyone who reached it (ties share it; at most three names). */
export function decideAwards(players: readonly { name: string; totals: AwardTotals }[]): AwardWinner[] {
  return awards.flatMap((award) => {
    const scored = players
      .map((p) => ({ name: p.name, value: award.value(p.totals) }))
      .filter((p): p is { name: string; value: number } => p.value !== null && Number.isFinite(p.value));
    if (scored.length === 0) return [];
    const best = scored.reduce((m, p) => Math.max(m, p.value), Number.NEGATIVE_INFINITY);
    if (best < award.atLeast) return [];
    // Compare as shown: two accuracies that print alike are a tie.
    const names = scored
      .filter((p) => award.format(p.value) === award.format(best))
      .map((p) => p.name)
      .sort((a, b) => a.localeCompare(b))
      .slice(0, 3);
    return [{ award, value: best, names }];
  });
}
