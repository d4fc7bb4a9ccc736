// An evening (one session of one server) at a glance, from read-model rows (pure): the score by
// logical team, each map's result, every player's damage over his own time in play, who qualifies
// for the DPM ranking (src/stats/qualification.ts) and the awards (src/stats/awards.ts).
// Rates divide sums (damage × 60 / seconds). Rows of players who ended a round as spectators
// (team 3, or any side but Axis and Allies) count for nobody: a spectator is never ranked.
import { dpmOf } from '../parser/statsDerived.ts';
import { scoreSession } from '../stopwatch/logicalTeams.ts';
import { type MapExportRow, mapExportRows, type StoredMapRow } from '../stopwatch/mapRows.ts';
import { type AwardTotals, type AwardWinner, decideAwards } from './awards.ts';
import { qualifies, requiredSec } from './qualification.ts';

/** One stats round of the evening. */
export type EveningRound = {
  roundId: string;
  /** The verdict's fighting time, else the stats playtime; null when unknown. */
  fightingTimeSec: number | null;
  /** An R2 without its R1: its figures are both halves (rounds flag r2Cumulative, or verdict flag cumulativeFigures). */
  cumulative: boolean;
};

/** One read.player_stats row, with the verdict's corrected time of that player (null without one). */
export type EveningRow = {
  roundId: string;
  guid8: string;
  name: string;
  rawName: string;
  team: number;
  fileTimeUnix: number | null;
  damageGiven: number;
  kills: number;
  deaths: number;
  gibs: number;
  revivesGiven: number;
  shots: number;
  hits: number;
  objectivesStolen: number;
  objectivesReturned: number;
  dynamitesPlanted: number;
  dynamitesDefused: number;
  /** The stats file's time played (both halves in a cumulative round). */
  timePlayedSec: number;
  /** The verdict's correctedTimeSec for this player, null without a verdict or a match. */
  correctedTimeSec: number | null;
};

export type EveningPlayer = {
  /** guid8, or `name:<raw name>` when the GUID is empty (as the maps' lineups name players), or
   * `<guid8>:<name>` for a GUID several players of one round share (bots) */
  id: string;
  guid8: string;
  name: string;
  /** The logical team (0 or 1) he played most maps for; null when no map lineup has him. */
  team: 0 | 1 | null;
  rounds: number;
  timeSec: number;
  damage: number;
  kills: number;
  deaths: number;
  dpm: number | null;
  qualified: boolean;
  awards: AwardTotals;
};

export type Evening = {
  teams: [string, string];
  points: [number, number];
  /** The evening's maps in time order, with the evening's team names (as `et-ledger export maps`). */
  maps: MapExportRow[];
  /** Sum of the rounds' fighting time (a cumulative round counts both halves' time). */
  fightingSec: number;
  /** The time a player needs to be ranked this evening. */
  requiredSec: number;
  players: EveningPlayer[];
  /** Qualified players by DPM, best first. */
  ranked: EveningPlayer[];
  awards: AwardWinner[];
};

const playerId = (r: { guid8: string; rawName: string }) => (r.guid8 === '' ? `name:${r.rawName}` : r.guid8);
const isSide = (team: number) => team === 1 || team === 2;

/** The time a row stands for: the verdict's own time in play, the stats time of a cumulative round. */
export function rowTimeSec(row: EveningRow, cumulative: boolean): number {
  if (cumulative) return row.timePlayedSec;
  return row.correctedTimeSec ?? row.timePlayedSec;
}

/**
 * rowTimeSec in SQL, for readers that sum in the database: over a player row `p` and its round `r`,
 * with `corrected` the column that holds the verdict's corrected time of the player.
 */
export const rowTimeSql = (corrected: string): string =>
  `case when 'r2Cumulative' = any(r.flags) then p.time_played_sec::float8 else coalesce(${corrected}, p.time_played_sec) end`;

