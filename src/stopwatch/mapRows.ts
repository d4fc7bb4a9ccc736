// `et-ledger export maps`: the maps read model's rows with the evening's logical teams (pure). The
// evening is a reader's setting (the session gap), so teams and points are derived here, per
// session, from the stored lineups (src/stopwatch/logicalTeams.ts).
import type { LineupPlayer } from './decideMap.ts';
import { scoreSession } from './logicalTeams.ts';

/** A row of read.maps as readRows gives it (camelCase). */
export type StoredMapRow = {
  mapId: string;
  serverId: string;
  map: string;
  fileTimeUnix: number | string | null;
  r1RoundId: string | null;
  r1FileName: string | null;
  r2RoundId: string | null;
  r2FileName: string | null;
  timeSetSec: number | null;
  r2TimeSec: number | null;
  result: string;
  winnerLineup: 'A' | 'B' | null;
  pointsA: number;
  pointsB: number;
  lineupA: LineupPlayer[];
  lineupB: LineupPlayer[];
  flags: string[];
};

/** The stored fields a reader sees as they are. */
type KeptFields =
  | 'serverId'
  | 'map'
  | 'r1RoundId'
  | 'r1FileName'
  | 'r2RoundId'
  | 'r2FileName'
  | 'timeSetSec'
  | 'r2TimeSec'
  | 'result'
  | 'flags';

export type MapExportRow = Pick<StoredMapRow, KeptFields> & {
  fileTimeUtc: string | null;
  /** the first map of the evening's time, as an id for the evening */
  sessionStartUtc: string | null;
  winnerTeam: string | null;
  teamA: string;
  teamB: string;
  teamAPoints: number;
  teamBPoints: number;
};

/** The columns of read.maps, as every reader of them selects them. */
export const mapColumns = `map_id, server_id, map, file_time_unix, r1_round_id, r1_file_name, r2_round_id, r2_file_name,
  time_set_sec, r2_time_sec, result, winner_lineup, points_a, points_b, lineup_a, lineup_b, flags`;

/** A read.maps row as the driver returns it. */
export type MapRecord = {
  map_id: string;
  server_id: string;
  map: string;
  file_time_unix: number | string | null;
  r1_round_id: string | null;
  r1_file_name: string | null;
  r2_round_id: string | null;
  r2_file_name: string | null;
  time_set_sec: number | null;
  r2_time_sec: number | null;
  result: string;
  winner_lineup: 'A' | 'B' | null;
  points_a: number;
  points_b: number;
  lineup_a: unknown;
  lineup_b: unknown;
  flags: string[];
};

const json = <T>(v: unknown): T => (typeof v === 'string' ? JSON.parse(v) : v) as T;

/** A read.maps row with its numbers and lineups decoded. */
export const toStoredMap = (m: MapRecord): StoredMapRow => ({
  mapId: m.map_id,
  serverId: m.server_id,
  map: m.map,
  fileTimeUnix: m.file_time_unix === null ? null : Number(m.file_time_unix),
  r1RoundId: m.r1_round_id,
  r1FileName: m.r1_file_name,
  r2RoundId: m.r2_round_id,
  r2FileName: m.r2_file_name,
  timeSetSec: m.time_set_sec === null ? null : Number(m.time_set_sec),
  r2TimeSec: m.r2_time_sec === null ? null : Number(m.r2_time_sec),
  result: m.result,
  winnerLineup: m.winner_lineup,
  pointsA: Number(m.points_a),
  pointsB: Number(m.points_b),
  lineupA: json(m.lineup_a),
  lineupB: json(m.lineup_b),
  flags: m.flags ?? [],
});

const iso = (t: number | null) => (t === null ? null : new Date(t * 1000).toISOString());

/** Rows per server in time order; a gap of more than `gapMin` minutes between maps starts an evening. */
export function mapExportRows(rows: readonly StoredMapRow[], gapMin: number): MapExportRow[] {
  const time = (r: StoredMapRow) => (r.fileTimeUnix === null ? null : Number(r.fileTimeUnix));
  const sorted = [...rows].sort(
    (a, b) =>
      (a.serverId < b.serverId ? -1 : a.serverId > b.serverId ? 1 : 0) ||
      (time(a) ?? Number.POSITIVE_INFINITY) - (time(b) ?? Number.POSITIVE_INFINITY) ||
      (a.mapId < b.mapId ? -1 : 1),
  );
  const sessions: StoredMapRow[][] = [];
  for (const row of sorted) {
    const last = sessions.at(-1)?.at(-1);
    const t = time(row);
    const lastT = last ? time(last) : null;
    const joins = last && last.serverId === row.serverId && t !== null && lastT !== null && t - lastT <= gapMin * 60;
    if (joins) sessions.at(-1)!.push(row);
    else sessions.push([row]);
  }
  return sessions.flatMap((session) => {
    const score = scoreSession(session);
    const [teamA, teamB] = score.teams.map((t) => t.name) as [string, string];
    return session.map((row, i): MapExportRow => {
      const a = score.lineupA[i]!;
      const winnerLogical = row.winnerLineup === null ? null : row.winnerLineup === 'A' ? a : 1 - a;
      return {
        serverId: row.serverId,
        map: row.map,
        fileTimeUtc: iso(time(row)),
        sessionStartUtc: iso(time(session[0]!)),
        r1RoundId: row.r1RoundId,
        r1FileName: row.r1FileName,
        r2RoundId: row.r2RoundId,
        r2FileName: row.r2FileName,
        timeSetSec: row.timeSetSec,
        r2TimeSec: row.r2TimeSec,
        result: row.result,
        winnerTeam: winnerLogical === null ? null : winnerLogical === 0 ? teamA : teamB,
        teamA,
        teamB,
        teamAPoints: a === 0 ? row.pointsA : row.pointsB,
        teamBPoints: a === 0 ? row.pointsB : row.pointsA,
        flags: row.flags,
      };
    });
  });
}
