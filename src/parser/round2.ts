// R2 files hold cumulative R1+R2 counters; R2-only values are R2 − R1 (shared/spec/stats-file.md §3).
import { normalizeMapName } from './names.ts';
import { deriveStats, timeFlags, weaponMaskOf } from './statsDerived.ts';
import type { ParsedStatsPlayer, ParsedStatsRound, PlayerFlag, PlayerStatKey, WeaponStat } from './statsTypes.ts';

/** Counters that the engine keeps across the stopwatch restart (#0–#7, #20, #22); weapon tuples too. */
const COUNTERS = [
  'damageGiven',
  'damageReceived',
  'teamDamageGiven',
  'teamDamageReceived',
  'gibs',
  'selfKills',
  'teamKills',
  'teamGibs',
  'bulletsFired',
  'timePlayedSec',
] as const;

/** Ratios of cumulative engine counters (#23, #26): neither additive nor subtractable, kept as written. */
export const R2_RATIO_FIELDS: PlayerStatKey[] = ['engineKdRatio', 'tankMeatshield'];

/** What spans both halves in a raw R2 line: counters, ratios of them, and everything derived. */
export const R2_CUMULATIVE_FIELDS: PlayerStatKey[] = [
  'weapons',
  ...COUNTERS,
  'timePlayedPercent',
  'timeDeadRatio',
  ...R2_RATIO_FIELDS,
  'kills',
  'deaths',
  'headshots',
  'shots',
  'hits',
  'accuracy',
  'kdRatio',
  'efficiency',
  'dpm',
];

/**
 * R2 − R1 per player, matched by identity (sameIdentity; the raw name too when an identity occurs
 * twice). Half-only fields (#9–#19, #25, #27–#37) stay as written; ratios are recomputed from the
 * differential. Returns `r2` unchanged when the pair does not qualify (not a raw R2, not an R1,
 * another map).
 */
export function differentiateRound2(r2: ParsedStatsRound, r1: ParsedStatsRound): ParsedStatsRound {
  if (r2.round !== 2 || !r2.flags.includes('r2Cumulative') || r1.round !== 1) return r2;
  if (normalizeMapName(r2.map) !== normalizeMapName(r1.map)) return r2;

  const r1Lost = lostPlayerLines(r1);
  const players = r2.players.map((p2): ParsedStatsPlayer => {
    const match = findR1(p2, r2.players, r1.players);
    if (match === 'ambiguous') return asHalf(p2, r2.timeLimitSec, ['ambiguousR1Match'], R2_CUMULATIVE_FIELDS);
    if (match === null && r1Lost) {
      return asHalf(p2, r2.timeLimitSec, ['absentFromR1', 'r1LineLost'], R2_CUMULATIVE_FIELDS);
    }
    if (match === null) return asHalf(p2, r2.timeLimitSec, ['absentFromR1'], []);
    return subtract(p2, match, r2.timeLimitSec) ?? asHalf(p2, r2.timeLimitSec, ['counterReset'], []);
  });
  return {
    ...r2,
    flags: r2.flags.filter((f) => f !== 'r2Cumulative'),
    players,
    r1FileName: r1.fileName,
  };
}

/**
 * Whether R1 lost player lines: it was cut (`truncated`), or a player line was rejected (an empty
 * line, field `line`, held no one). The writer writes one line per player, so an R2 player without an
 * R1 line may be one of the lost: his R2 figures are then listed as cumulative rather than claimed
 * as this half's. Any rejected line counts, whatever guid it starts with: the parser did not vouch
 * for the line, so not for its first field either (a lost LF runs two players into one line, a
 * damaged line may begin with another's bytes); only a whole R1 says who was absent.
 */
function lostPlayerLines(r1: ParsedStatsRound): boolean {
  return r1.flags.includes('truncated') || r1.issues.some((i) => i.code === 'bad_player_row' && i.field !== 'line');
}

/**
 * The writer gives every Omni-bot the guid `OMNIBOT0` (spec §2.3); the reference reader tells bots
 * apart by a synthetic GUID, guid8 + sha256 of the clean name (§4.2), which matches exactly when the
 * guid8 and the clean name do.
 */
const isBot = (p: ParsedStatsPlayer): boolean => p.guid8.startsWith('OMNIBOT');

/**
 * One player in both files: the same guid8 (a bot: and clean name). An empty guid8 names nobody
 * (the writer's GUID lookup failed, e.g. on a name with a backslash): such a player is the same only
 * by its exact raw name.
 */
function sameIdentity(a: ParsedStatsPlayer, b: ParsedStatsPlayer): boolean {
  if (a.guid8 === '') return b.guid8 === '' && b.rawName === a.rawName;
  return a.guid8 === b.guid8 && (!isBot(a) || a.name === b.name);
}

