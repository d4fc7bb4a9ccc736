// Per-player join and figures (spec/correlation.md "The verdict", per player): the stats file's
// 8-character GUID is a prefix of the report's full GUID; else the clean name; else unlinked.
import type { LuaReport, VerdictPlayer } from '../events/index.ts';
import { cleanName } from '../parser/names.ts';
import type { StatsPlayer } from './types.ts';

export type RoundTimes = { fightingTimeSec: number | null; statsPlaytimeSec: number | null };

const perMinute = (damage: number, sec: number): number | null => (sec > 0 ? (damage * 60) / sec : null);

function linkFullGuid(player: StatsPlayer, report: LuaReport): string | null {
  const prefix = player.guid8.toLowerCase();
  if (prefix !== '') {
    const byGuid = report.players.filter((p) => p.guid.toLowerCase().startsWith(prefix));
    if (byGuid.length === 1) return byGuid[0]!.guid;
  }
  const name = cleanName(player.name);
  const byName = report.players.filter((p) => cleanName(p.name) === name);
  return byName.length === 1 ? byName[0]!.guid : null;
}

/**
 * `report` null (no Lua report joined): nothing to link, and no one counts as unlinked.
 * Two stats rows may link to one report player: a reconnect splits one person into two rows.
 */
export function joinPlayers(
  players: readonly StatsPlayer[],
  report: LuaReport | null,
  times: RoundTimes,
): { players: VerdictPlayer[]; unlinked: boolean } {
  const { fightingTimeSec, statsPlaytimeSec } = times;
  const factor =
    fightingTimeSec !== null && statsPlaytimeSec !== null && statsPlaytimeSec > 0
      ? fightingTimeSec / statsPlaytimeSec
      : null;
  let unlinked = false;
  const out = players.map((p): VerdictPlayer => {
    const fullGuid = report === null ? null : linkFullGuid(p, report);
    if (report !== null && fullGuid === null) unlinked = true;
    const correctedTimeSec = fightingTimeSec === null ? p.timePlayedSec : Math.min(p.timePlayedSec, fightingTimeSec);
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
  return { players: out, unlinked };
}
