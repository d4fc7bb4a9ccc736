// Player line `<guid8>\<name>\<rounds>\<team>\<mask>{ h s k d hs} \t#0\t…\t#37` → ParsedStatsPlayer
// (shared/spec/stats-file.md §2.3–2.4); the scanning is in statsLineScan.ts.
import { cleanText, decodeText } from './statsBytes.ts';
import { scanAnyLine, scanned, scanUsualLine } from './statsLineScan.ts';
import type { ParsedStatsPlayer, PlayerFlag, PlayerStatKey, StatsIssue, WeaponStat } from './statsTypes.ts';
import { WEAPON_COUNT, WEAPON_NAMES } from './weapons.ts';

export type PlayerLineContext = {
  /** The round's limit, for the `overLimit` flag; not checked on a raw (cumulative) R2. */
  timeLimitSec: number;
  /** Fields that hold both halves (a raw R2 file), or none. */
  cumulativeFields: PlayerStatKey[];
  /** The file's bytes as a string (statsBytes.asciiView), for ASCII names. */
  view: string;
};

export function parsePlayerLine(
  b: Uint8Array,
  s: number,
  e: number,
  line: number,
  ctx: PlayerLineContext,
): ParsedStatsPlayer | StatsIssue {
  if (!scanUsualLine(b, s, e)) {
    const problem = scanAnyLine(b, s, e, line);
    if (problem) return problem;
  }
  const { b0, b1, mask, figures, ext } = scanned;
  const weapons: WeaponStat[] = [];
  let hits = 0;
  let shots = 0;
  let kills = 0;
  let deaths = 0;
  let headshots = 0;
  for (let id = 0, k = 0; id < WEAPON_COUNT; id++) {
    if (((mask >>> id) & 1) === 0) continue;
    const w: WeaponStat = {
      weaponId: id,
      weapon: WEAPON_NAMES[id]!,
      hits: figures[k]!,
      shots: figures[k + 1]!,
      kills: figures[k + 2]!,
      deaths: figures[k + 3]!,
      headshots: figures[k + 4]!,
    };
    weapons.push(w);
    hits += w.hits;
    shots += w.shots;
    kills += w.kills;
    deaths += w.deaths;
    headshots += w.headshots;
    k += 5;
  }

  const rawName = decodeText(b, b0 + 1, b1, ctx.view);
  const damageGiven = ext[0]!;
  const timePlayedSec = ext[22]!;
  const flags: PlayerFlag[] = [];
  if (scanned.nameRecovered) flags.push('nameRecovered');
  if (b0 === s) flags.push('emptyGuid');
  // timeFlags, written out; a raw R2 holds both halves, so its times are not held against the limit.
  if (timePlayedSec <= 0) flags.push('zeroTime');
  else if (ctx.cumulativeFields.length === 0 && ctx.timeLimitSec > 0 && timePlayedSec > ctx.timeLimitSec) {
    flags.push('overLimit');
  }

  return {
    line,
    guid8: decodeText(b, s, b0, ctx.view),
    rawName,
    name: cleanText(b, b0 + 1, b1, rawName),
    rounds: scanned.rounds,
    team: scanned.team,
    weaponMask: mask,
    weapons,
    damageGiven,
    damageReceived: ext[1]!,
    teamDamageGiven: ext[2]!,
    teamDamageReceived: ext[3]!,
    gibs: ext[4]!,
    selfKills: ext[5]!,
    teamKills: ext[6]!,
    teamGibs: ext[7]!,
    timePlayedPercent: ext[8]!,
    xp: ext[9]!,
    killingSpree: ext[10]!,
    deathSpree: ext[11]!,
    killAssists: ext[12]!,
    killSteals: ext[13]!,
    headshotKills: ext[14]!,
    objectivesStolen: ext[15]!,
    objectivesReturned: ext[16]!,
    dynamitesPlanted: ext[17]!,
    dynamitesDefused: ext[18]!,
    timesRevived: ext[19]!,
    bulletsFired: ext[20]!,
    writerDpm: scanned.writerDpmFinite ? ext[21]! : null,
    timePlayedSec,
    tankMeatshield: ext[23]!,
    timeDeadRatio: ext[24]!,
    timeDeadSec: ext[25]!,
    engineKdRatio: ext[26]!,
    usefulKills: ext[27]!,
    deniedPlaytimeSec: ext[28]!,
    multikill2: ext[29]!,
    multikill3: ext[30]!,
    multikill4: ext[31]!,
    multikill5: ext[32]!,
    multikill6: ext[33]!,
    uselessKills: ext[34]!,
    fullSelfkills: ext[35]!,
    repairsConstructions: ext[36]!,
    revivesGiven: ext[37]!,
    // deriveStats, written out: this literal is the hot path
    kills,
    deaths,
    headshots,
    shots,
    hits,
    accuracy: shots > 0 ? (hits / shots) * 100 : null,
    kdRatio: deaths > 0 ? kills / deaths : kills,
    efficiency: kills + deaths > 0 ? (kills / (kills + deaths)) * 100 : null,
    dpm: timePlayedSec > 0 ? (damageGiven * 60) / timePlayedSec : null,
    cumulativeFields: ctx.cumulativeFields,
    flags,
  };
}
