// The player page's reads: totals over a period as /stats has them (rates divide sums, time is the
// verdict's corrected time), the per-map record from the maps' lineups, and DPM per day over time;
// from the per-player sums the rounds projection keeps, so a page costs the same at any history.
import { playerTotals, type Totals } from '../sinks/discord/statsQueries.ts';
import type { SqlExecutor } from '../store/sqlDatabase.ts';

export type PlayerIdentity = {
  guid8: string;
  name: string;
  names: string[];
  rounds: number;
  lastSeenUnix: number | null;
};

/** Who a GUID is: the all-time sums' latest name, and the names of his latest days (read.player_days). */
export async function playerIdentity(db: SqlExecutor, guid8: string): Promise<PlayerIdentity | null> {
  const t = await db.query<{ last_name: string; rounds: number; last_unix: string }>(
    'select last_name, rounds, last_unix from read.player_totals where guid8 = $1',
    [guid8],
  );
  const total = t.rows[0];
  if (!total) return null;
  const names = await db.query<{ last_name: string }>(
    `select last_name from read.player_days where guid8 = $1
     group by last_name order by max(day_unix) desc limit 10`,
    [guid8],
  );
  return {
    guid8,
    name: total.last_name,
    names: [total.last_name, ...names.rows.map((x) => x.last_name).filter((n) => n !== total.last_name)],
    rounds: Number(total.rounds),
    lastSeenUnix: Number(total.last_unix) || null,
  };
}

export { playerTotals, type Totals };

export type MapRecordRow = { map: string; maps: number; won: number; drawn: number; lost: number };

/**
 * Stopwatch maps with a result that the player played in either lineup (lineup A is the R1
 * attackers, or the R2 defenders without a usable R1): read.map_players, a row per map and player
 * kept with the map's result, so the record is one index range whatever the player's history.
 */
export async function playerMapRecord(db: SqlExecutor, guid8: string, sinceUnix: number): Promise<MapRecordRow[]> {
  const r = await db.query<{ map: string; maps: number; won: number; drawn: number }>(
    `select map, count(*)::int as maps, count(*) filter (where won)::int as won,
            count(*) filter (where drawn)::int as drawn
     from read.map_players where guid8 = $1 and coalesce(file_time_unix, 0) >= $2
     group by map order by maps desc, map`,
    [guid8, sinceUnix],
  );
  return r.rows.map((x) => ({
    map: x.map,
    maps: Number(x.maps),
    won: Number(x.won),
    drawn: Number(x.drawn),
    lost: Number(x.maps) - Number(x.won) - Number(x.drawn),
  }));
}

export type DpmPoint = { dayUnix: number; damage: number; seconds: number; rounds: number };

/**
 * The player's damage and corrected time per UTC day he played, oldest first (read.player_days:
 * a row per day, whatever his number of rounds).
 */
export async function playerDpmByDay(db: SqlExecutor, guid8: string, sinceUnix: number): Promise<DpmPoint[]> {
  const r = await db.query<{ day_unix: string; damage: string; corrected_sec: number; rounds: number }>(
    `select day_unix, damage, corrected_sec, rounds from read.player_days
     where guid8 = $1 and day_unix > 0 and day_unix >= $2::bigint - 86399 order by day_unix`,
    [guid8, sinceUnix],
  );
  return r.rows.map((x) => ({
    dayUnix: Number(x.day_unix),
    damage: Number(x.damage),
    seconds: Number(x.corrected_sec),
    rounds: Number(x.rounds),
  }));
}
