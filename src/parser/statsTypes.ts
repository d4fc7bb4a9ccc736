// Result types of the c0rnp0rn round stats file parser; format: shared/spec/stats-file.md.
import type { WeaponName } from './weapons.ts';

/** The 38 TAB-separated extended fields of a player line, in file order (spec §2.4, #0…#37). */
export const EXTENDED_FIELD_NAMES = [
  'damageGiven',
  'damageReceived',
  'teamDamageGiven',
  'teamDamageReceived',
  'gibs',
  'selfKills',
  'teamKills',
  'teamGibs',
  'timePlayedPercent',
  'xp',
  'killingSpree',
  'deathSpree',
  'killAssists',
  'killSteals',
  'headshotKills',
  'objectivesStolen',
  'objectivesReturned',
  'dynamitesPlanted',
  'dynamitesDefused',
  'timesRevived',
  'bulletsFired',
  'writerDpm',
  'timePlayedSec',
  'tankMeatshield',
  'timeDeadRatio',
  'timeDeadSec',
  'engineKdRatio',
  'usefulKills',
  'deniedPlaytimeSec',
  'multikill2',
  'multikill3',
  'multikill4',
  'multikill5',
  'multikill6',
  'uselessKills',
  'fullSelfkills',
  'repairsConstructions',
  'revivesGiven',
] as const;
export type ExtendedFieldName = (typeof EXTENDED_FIELD_NAMES)[number];

/**
 * The largest value the parser hands on, so that every read-model column can hold it (read models
 * store counts and seconds as int32, sides as int16): a line or header beyond these is malformed,
 * reported with the field and value. A count is bounded so that the sum of 28 weapons' figures
 * (kills, shots…) still fits an int32; real rounds stay below 10^5.
 */
export const VALUE_BOUNDS = {
  /** a count, an integer extended field, seconds, a weapon figure, sess.rounds: ±5·10^7 */
  count: 50_000_000,
  /** team, defender, winner: smallint */
  side: 32_767,
  /** time limits in seconds: int32 */
  limitSec: 2_147_483_647,
  /** header f9 in milliseconds, an integer: what a double holds exactly */
  playtimeMs: Number.MAX_SAFE_INTEGER,
} as const;

/**
 * Units normalised: #22 and #25 (minutes in the file) are integer seconds, #8/#24 percent,
 * #28 seconds. `writerDpm` is null when the writer printed a non-finite value (`inf`, `nan`).
 */
export type ExtendedStats = { [K in ExtendedFieldName]: K extends 'writerDpm' ? number | null : number };

export type WeaponStat = {
  weaponId: number;
  weapon: WeaponName;
  hits: number;
  shots: number;
  kills: number;
  deaths: number;
  headshots: number;
};

/** Computed from the weapon tuples and #0/#22; never read from the file. */
export type DerivedStats = {
  kills: number;
  deaths: number;
  /** Σ weapon head hits (not head kills). */
  headshots: number;
  shots: number;
  hits: number;
  /** hits ÷ shots × 100; null without shots. */
  accuracy: number | null;
  /** kills ÷ deaths; kills when deaths = 0 (the reference reader's convention). */
  kdRatio: number;
  /** kills ÷ (kills + deaths) × 100; null when both are 0. */
  efficiency: number | null;
  /** damageGiven × 60 ÷ timePlayedSec; null when the player has no team time. */
  dpm: number | null;
};

export type PlayerStatKey = ExtendedFieldName | keyof DerivedStats | 'weapons';

