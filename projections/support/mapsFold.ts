// The stopwatch maps kept by the rounds projection (its tables map_halves, map_timing, map_results
// and the view maps; SQL beside this file, maps.sql): a map is an R1 and its R2 by the rounds projection's own pairing, decided
// by src/stopwatch/decideMap.ts from the stats headers, the lineups and the verdicts' fighting times.
import type { ParsedStatsRound } from '../../src/parser/statsFile.ts';
import { decideMap, type LineupPlayer, type MapHalf } from '../../src/stopwatch/decideMap.ts';
import { insertRows } from '../../src/store/insertRows.ts';
import type { SqlExecutor } from '../../src/store/sqlDatabase.ts';
import { withKeyLookups } from './keyLookups.ts';
import type { StoredRound } from './statsFacts.ts';

/** Sides at the last snapshot: the defending side's players defend, the other side's attack. */
function lineups(round: ParsedStatsRound): { attackers: LineupPlayer[]; defenders: LineupPlayer[] } {
  const attackers: LineupPlayer[] = [];
  const defenders: LineupPlayer[] = [];
  for (const p of round.players) {
    if (p.team !== 1 && p.team !== 2) continue;
    const player = { id: p.guid8 === '' ? `name:${p.rawName}` : p.guid8, name: p.name };
    (p.team === round.defender ? defenders : attackers).push(player);
  }
  return { attackers, defenders };
}

/**
 * Each written round's half, with the pairing the rounds projection decided (r1Id of an R2). Returns
 * the rounds whose maps must be decided again: these, their R1s, and the R1s they were paired with.
 */
export async function saveHalves(
  tx: SqlExecutor,
  halves: { roundId: string; round: StoredRound; fileTimeUnix: number | null; r1Id: string | null }[],
): Promise<Set<string>> {
  const ids = halves.map((h) => h.roundId);
  const touched = new Set(ids);
  if (ids.length === 0) return touched;
  for (const r of (
    await tx.query<{ r1_round_id: string }>(
      'select r1_round_id from map_halves where round_id = any($1::text[]) and r1_round_id is not null',
      [ids],
    )
  ).rows)
    touched.add(r.r1_round_id);
  for (const h of halves) if (h.r1Id) touched.add(h.r1Id);
  await tx.query('delete from map_halves where round_id = any($1::text[])', [ids]);
  await insertRows(
    tx,
    'map_halves',
    halves.map(({ roundId, round, fileTimeUnix, r1Id }) => {
      return {
        round_id: roundId,
        server_id: round.serverId,
        map: round.map,
        round: round.round,
        file_name: round.fileName,
        file_time_unix: fileTimeUnix,
        defender: round.defender,
        winner: round.winner,
        time_limit_sec: round.timeLimitSec,
        stats_playtime_sec: round.statsPlaytimeSec,
        aborted: round.winner === 0 || round.flags.includes('aborted') || round.flags.includes('shutdownWritten'),
        ...lineups(round),
        r1_round_id: r1Id,
      };
    }),
  );
  return touched;
}

type HalfRow = {
  round_id: string;
  server_id: string;
  map: string;
  round: number;
  file_name: string;
  file_time_unix: string | null;
  defender: number;
  winner: number;
  time_limit_sec: number;
  stats_playtime_sec: number | null;
  aborted: boolean;
  player_count: number;
  r1_round_id: string | null;
  fighting_time_sec: number | null;
  surrender: boolean | null;
  suspected_abort: boolean | null;
};

/**
 * Decides again every map that holds one of `touched`: its R1, the R2s paired with it, and the R1
 * of each R2; the maps these rounds formed before are replaced.
 */
