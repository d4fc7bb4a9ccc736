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

/** Time flags of a player whose values cover one half; a player's time is never capped. */
export function timeFlags(timePlayedSec: number, timeLimitSec: number): PlayerFlag[] {
  if (timePlayedSec <= 0) return ['zeroTime'];
  if (timeLimitSec > 0 && timePlayedSec > timeLimitSec) return ['overLimit'];
  return [];
}

export function weaponMaskOf(weapons: readonly WeaponStat[]): number {
  let mask = 0;
  for (const w of weapons) mask += 2 ** w.weaponId;
  return mask;
}
