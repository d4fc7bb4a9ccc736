// What the round and session posts read beyond a round's own rows: the round's map and evening
// (read.maps with the evening's logical teams), and a session's rounds, verdicts and rankings.
import type { Verdict } from '../../events/index.ts';
import { buildEvening, type EveningRound, type EveningRow } from '../../stats/evening.ts';
import { type MapExportRow, type MapRecord, mapColumns, mapExportRows, toStoredMap } from '../../stopwatch/mapRows.ts';
import type { SqlExecutor } from '../../store/sqlDatabase.ts';
import { isCumulative } from './renderFormat.ts';
import type { RoundContext } from './renderRoundSummary.ts';
import { camelKeys, verdictSchema } from './statsQueries.ts';

export type SessionRound = { verdict: Verdict | null; map: string; round: number; fileTimeUnix: number };

/** The sessions view's gap (minutes): the reader's setting `et_ledger.session_gap_min`, else 45. */
const sessionGapSql = "coalesce(nullif(current_setting('et_ledger.session_gap_min', true), '')::int, 45)";

/**
 * What a round summary shows beyond its verdict and rows: the round's stats flags and, for a half
 * of a stopwatch map, the map with the logical teams of its evening (the sessions view's gap).
 */
export async function roundContext(db: SqlExecutor, roundId: string): Promise<RoundContext> {
  const round = await db.query<{ flags: string[]; player_count: number }>(
    'select flags, player_count from read.rounds where round_id = $1',
    [roundId],
  );
  const target = await db.query<{ map_id: string; server_id: string; file_time_unix: string | null; gap_min: number }>(
    `select map_id, server_id, file_time_unix, ${sessionGapSql} as gap_min from read.map_results
     where r2_round_id = $1 or r1_round_id = $1 order by map_id limit 1`,
    [roundId],
  );
  let map: MapExportRow | null = null;
  const t = target.rows[0];
  if (t) {
    const rows = await eveningAround(
      db,
      t.server_id,
      t.map_id,
      t.file_time_unix === null ? null : Number(t.file_time_unix),
    );
    const exported = mapExportRows(rows.map(toStoredMap), Number(t.gap_min));
    const mine = rows.find((r) => r.map_id === t.map_id);
    map = exported.find((m) => m.r1RoundId === mine?.r1_round_id && m.r2RoundId === mine?.r2_round_id) ?? null;
  }
  const r = round.rows[0];
  return {
    flags: r?.flags ?? [],
    playerCount: r === undefined ? null : Number(r.player_count),
    map,
  };
}

/** The most maps read on each side of a round's map to find its evening (a 24/7 server never pauses). */
export const EVENING_REACH_MAPS = 200;

/**
 * The maps of the server around one map, in time order: up to EVENING_REACH_MAPS on each side by
 * the (server, time) index, never a pass over the server's history, so a post costs the same at
 * any history; mapExportRows then cuts the evening by the gap. A map without a file time is an
 * evening of its own (as the sessions view has it).
 */
async function eveningAround(
  db: SqlExecutor,
  serverId: string,
  mapId: string,
  fileTimeUnix: number | null,
): Promise<MapRecord[]> {
  if (fileTimeUnix === null) {
    return (await db.query<MapRecord>(`select ${mapColumns} from read.maps where map_id = $1`, [mapId])).rows;
  }
  const r = await db.query<MapRecord>(
    `(select ${mapColumns} from read.maps
      where server_id = $1 and file_time_unix <= $2 and (file_time_unix, map_id) <= ($2::bigint, $3::text)
      order by file_time_unix desc, map_id desc limit ${EVENING_REACH_MAPS})
     union all
     (select ${mapColumns} from read.maps
      where server_id = $1 and file_time_unix >= $2 and (file_time_unix, map_id) > ($2::bigint, $3::text)
      order by file_time_unix, map_id limit ${EVENING_REACH_MAPS})`,
    [serverId, fileTimeUnix, mapId],
  );
  return r.rows;
}