export async function decideMaps(tx: SqlExecutor, touched: Set<string>): Promise<void> {
  // Keys only (keyLookups.ts): the planner took a batch's thousand rounds as a reason to read every
  // half of the history, and every map of it to find the maps those rounds formed.
  const rows = await withKeyLookups(tx, () => replaceMapsOf(tx, touched));
  const byId = new Map(rows.map((r) => [r.round_id, r]));
  // Every R2 paired with a loaded R1 is loaded too (replaceMapsOf's second branch): an R1 no loaded R2
  // takes stands alone.
  const r1Taken = new Set(rows.flatMap((r) => (r.round === 2 && r.r1_round_id ? [r.r1_round_id] : [])));
  const decided = [];
  for (const row of rows) {
    if (row.round === 2) {
      const r1 = row.r1_round_id ? (byId.get(row.r1_round_id) ?? null) : null;
      decided.push({ id: r1?.round_id ?? row.round_id, r1, r2: row });
    } else if (!r1Taken.has(row.round_id)) {
      decided.push({ id: row.round_id, r1: row, r2: null });
    }
  }
  await insertRows(
    tx,
    'map_results',
    decided.map(({ id, r1, r2 }) => {
      const m = decideMap(r1 && half(r1), r2 && half(r2));
      const first = r1 ?? r2!;
      return {
        map_id: id,
        server_id: first.server_id,
        map: first.map,
        file_time_unix: first.file_time_unix === null ? null : Number(first.file_time_unix),
        r1_round_id: r1?.round_id ?? null,
        r1_file_name: r1?.file_name ?? null,
        r2_round_id: r2?.round_id ?? null,
        r2_file_name: r2?.file_name ?? null,
        time_set_sec: m.timeSetSec,
        r2_time_sec: m.r2TimeSec,
        result: m.result,
        winner_lineup: m.winner,
        points_a: m.pointsA,
        points_b: m.pointsB,
        lineups_from: m.lineupsFrom,
        flags: m.flags,
      };
    }),
  );
  await saveMapPlayers(
    tx,
    decided.map((d) => d.id),
  );
}

/**
 * The lineups of these maps, a row per player: lineup A is the R1 attackers (or, without a usable
 * R1, the R2 defenders), as the maps view has it; maps without a result keep no rows.
 */
async function saveMapPlayers(tx: SqlExecutor, mapIds: string[]): Promise<void> {
  if (mapIds.length === 0) return;
  await tx.query(
    `insert into map_players (map_id, guid8, server_id, map, file_time_unix, lineup, won, drawn)
     select distinct on (m.map_id, p.player ->> 'id')
            m.map_id, p.player ->> 'id', m.server_id, m.map, m.file_time_unix, p.lineup,
            coalesce(m.winner_lineup = p.lineup, false), m.result = 'draw'
     from map_results m
     join map_halves h on h.round_id = case m.lineups_from when 'r1' then m.r1_round_id else m.r2_round_id end
     cross join lateral (
       select x.player, case when (m.lineups_from = 'r1') = x.attacked then 'A' else 'B' end as lineup
       from (select a as player, true as attacked from jsonb_array_elements(h.attackers) a
             union all select d, false from jsonb_array_elements(h.defenders) d) x
     ) p
     where m.map_id = any($1::text[]) and m.result <> 'unknown' and m.lineups_from in ('r1', 'r2')
     -- a player on both sides of a half counts on lineup A, as the maps view's readers had it
     order by m.map_id, p.player ->> 'id', p.lineup`,
    [mapIds],
  );
}

/** The halves of the maps `touched` belongs to, their maps' rows deleted (decided again by the caller). */
async function replaceMapsOf(tx: SqlExecutor, touched: Set<string>): Promise<HalfRow[]> {
  const { rows } = await tx.query<HalfRow>(
    `with seed as (select unnest($1::text[]) as id),
     involved as (
       select id from seed
       union select h.round_id from map_halves h join seed on h.r1_round_id = seed.id
       union select h.r1_round_id from map_halves h join seed on h.round_id = seed.id where h.r1_round_id is not null
     )
     select h.round_id, h.server_id, h.map, h.round, h.file_name, h.file_time_unix, h.defender, h.winner,
            h.time_limit_sec, h.stats_playtime_sec, h.aborted, h.r1_round_id,
            jsonb_array_length(h.attackers) + jsonb_array_length(h.defenders) as player_count,
            t.fighting_time_sec, t.surrender, t.suspected_abort
     from map_halves h join involved i on h.round_id = i.id left join map_timing t on t.round_id = h.round_id`,
    [[...touched]],
  );
  const ids = rows.map((r) => r.round_id);
  const gone = await tx.query<{ map_id: string }>(
    'delete from map_results where map_id = any($1::text[]) or r1_round_id = any($1::text[]) or r2_round_id = any($1::text[]) returning map_id',
    [ids],
  );
  if (gone.rows.length > 0)
    await tx.query('delete from map_players where map_id = any($1::text[])', [gone.rows.map((r) => r.map_id)]);
  return rows;
}

function half(r: HalfRow): MapHalf {
  return {
    defender: r.defender,
    winner: r.winner,
    timeLimitSec: r.time_limit_sec,
    fightingTimeSec: r.fighting_time_sec ?? r.stats_playtime_sec,
    surrender: r.surrender ?? false,
    aborted: r.aborted || (r.suspected_abort ?? false),
    playerCount: Number(r.player_count),
  };
}
