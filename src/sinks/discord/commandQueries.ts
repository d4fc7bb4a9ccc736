// Read-model queries of the newer slash commands (/link, /compare, /map, /session DATE).
import { type MapExportRow, type MapRecord, mapColumns, mapExportRows, toStoredMap } from '../../stopwatch/mapRows.ts';
import type { SqlExecutor } from '../../store/sqlDatabase.ts';

/** The GUID a Discord user linked, or null. */
export async function linkedGuid(db: SqlExecutor, discordUserId: string): Promise<string | null> {
  const r = await db.query<{ guid: string }>('select guid from read.account_links where discord_user_id = $1', [
    discordUserId,
  ]);
  return r.rows[0]?.guid ?? null;
}

/**
 * Every map of the servers that played `map` (lower case, colour codes aside), as export rows: the
 * evenings' teams need their other maps too. The session gap is the reader's setting.
 */
export async function mapsNamed(db: SqlExecutor, map: string, gapMin: number): Promise<MapExportRow[]> {
  const r = await db.query<MapRecord>(
    `select ${mapColumns} from read.maps where server_id in (select server_id from read.maps where lower(map) = lower($1))`,
    [map],
  );
  return mapExportRows(r.rows.map(toStoredMap), gapMin).filter((m) => m.map.toLowerCase() === map.toLowerCase());
}

/** Per player on a map: maps played, won, drawn (a player is on the team of the lineup he played in). */
export async function mapRecords(
  db: SqlExecutor,
  map: string,
): Promise<{ id: string; name: string; played: number; won: number; drawn: number }[]> {
  const r = await db.query<{
    lineup_a: { id: string; name: string }[];
    lineup_b: { id: string; name: string }[];
    winner_lineup: string | null;
    result: string;
  }>(
    `select lineup_a, lineup_b, winner_lineup, result from read.maps where lower(map) = lower($1) and result <> 'unknown'`,
    [map],
  );
  const players = new Map<string, { id: string; name: string; played: number; won: number; drawn: number }>();
  for (const m of r.rows) {
    for (const [lineup, side] of [
      [m.lineup_a, 'A'],
      [m.lineup_b, 'B'],
    ] as const) {
      for (const p of lineup) {
        const rec = players.get(p.id) ?? { id: p.id, name: p.name, played: 0, won: 0, drawn: 0 };
        rec.name = p.name;
        rec.played++;
        if (m.result === 'draw') rec.drawn++;
        else if (m.winner_lineup === side) rec.won++;
        players.set(p.id, rec);
      }
    }
  }
  return [...players.values()].sort((a, b) => b.won - a.won || b.played - a.played || (a.name < b.name ? -1 : 1));
}

/** The round ids of the session (gap rule) of `serverId` that started on a UTC date, or the latest. */
export async function sessionRounds(
  db: SqlExecutor,
  date: string | null,
): Promise<{ serverId: string; ids: string[] } | null> {
  const r = await db.query<{ server_id: string; ids: string[] }>(
    `select server_id, array_agg(round_id order by file_time_unix, round_id) as ids, min(file_time_unix) as first
     from read.sessions group by server_id, session_id
     having $1::date is null or to_timestamp(min(file_time_unix))::date = $1::date
     order by min(file_time_unix) desc limit 1`,
    [date],
  );
  const row = r.rows[0];
  return row ? { serverId: row.server_id, ids: row.ids } : null;
}