/** One session's rounds (with their standing verdicts), its maps, players, ranking and awards. */
export async function sessionByRounds(db: SqlExecutor, serverId: string, roundIds: string[], limit = 8) {
  const rounds = await db.query<{
    round_id: string;
    map: string;
    round: number;
    file_time_unix: number;
    flags: string[];
    stats_playtime_sec: number | null;
    tz: string;
    verdict: unknown;
  }>(
    `select r.round_id, r.map, r.round, r.file_time_unix, r.flags, r.stats_playtime_sec, r.tz,
            to_jsonb(v) - 'event_id' - 'position' as verdict
     from read.rounds r left join read.verdicts v on v.round_key = r.round_id
     where r.round_id = any($1::text[]) order by r.file_time_unix, r.round_id`,
    [roundIds],
  );
  const maps = await db.query<MapRecord>(
    `select ${mapColumns} from read.maps
     where r1_round_id = any($1::text[]) or r2_round_id = any($1::text[])`,
    [roundIds],
  );
  const rows = await db.query<Record<string, unknown>>(
    `select p.round_id, p.guid8, p.name, p.raw_name, p.team, r.file_time_unix, p.damage_given, p.kills, p.deaths,
            p.gibs, p.revives_given, p.shots, p.hits, p.objectives_stolen, p.objectives_returned,
            p.dynamites_planted, p.dynamites_defused, p.time_played_sec,
            p.corrected_time_sec as corrected_sec
     from read.player_stats p
     join read.rounds r on r.round_id = p.round_id
     where p.round_id = any($1::text[]) order by r.file_time_unix, p.round_id, p.line`,
    [roundIds],
  );
  const sessionRounds = rounds.rows.map((x): SessionRound & { flags: string[]; statsPlaytimeSec: number | null } => ({
    verdict: x.verdict ? verdictSchema.parse(camelKeys(x.verdict as Record<string, unknown>)) : null,
    map: x.map,
    round: Number(x.round),
    fileTimeUnix: Number(x.file_time_unix),
    flags: x.flags ?? [],
    statsPlaytimeSec: x.stats_playtime_sec === null ? null : Number(x.stats_playtime_sec),
  }));
  const eveningRounds = rounds.rows.map((x, i): EveningRound => {
    const r = sessionRounds[i]!;
    return {
      roundId: x.round_id,
      fightingTimeSec: r.verdict?.fightingTimeSec ?? r.statsPlaytimeSec,
      cumulative: isCumulative(r.flags, r.verdict),
    };
  });
  const n = (v: unknown) => Number(v ?? 0);
  const eveningRows = rows.rows.map(
    (p): EveningRow => ({
      roundId: String(p.round_id),
      guid8: String(p.guid8),
      name: String(p.name),
      rawName: String(p.raw_name),
      team: n(p.team),
      fileTimeUnix: p.file_time_unix === null ? null : n(p.file_time_unix),
      damageGiven: n(p.damage_given),
      kills: n(p.kills),
      deaths: n(p.deaths),
      gibs: n(p.gibs),
      revivesGiven: n(p.revives_given),
      shots: n(p.shots),
      hits: n(p.hits),
      objectivesStolen: n(p.objectives_stolen),
      objectivesReturned: n(p.objectives_returned),
      dynamitesPlanted: n(p.dynamites_planted),
      dynamitesDefused: n(p.dynamites_defused),
      timePlayedSec: n(p.time_played_sec),
      correctedTimeSec: p.corrected_sec === null || p.corrected_sec === undefined ? null : n(p.corrected_sec),
    }),
  );
  const evening = buildEvening({ maps: maps.rows.map(toStoredMap), rounds: eveningRounds, rows: eveningRows });
  const times = rounds.rows.map((x) => Number(x.file_time_unix));
  return {
    serverId,
    /** The game server's zone (its latest round's): the one rule for times in posts. */
    tz: rounds.rows.at(-1)?.tz ?? null,
    // A loop, not Math.min(...times): a long session's spread overflows the stack.
    firstUnix: times.reduce((m, t) => Math.min(m, t), Number.POSITIVE_INFINITY),
    lastUnix: times.reduce((m, t) => Math.max(m, t), Number.NEGATIVE_INFINITY),
    rounds: sessionRounds.map(
      ({ verdict, map, round, fileTimeUnix }): SessionRound => ({ verdict, map, round, fileTimeUnix }),
    ),
    evening,
    top: evening.ranked.slice(0, limit),
  };
}

/** The latest session of the sessions view (its gap rule). */
export async function lastSession(db: SqlExecutor) {
  const s = await db.query<{ server_id: string; ids: string[] }>(
    `select server_id, array_agg(round_id) as ids from read.sessions
     group by session_id, server_id order by max(file_time_unix) desc limit 1`,
  );
  const session = s.rows[0];
  return session ? sessionByRounds(db, session.server_id, session.ids, 5) : null;
}

export type LastSession = Awaited<ReturnType<typeof sessionByRounds>>;
