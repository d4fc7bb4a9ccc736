// Values derived from a player's weapon tuples and extended fields (shared/spec/stats-file.md §4.2, our rules).
import type { DerivedStats, PlayerFlag, WeaponStat } from './statsTypes.ts';

/** Hits per shot, in percent; none without shots. */
export const accuracyOf = (hits: number, shots: number): number | null => (shots > 0 ? (hits / shots) * 100 : null);
/** Kills per death; the kills themselves without a death (the writers' convention). */
export const kdRatioOf = (kills: number, deaths: number): number => (deaths > 0 ? kills / deaths : kills);
/** Kills among kills and deaths, in percent; none when both are 0. */
export const efficiencyOf = (kills: number, deaths: number): number | null =>
  kills + deaths > 0 ? (kills / (kills + deaths)) * 100 : null;
/** A player with no team time gets no DPM: the round's duration is never credited to him. */
export const dpmOf = (damageGiven: number, timePlayedSec: number): number | null =>
  timePlayedSec > 0 ? (damageGiven * 60) / timePlayedSec : null;

export function deriveStats(weapons: readonly WeaponStat[], damageGiven: number, timePlayedSec: number): DerivedStats {
  let kills = 0;
  let deaths = 0;
  let headshots = 0;
  let shots = 0;
  let hits = 0;
  for (const w of weapons) {
    kills += w.kills;
    deaths += w.deaths;
    headshots += w.headshots;
    shots += w.shots;
    hits += w.hits;
  }
  return {
    kills,
    deaths,
    headshots,
    shots,
    hits,
    accuracy: accuracyOf(hits, shots),
    kdRatio: kdRatioOf(kills, deaths),
    efficiency: efficiencyOf(kills, deaths),
    dpm: dpmOf(damageGiven, timePlayedSec),
  };
}

/**
 * The resolution of a player's time (#22, minutes to one decimal, spec §2.4): a player who held
 * the whole of a 401 s round reads 6.7 min = 402 s, and an R2's own half (R2 − R1, two roundings)
 * is off by up to as much. Only more than this over the limit is `overLimit` (§7 allows the same
 * against the playtime).
 */
export const TIME_PLAYED_STEP_SEC = 6;

/** Whether a player's time of one half is over the round's limit by more than its resolution. */
export const overTimeLimit = (timePlayedSec: number, timeLimitSec: number): boolean =>
  timeLimitSec > 0 && timePlayedSec > timeLimitSec + TIME_PLAYED_STEP_SEC;

/** Time flags of a player whose values cover one half; a player's time is never capped. */
export function timeFlags(timePlayedSec: number, timeLimitSec: number): PlayerFlag[] {
  if (timePlayedSec <= 0) return ['zeroTime'];
  if (overTimeLimit(timePlayedSec, timeLimitSec)) return ['overLimit'];
  return [];
}

export function weaponMaskOf(weapons: readonly WeaponStat[]): number {
  let mask = 0;
  for (const w of weapons) mask += 2 ** w.weaponId;
  return mask;
}
