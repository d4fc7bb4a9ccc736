// A stopwatch map from its two halves (pure): the time R1 set, whether R2's attackers beat it, and
// the map's winner by the competitive scene's rule (Oksii's legacy-configs `scores.lua`): the R2
// result decides the map, +2 to its winner; both halves held to the limit is a draw, +1 each.
// Lineups, not sides: lineup A attacks in R1 and defends in R2, lineup B the other way round.

/** One half as the maps projection keeps it: the stats header, its lineups, and the verdict's timing. */
export type MapHalf = {
  /** The defending side, 1 Axis, 2 Allies (header f5); the winner of this half, 0 when none (f6). */
  defender: number;
  winner: number;
  timeLimitSec: number;
  /** Fighting time from the verdict (Lua when known), else the stats playtime; null when unknown. */
  fightingTimeSec: number | null;
  /** The verdict says a team surrendered, or null without a verdict. */
  surrender: boolean;
  /** shutdown-written, winner 0, or a verdict flagged suspectedAbort */
  aborted: boolean;
  /** players on Axis or Allies at the last snapshot; their lineups are kept beside (map_halves) */
  playerCount: number;
};

export type LineupPlayer = { id: string; name: string };

export type MapResult = 'beaten' | 'held' | 'draw' | 'unknown';

export type MapFlag =
  | 'r1Missing'
  | 'r2Missing'
  | 'r1Aborted'
  | 'r2Aborted'
  | 'r1Surrender'
  | 'r2Surrender'
  | 'r1NoPlayers'
  | 'r2NoPlayers'
  | 'timeUnknown';

export type StopwatchMap = {
  /** The R1 fighting time when its attackers completed, the R1 limit on a hold (R2's f7 without an R1). */
  timeSetSec: number | null;
  r2TimeSec: number | null;
  /** From the R2 attackers' view. */
  result: MapResult;
  /** The lineup that won the map (A attacked first), null on a draw or unknown. */
  winner: 'A' | 'B' | null;
  pointsA: number;
  pointsB: number;
  /**
   * Where the lineups come from: lineup A is R1's attackers (`r1`), or without a usable R1 the R2's
   * defenders, who attacked first (`r2`); null without either.
   */
  lineupsFrom: 'r1' | 'r2' | null;
  flags: MapFlag[];
};

const completed = (h: MapHalf) => h.winner !== 0 && h.winner !== h.defender;

/** Never guesses: an aborted half, a half with no players or a held R2 without its R1 is `unknown`. */
export function decideMap(r1: MapHalf | null, r2: MapHalf | null): StopwatchMap {
  const flags: MapFlag[] = [];
  if (!r1) flags.push('r1Missing');
  if (!r2) flags.push('r2Missing');
  if (r1?.aborted) flags.push('r1Aborted');
  if (r2?.aborted) flags.push('r2Aborted');
  if (r1?.surrender) flags.push('r1Surrender');
  if (r2?.surrender) flags.push('r2Surrender');
  const r1Empty = r1 !== null && r1.playerCount === 0;
  const r2Empty = r2 !== null && r2.playerCount === 0;
  if (r1Empty) flags.push('r1NoPlayers');
  if (r2Empty) flags.push('r2NoPlayers');

  const r1Held = r1 !== null && !r1.aborted && r1.winner !== 0 && !completed(r1);
  const timeSetSec =
    r1 === null ? (r2?.timeLimitSec ?? null) : r1.aborted ? null : r1Held ? r1.timeLimitSec : r1.fightingTimeSec;
  const r2TimeSec = r2?.fightingTimeSec ?? null;
  const lineupsFrom = r1 && !r1Empty ? 'r1' : r2 ? 'r2' : null;

  let result: MapResult = 'unknown';
  const r2Decided = r2 !== null && !r2.aborted && !r2Empty && r2.winner !== 0;
  const r1Usable = r1 !== null && !r1.aborted && !r1Empty && r1.winner !== 0;
  if (r2Decided && completed(r2)) {
    // The R2 attackers beat the time: they win whatever R1 was (without an R1 too: not a guess).
    result = r1 === null || r1Usable ? 'beaten' : 'unknown';
  } else if (r2Decided && r1Usable) {
    result = r1Held ? 'draw' : 'held';
  }
  if (timeSetSec === null || (r2Decided && r2TimeSec === null)) flags.push('timeUnknown');

  const winner = result === 'beaten' ? 'B' : result === 'held' ? 'A' : null;
  return {
    timeSetSec,
    r2TimeSec,
    result,
    winner,
    pointsA: result === 'draw' ? 1 : winner === 'A' ? 2 : 0,
    pointsB: result === 'draw' ? 1 : winner === 'B' ? 2 : 0,
    lineupsFrom,
    flags,
  };
}
