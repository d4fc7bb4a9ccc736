// Player line `<guid8>\<name>\<rounds>\<team>\<mask>{ h s k d hs} \t#0\t…\t#37` → ParsedStatsPlayer
// (shared/spec/stats-file.md §2.3–2.4); the scanning is in statsLineUsual.ts and statsLineScan.ts.
import { cleanText, decodeText } from './statsBytes.ts';
import { accuracyOf, deriveStats, dpmOf, efficiencyOf, kdRatioOf, overTimeLimit } from './statsDerived.ts';
import { DEC, EXT, KIND, scanned } from './statsLineFields.ts';
import { scanAnyLine } from './statsLineScan.ts';
import { scanUsualLine } from './statsLineUsual.ts';
import {
  EXTENDED_FIELD_NAMES,
  type ExtendedFieldName,
  type ParsedStatsPlayer,
  type PlayerFlag,
  type PlayerStatKey,
  type StatsIssue,
  type WeaponStat,
} from './statsTypes.ts';
import { WEAPON_NAMES } from './weapons.ts';

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
  return scannedPlayer(b, s, line, ctx);
}

/** The player of the line at `s` that scanUsualLine or scanAnyLine just accepted. */
export function scannedPlayer(b: Uint8Array, s: number, line: number, ctx: PlayerLineContext): ParsedStatsPlayer {
  const { b0, b1, mask, figures, ext } = scanned;
  const weapons: WeaponStat[] = [];
  let hits = 0;
  let shots = 0;
  let kills = 0;
  let deaths = 0;
  let headshots = 0;
  // Only the set bits, lowest id first: m & -m isolates the lowest, m & (m - 1) clears it.
  for (let m = mask, k = 0; m !== 0; m &= m - 1, k += 5) {
    const id = 31 - Math.clz32(m & -m);
    const w: WeaponStat = {
      weaponId: id,
      weapon: WEAPON_NAMES[id]!,
      hits: figures[k]! | 0,
      shots: figures[k + 1]! | 0,
      kills: figures[k + 2]! | 0,
      deaths: figures[k + 3]! | 0,
      headshots: figures[k + 4]! | 0,
    };
    weapons.push(w);
    hits += w.hits;
    shots += w.shots;
    kills += w.kills;
    deaths += w.deaths;
    headshots += w.headshots;
  }

  const rawName = decodeText(b, b0 + 1, b1, ctx.view);
  const damageGiven = ext[0]! | 0;
  const timePlayedSec = ext[22]! | 0;
  const flags: PlayerFlag[] = [];
  if (scanned.nameRecovered) flags.push('nameRecovered');
  if (b0 === s) flags.push('emptyGuid');
  // timeFlags, written out (of the exact time); a raw R2 holds both halves, so its times are not held
  // against the limit.
  const playedSec = ext[22]!;
  if (playedSec <= 0) flags.push('zeroTime');
  else if (ctx.cumulativeFields.length === 0 && overTimeLimit(playedSec, ctx.timeLimitSec)) {
    flags.push('overLimit');
  }

  // Whole numbers are read `| 0`: typed int32, V8 stores them in the object as small integers, where
  // a number read from a Float64Array would be boxed (a heap number per field). Exact but on the rare
  // `scanned.wide` line (statsLineFields.ts), which is repaired below.
  const player: ParsedStatsPlayer = {
    line,
    guid8: decodeText(b, s, b0, ctx.view),
    rawName,
    name: cleanText(b, b0 + 1, b1, rawName),
    rounds: scanned.rounds,
    team: scanned.team,
    weaponMask: mask,
    weapons,
    damageGiven,
    damageReceived: ext[1]! | 0,
    teamDamageGiven: ext[2]! | 0,
    teamDamageReceived: ext[3]! | 0,
    gibs: ext[4]! | 0,
    selfKills: ext[5]! | 0,
    teamKills: ext[6]! | 0,
    teamGibs: ext[7]! | 0,
    timePlayedPercent: ext[8]!,
    xp: ext[9]! | 0,
    killingSpree: ext[10]! | 0,
    deathSpree: ext[11]! | 0,
    killAssists: ext[12]! | 0,
    killSteals: ext[13]! | 0,
    headshotKills: ext[14]! | 0,
    objectivesStolen: ext[15]! | 0,
    objectivesReturned: ext[16]! | 0,
    dynamitesPlanted: ext[17]! | 0,
    dynamitesDefused: ext[18]! | 0,
    timesRevived: ext[19]! | 0,
    bulletsFired: ext[20]! | 0,
    writerDpm: scanned.writerDpmFinite ? ext[21]! : null,
    timePlayedSec,
    tankMeatshield: ext[23]!,
    timeDeadRatio: ext[24]!,
    timeDeadSec: ext[25]! | 0,
    engineKdRatio: ext[26]!,
    usefulKills: ext[27]! | 0,
    deniedPlaytimeSec: ext[28]! | 0,
    multikill2: ext[29]! | 0,
    multikill3: ext[30]! | 0,
    multikill4: ext[31]! | 0,
    multikill5: ext[32]! | 0,
    multikill6: ext[33]! | 0,
    uselessKills: ext[34]! | 0,
    fullSelfkills: ext[35]! | 0,
    repairsConstructions: ext[36]! | 0,
    revivesGiven: ext[37]! | 0,
    // deriveStats, in this literal (the hot path) rather than spread into it
    kills,
    deaths,
    headshots,
    shots,
    hits,
    accuracy: accuracyOf(hits, shots),
    kdRatio: kdRatioOf(kills, deaths),
    efficiency: efficiencyOf(kills, deaths),
    dpm: dpmOf(damageGiven, timePlayedSec),
    cumulativeFields: ctx.cumulativeFields,
    flags,
  };
  if (scanned.wide) exactWide(player);
  return player;
}

/** A `wide` line: the exact values over the `| 0` ones (same keys, same order), the derived ones again. */
function exactWide(player: ParsedStatsPlayer): void {
  const { ext, figures } = scanned;
  const fields = player as unknown as Record<ExtendedFieldName, number | null>;
  for (let f = 0; f < EXT; f++) if (KIND[f] !== DEC) fields[EXTENDED_FIELD_NAMES[f]!] = ext[f]!;
  for (let i = 0; i < player.weapons.length; i++) {
    const w = player.weapons[i]!;
    w.hits = figures[5 * i]!;
    w.shots = figures[5 * i + 1]!;
    w.kills = figures[5 * i + 2]!;
    w.deaths = figures[5 * i + 3]!;
    w.headshots = figures[5 * i + 4]!;
  }
  Object.assign(player, deriveStats(player.weapons, player.damageGiven, player.timePlayedSec));
}
