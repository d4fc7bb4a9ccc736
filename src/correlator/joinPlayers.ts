// Per-player join and figures (spec/correlation.md "The verdict", per player): the stats file's
// 8-character GUID is a prefix of the report's full GUID; else the clean name; else unlinked.
// The corrected time is the player's own time in play when the report has it (`et-ledger.round/2`),
// else min(stats time, fighting time); a raw R2 line (R1 + R2 figures) keeps its own cumulative time.
import type { LuaPlayerTime, LuaReport, VerdictPlayer } from '../events/index.ts';
import { cleanName } from '../parser/names.ts';
import type { StatsPlayer } from './types.ts';

export type RoundTimes = { fightingTimeSec: number | null; statsPlaytimeSec: number | null };

/** What the join says about the verdict as a whole; buildVerdict turns each into its flag. */
export type PlayerJoin = {
  players: VerdictPlayer[];
  /** A report is joined and some stats player links to none of its players (`unlinkedPlayers`). */
  unlinked: boolean;
  /** Some player's corrected time is the stats file's, not his own time in play (`approximatePlayerTime`). */
  approximateTime: boolean;
  /** Some player's own time exceeded the round's playtime by more than 1 s and was capped (`playerTimeOverRound`). */
  overRound: boolean;
  /** Some player's damage and time span both halves: an R2 without its R1 (`cumulativeFigures`). */
  cumulative: boolean;
};

/** Own time beyond the round's Lua playtime by more than this is a fault of the report, not sampling. */
const OVER_ROUND_TOLERANCE_SEC = 1;

const perMinute = (damage: number, sec: number): number | null => (sec > 0 ? (damage * 60) / sec : null);

/** Milliseconds to seconds at 0.1 s: finer than the stats file's 6 s, no false precision beyond the 1 s sampling. */
const tenths = (ms: number): number => Math.round(ms / 100) / 10;

/** The one entry the stats player links to: the GUID prefix when exactly one matches, else the clean name. */
function linkOne<T extends { guid: string | null; name: string }>(
  player: StatsPlayer,
  entries: readonly T[],
): T | null {
  const prefix = player.guid8.toLowerCase();
  if (prefix !== '') {
    const byGuid = entries.filter((p) => p.guid?.toLowerCase().startsWith(prefix));
    if (byGuid.length === 1) return byGuid[0]!;
  }
  // The same name as given first: cleaning a clean name again is not a no-op (a clean `^Bob` would
  // lose `^B` as a colour code and match `ob`). Names a fixture or an old report left unclean are
  // then compared cleaned.
  const exact = entries.filter((p) => p.name === player.name);
  if (exact.length > 0) return exact.length === 1 ? exact[0]! : null;
  const name = cleanName(player.name);
  const byName = entries.filter((p) => cleanName(p.name) === name);
  return byName.length === 1 ? byName[0]! : null;
}

/** The player's own-time entry: the one carrying his linked GUID, else by the same link rule. */
function ownEntry(player: StatsPlayer, fullGuid: string | null, times: readonly LuaPlayerTime[]): LuaPlayerTime | null {
  if (fullGuid !== null) {
    const same = times.filter((t) => t.guid !== null && t.guid.toLowerCase() === fullGuid.toLowerCase());
    if (same.length === 1) return same[0]!;
  }
  return linkOne(player, times);
}

/**
 * `report` null (no Lua report joined): nothing to link, and no one counts as unlinked.
 * Two stats rows may link to one report player (a reconnect splits one person into two rows): his
 * own time belongs to the person, not to either row, so both rows keep the stats rule.
 */
export function joinPlayers(players: readonly StatsPlayer[], report: LuaReport | null, times: RoundTimes): PlayerJoin {
  const { fightingTimeSec, statsPlaytimeSec } = times;
  const factor =
    fightingTimeSec !== null && statsPlaytimeSec !== null && statsPlaytimeSec > 0
      ? fightingTimeSec / statsPlaytimeSec
      : null;
  // Stored events from before `/2` lack the field: absent reads as null.
  const playerTimes = report?.playerTimes ?? null;
  const links = players.map((p) => {
    if (report === null) return { fullGuid: null, own: null };
    const fullGuid = linkOne(p, report.players)?.guid ?? null;
    const own = playerTimes === null || p.cumulative === true ? null : ownEntry(p, fullGuid, playerTimes);
    return { fullGuid: fullGuid ?? own?.guid ?? null, own };
  });
  const claims = new Map<LuaPlayerTime, number>();
  for (const { own } of links) if (own !== null) claims.set(own, (claims.get(own) ?? 0) + 1);

  const join: PlayerJoin = {
    players: [],
    unlinked: false,
    approximateTime: false,
    overRound: false,
    cumulative: false,
  };
  join.players = players.map((p, i): VerdictPlayer => {
    const { fullGuid, own } = links[i]!;
    if (report !== null && fullGuid === null && own === null) join.unlinked = true;
    let correctedTimeSec: number;
    if (p.cumulative === true) {
      // Damage of both halves over the time of both halves: the R2 fighting time would double the rate.
      join.cumulative = true;
      join.approximateTime = true;
      correctedTimeSec = p.timePlayedSec;
    } else if (own !== null && claims.get(own) === 1) {
      correctedTimeSec = tenths(own.axisMs + own.alliesMs);
      const limit = report?.playtimeSec ?? null;
      if (limit !== null && correctedTimeSec > limit) {
        if (correctedTimeSec > limit + OVER_ROUND_TOLERANCE_SEC) join.overRound = true;
        correctedTimeSec = limit;
      }
    } else {
      join.approximateTime = true;
      correctedTimeSec = fightingTimeSec === null ? p.timePlayedSec : Math.min(p.timePlayedSec, fightingTimeSec);
    }
    return {
      guid8: p.guid8,
      fullGuid,
      name: p.name,
      team: p.team,
      damageGiven: p.damageGiven,
      statsTimeSec: p.timePlayedSec,
      correctedTimeSec,
      factor,
      dpm: perMinute(p.damageGiven, p.timePlayedSec),
      correctedDpm: perMinute(p.damageGiven, correctedTimeSec),
    };
  });
  return join;
}