export type PlayerFlag =
  /** name held a `\` or TAB; recovered from the fixed fields on both sides */
  | 'nameRecovered'
  /** guid field empty (the writer could not read the userinfo, e.g. a `\` in the name) */
  | 'emptyGuid'
  /** timePlayedSec is 0: no DPM, no round time credited */
  | 'zeroTime'
  /** timePlayedSec exceeds the round's time limit; kept as written */
  | 'overLimit'
  /** R2 differential: no R1 line for this player; R2 values kept */
  | 'absentFromR1'
  /**
   * R2 differential, with absentFromR1: R1 lost player lines (cut, or a line rejected), this player's
   * may be one, so his R2 values are listed in cumulativeFields rather than taken as this half's
   */
  | 'r1LineLost'
  /** R2 differential: a cumulative counter is lower in R2 than in R1 (reconnect); raw R2 kept */
  | 'counterReset'
  /** R2 differential: several R1 lines fit (guid8 and name collide); raw R2 kept */
  | 'ambiguousR1Match';

export type ParsedStatsPlayer = {
  /** 1-based line number in the file. */
  line: number;
  guid8: string;
  rawName: string;
  name: string;
  rounds: number;
  team: number;
  weaponMask: number;
  weapons: WeaponStat[];
} & ExtendedStats &
  DerivedStats & {
    /** Values that span both halves although the round is otherwise R2-only (or all, on a raw R2). */
    cumulativeFields: PlayerStatKey[];
    flags: PlayerFlag[];
  };

export type LocalDateTime = { year: number; month: number; day: number; hour: number; minute: number; second: number };

export type StatsWriter = 'c0rnp0rn8' | 'c0rnp0rn7';

export type RoundFlag =
  | 'truncated'
  | 'headerOnly'
  | 'r2Cumulative'
  | 'overLimit'
  | 'approximateStatsTime'
  | 'shutdownWritten'
  | 'aborted'
  /** a shutdown-written round 2 file that pairs with no R1: its figures may be R1's (spec §1.3) */
  | 'halfUnknown'
  /** header map ≠ file-name map, or header round ≠ file-name round */
  | 'mapMismatch'
  | 'roundMismatch'
  /** defender not 1/2 or winner not 0/1/2 */
  | 'unexpectedSide'
  /** Set by the projections, not the parser: other bytes arrived under this file name (not a longer copy). */
  | 'revised';

export type StatsIssue = {
  /** `trailing_whitespace` is tolerated: the line is used, the issue says it was not as written. */
  code: 'bad_player_row' | 'truncated' | 'trailing_whitespace';
  line: number;
  field?: string;
  value?: string;
  detail: string;
};

export type ParsedStatsRound = {
  fileName: string;
  fileLocalTime: LocalDateTime;
  fileMap: string;
  fileRound: 1 | 2;
  serverName: string;
  serverNameClean: string;
  map: string;
  config: string;
  round: 1 | 2;
  /** 1 Axis, 2 Allies, as written. */
  defender: number;
  /** winner of this half: 0 none, 1 Axis, 2 Allies, as written. */
  winner: number;
  timeLimitSec: number;
  /** f8 = g_nextTimeLimit (a stopwatch target, not a duration; garbage in R2). */
  nextTimeLimitSec: number;
  /** f9 in ms; null on an 8-field header. */
  headerPlaytimeMs: number | null;
  writer: StatsWriter;
  /** correlation.md "The verdict": f9 ÷ 1000 when > 0, else an R1's f8 capped (f9 absent or 0), else null. */
  statsPlaytimeSec: number | null;
  flags: RoundFlag[];
  players: ParsedStatsPlayer[];
  issues: StatsIssue[];
  /** R1 file this round was differentiated against (round 2 only). */
  r1FileName: string | null;
};

export type StatsParseErrorCode = 'empty' | 'bad_file_name' | 'bad_header' | 'binary' | 'too_large';

export type StatsParseError = {
  code: StatsParseErrorCode;
  /** 1-based line, 0 for the file as a whole. */
  line: number;
  field?: string;
  value?: string;
  detail: string;
};

export type StatsParseResult = { ok: true; round: ParsedStatsRound } | { ok: false; error: StatsParseError };

export type StatsParseOptions = { maxBytes?: number };