/** The R1 line of the same player; when an identity occurs twice, the raw name must match too. */
function findR1(
  p2: ParsedStatsPlayer,
  r2Players: readonly ParsedStatsPlayer[],
  r1Players: readonly ParsedStatsPlayer[],
): ParsedStatsPlayer | 'ambiguous' | null {
  const same = (p: ParsedStatsPlayer) => sameIdentity(p2, p);
  let candidates = r1Players.filter(same);
  const twiceInR2 = r2Players.some((p) => p !== p2 && same(p));
  if (candidates.length > 1 || twiceInR2) {
    candidates = candidates.filter((p) => p.rawName === p2.rawName);
    const sameInR2 = r2Players.some((p) => p !== p2 && same(p) && p.rawName === p2.rawName);
    if (sameInR2 && candidates.length > 0) return 'ambiguous';
  }
  if (candidates.length > 1) return 'ambiguous';
  return candidates[0] ?? null;
}

/**
 * An R2 that pairs with no R1. As written it is cumulative (`r2Cumulative`), unless the file was
 * written at shutdown: the engine then names it round 2 whether the map was changed during R2 or
 * during R1 (spec/stats-file.md §1.3), so its half is unknown. Such a file is `aborted` +
 * `halfUnknown`, its figures kept as written and never read as cumulative.
 */
export function unpairedRound2<R extends ParsedStatsRound>(r2: R): R {
  if (r2.round !== 2 || !r2.flags.includes('shutdownWritten')) return r2;
  const flags = r2.flags.filter((f) => f !== 'r2Cumulative');
  if (!flags.includes('aborted')) flags.push('aborted');
  flags.push('halfUnknown');
  return {
    ...r2,
    flags,
    players: r2.players.map((p) => ({
      ...p,
      cumulativeFields: [],
      flags: [...p.flags.filter((f) => f !== 'zeroTime'), ...timeFlags(p.timePlayedSec, r2.timeLimitSec)],
    })),
  };
}

/** Raw R2 values, read as this half's values but for `cumulativeFields` (with the reason flags). */
function asHalf(
  p: ParsedStatsPlayer,
  limitSec: number,
  reasons: PlayerFlag[],
  cumulativeFields: PlayerStatKey[],
): ParsedStatsPlayer {
  const kept = p.flags.filter((f) => f === 'nameRecovered' || f === 'emptyGuid');
  const time = cumulativeFields.length === 0 ? timeFlags(p.timePlayedSec, limitSec) : [];
  return { ...p, cumulativeFields, flags: [...kept, ...time, ...reasons] };
}

/** R2 − R1, or null when any cumulative counter went down (a reconnect reset the engine's session). */
function subtract(p2: ParsedStatsPlayer, p1: ParsedStatsPlayer, limitSec: number): ParsedStatsPlayer | null {
  const weapons = subtractWeapons(p2.weapons, p1.weapons);
  if (weapons === null) return null;
  const diff = { ...p2 };
  for (const key of COUNTERS) {
    const d = p2[key] - p1[key];
    if (d < 0) return null;
    diff[key] = d;
  }
  const time = diff.timePlayedSec;
  const alive = (p2.timePlayedPercent * p2.timePlayedSec - p1.timePlayedPercent * p1.timePlayedSec) / 100;
  const kept = p2.flags.filter((f) => f === 'nameRecovered' || f === 'emptyGuid');
  return {
    ...diff,
    weaponMask: weaponMaskOf(weapons),
    weapons,
    timePlayedPercent: time > 0 ? round1(Math.min(100, Math.max(0, (alive / time) * 100))) : 0,
    timeDeadRatio: time > 0 ? round1((p2.timeDeadSec / time) * 100) : 0,
    ...deriveStats(weapons, diff.damageGiven, time),
    cumulativeFields: R2_RATIO_FIELDS,
    flags: [...kept, ...timeFlags(time, limitSec)],
  };
}

function subtractWeapons(w2: readonly WeaponStat[], w1: readonly WeaponStat[]): WeaponStat[] | null {
  const byId = new Map(w1.map((w) => [w.weaponId, w]));
  for (const w of w1) if (!w2.some((x) => x.weaponId === w.weaponId)) return null;
  const out: WeaponStat[] = [];
  for (const w of w2) {
    const r1 = byId.get(w.weaponId);
    const d: WeaponStat = r1
      ? {
          ...w,
          hits: w.hits - r1.hits,
          shots: w.shots - r1.shots,
          kills: w.kills - r1.kills,
          deaths: w.deaths - r1.deaths,
          headshots: w.headshots - r1.headshots,
        }
      : { ...w };
    if (d.hits < 0 || d.shots < 0 || d.kills < 0 || d.deaths < 0 || d.headshots < 0) return null;
    // The writer's mask rule: a weapon appears when shots, hits, kills or deaths are non-zero.
    if (d.hits !== 0 || d.shots !== 0 || d.kills !== 0 || d.deaths !== 0) out.push(d);
  }
  return out;
}

function round1(x: number): number {
  return Math.round(x * 10) / 10;
}
