// The player and leaderboard pages' reads: totals over a period as /stats has them (rates divide
// sums, time is the verdict's corrected time), the per-map record from the maps' lineups, and DPM
// per session (the gap rule) over time.
import { playerTotals, type Totals } from '../sinks/discord/statsQueries.ts';
import type { SqlExecutor } from '../store/sqlDatabase.ts';

export type PlayerIdentity = {
  guid8: string;
  name: string;
  names: string[];
  rounds: number;
  lastSeenUnix: number | null;
};

export async function playerIdentity(db: SqlExecutor, guid8: string): Promise<PlayerIdentity | null> {
  const r = await db.query<{ name: string; rounds: number; last_seen: string | null }>(
    `select p.name, count(*)::int as rounds, max(r.file_time_unix) as last_seen
     from read.player_stats p join read.rounds r on r.round_id = p.round_id
     where p.guid8 = $1 group by p.name order by max(r.file_time_unix) desc nulls last limit 10`,
    [guid8],
  );
  if (r.rows.length === 0) return null;
  return {
    guid8,
    name: r.rows[0]!.name,
    names: r.rows.map((x) => x.name),
    rounds: r.rows.reduce((s, x) => s + Number(x.rounds), 0),
    lastSeenUnix: r.rows[0]!.last_seen === null ? null : Number(r.rows[0]!.last_seen),
  };
}

export { playerTotals, type Totals };

export type MapRecordRow = { map: string; maps: number; won: number; drawn: number; lost: number };

/**
 * Stopwatch maps with a result that the player played in either lineup: the README's analyst query
 * (`lineup_a @> who`), written over the tables behind read.maps so the halves' GIN indexes find the
 * player's halves first (lineup A is the R1 attackers, or the R2 defenders without a usable R1).
 */
export async function playerMapRecord(db: SqlExecutor, guid8: string, sinceUnix: number): Promise<MapRecordRow[]> {
  const who = JSON.stringify([{ id: guid8 }]);
  const r = await db.query<{ map: string; maps: number; won: number; drawn: number }>(
    `with halves as (
       select round_id, attackers @> $1::jsonb as attacked, defenders @> $1::jsonb as defended
       from read.map_halves where attackers @> $1::jsonb or defenders @> $1::jsonb
     ), sides as (
       select m.map, m.result, m.winner_lineup,
              case when m.lineups_from = 'r1' then (case when h1.attacked then 'A' when h1.defended then 'B' end)
                   when m.lineups_from = 'r2' then (case when h2.defended then 'A' when h2.attacked then 'B' end) end as side
       from read.map_results m
       left join halves h1 on h1.round_id = m.r1_round_id
       left join halves h2 on h2.round_id = m.r2_round_id
       where (h1.round_id is not null or h2.round_id is not null)
         and m.result <> 'unknown' and coalesce(m.file_time_unix, 0) >= $2
     )
     select map, count(*)::int as maps, count(*) filter (where winner_lineup = side)::int as won,
            count(*) filter (where result = 'draw')::int as drawn
     from sides where side is not null group by map order by maps desc, map`,
    [who, sinceUnix],
  );
  return r.rows.map((x) => ({
    map: x.map,
    maps: Number(x.maps),
    won: Number(x.won),
    drawn: Number(x.drawn),
    lost: Number(x.maps) - Number(x.won) - Number(x.drawn),
  }));
}

export type DpmPoint = { startUnix: number; tz: string; damage: number; seconds: number; rounds: number };

/**
 * The player's damage and corrected time per session (rounds of one server closer than the gap),
 * oldest first: a point per evening he played.
 */
export async function playerDpmBySession(
  db: SqlExecutor,
  guid8: string,
  sinceUnix: number,
  gapSec: number,
): Promise<DpmPoint[]> {
  const r = await db.query<{ server_id: string; t: string; tz: string; damage: number; sec: number }>(
    `select r.server_id, r.file_time_unix as t, r.tz, p.damage_given as damage,
            case when 'r2Cumulative' = any(r.flags) then p.time_played_sec::float8
                 else coalesce(p.corrected_time_sec, p.time_played_sec) end as sec
     from read.player_stats p
     join read.rounds r on r.round_id = p.round_id
     where p.guid8 = $1 and p.team in (1, 2) and r.file_time_unix is not null and r.file_time_unix >= $2
     order by r.server_id, r.file_time_unix`,
    [guid8, sinceUnix],
  );
  const points: (DpmPoint & { serverId: string; lastUnix: number })[] = [];
  for (const row of r.rows) {
    const t = Number(row.t);
    const open = points[points.length - 1];
    if (open && open.serverId === row.server_id && t - open.lastUnix <= gapSec) {
      open.damage += Number(row.damage);
      open.seconds += Number(row.sec);
      open.rounds++;
      open.lastUnix = t;
    } else
      points.push({
        serverId: row.server_id,
        startUnix: t,
        lastUnix: t,
        tz: row.tz,
        damage: Number(row.damage),
        seconds: Number(row.sec),
        rounds: 1,
      });
  }
  return points
    .sort((a, b) => a.startUnix - b.startUnix)
    .map(({ startUnix, tz, damage, seconds, rounds }) => ({ startUnix, tz, damage, seconds, rounds }));
}