export function buildEvening(input: {
  maps: readonly StoredMapRow[];
  rounds: readonly EveningRound[];
  rows: readonly EveningRow[];
}): Evening {
  const time = (m: StoredMapRow) => (m.fileTimeUnix === null ? Number.POSITIVE_INFINITY : Number(m.fileTimeUnix));
  const sorted = [...input.maps].sort((a, b) => time(a) - time(b) || (a.mapId < b.mapId ? -1 : 1));
  // One evening: the session is given (its rounds), so no gap splits it here.
  const maps = mapExportRows(sorted, Number.POSITIVE_INFINITY);
  const score = scoreSession(sorted);

  // Each player's logical team: the one he played most of the evening's maps for.
  const teamVotes = new Map<string, [number, number]>();
  sorted.forEach((m, i) => {
    const a = score.lineupA[i]!;
    for (const [lineup, team] of [
      [m.lineupA, a],
      [m.lineupB, 1 - a],
    ] as const)
      for (const p of lineup) {
        const v = teamVotes.get(p.id) ?? [0, 0];
        v[team as 0 | 1] += 1;
        teamVotes.set(p.id, v);
      }
  });

  // A GUID that two rows of one round carry is not one person (Omni-bots share `OMNIBOT0`): there
  // the name tells them apart.
  const seenInRound = new Set<string>();
  const shared = new Set<string>();
  for (const row of input.rows) {
    if (row.guid8 === '') continue;
    const key = `${row.roundId}\0${row.guid8}`;
    if (seenInRound.has(key)) shared.add(row.guid8);
    seenInRound.add(key);
  }
  const personOf = (row: EveningRow) => (shared.has(row.guid8) ? `${row.guid8}:${row.name}` : playerId(row));

  const cumulative = new Map(input.rounds.map((r) => [r.roundId, r.cumulative]));
  const byPlayer = new Map<string, { rows: EveningRow[]; time: number }>();
  const longestInRound = new Map<string, number>();
  for (const row of input.rows) {
    if (!isSide(row.team)) continue;
    const t = rowTimeSec(row, cumulative.get(row.roundId) === true);
    longestInRound.set(row.roundId, Math.max(t, longestInRound.get(row.roundId) ?? 0));
    const id = personOf(row);
    const seen = byPlayer.get(id) ?? { rows: [], time: 0 };
    seen.rows.push(row);
    seen.time += t;
    byPlayer.set(id, seen);
  }
  const fightingSec = input.rounds.reduce(
    (s, r) => s + Math.max(r.fightingTimeSec ?? 0, r.cumulative ? (longestInRound.get(r.roundId) ?? 0) : 0),
    0,
  );

  const players = [...byPlayer].map(([id, { rows, time: timeSec }]): EveningPlayer => {
    const sum = (f: (r: EveningRow) => number) => rows.reduce((s, r) => s + f(r), 0);
    const latest = [...rows].sort((a, b) => (b.fileTimeUnix ?? 0) - (a.fileTimeUnix ?? 0))[0]!;
    const votes = teamVotes.get(playerId(latest));
    const damage = sum((r) => r.damageGiven);
    return {
      id,
      guid8: latest.guid8,
      name: latest.name,
      team: votes === undefined ? null : votes[1] > votes[0] ? 1 : 0,
      rounds: new Set(rows.map((r) => r.roundId)).size,
      timeSec,
      damage,
      kills: sum((r) => r.kills),
      deaths: sum((r) => r.deaths),
      dpm: dpmOf(damage, timeSec),
      qualified: qualifies(timeSec, fightingSec),
      awards: {
        revives: sum((r) => r.revivesGiven),
        objectiveActions: sum(
          (r) => r.objectivesStolen + r.objectivesReturned + r.dynamitesPlanted + r.dynamitesDefused,
        ),
        gibs: sum((r) => r.gibs),
        shots: sum((r) => r.shots),
        hits: sum((r) => r.hits),
      },
    };
  });
  players.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : a.id < b.id ? -1 : 1));
  const ranked = players
    .filter((p) => p.qualified && p.dpm !== null)
    .sort((a, b) => b.dpm! - a.dpm! || (a.id < b.id ? -1 : 1));
  return {
    teams: [score.teams[0].name, score.teams[1].name],
    points: score.points,
    maps,
    fightingSec,
    requiredSec: requiredSec(fightingSec),
    players,
    ranked,
    awards: decideAwards(players.map((p) => ({ name: p.name, totals: p.awards }))),
  };
}
