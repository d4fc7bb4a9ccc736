// The stopwatch maps read model: a map is an R1 and its R2 (the pairing of src/parser/pairRounds.ts),
// decided by src/stopwatch/decideMap.ts from the stats headers and the verdicts' fighting times.
// Follows the correlator: only the active generation's verdicts give the times.
import { isVerdict } from '../src/events/index.ts';
import type { ParsedStatsRound } from '../src/parser/statsFile.ts';
import { defineProjection } from '../src/runtime/projection.ts';
import { decideMap, type LineupPlayer, type MapHalf } from '../src/stopwatch/decideMap.ts';
import { insertRows } from '../src/store/insertRows.ts';
import { type SqlExecutor, sqlFile } from '../src/store/sqlDatabase.ts';
import { collectGroups, pairingMoved, pairNear, statsFactsSql, storeStatsFacts } from './support/statsFacts.ts';

/** Bump when a map's decision changes: `et-ledger rebuild maps`. */
const version = 1;

export const maps = defineProjection({
  name: 'maps',
  version,
  follows: 'correlator',
  schemaSql: async () => `${await statsFactsSql()}\n${await sqlFile(import.meta.url, 'maps.sql')}`,
  tables: {
    map_halves: { key: ['round_id'] },
    map_timing: { key: ['round_id'] },
    maps: { key: ['map_id'] },
  },
  on: {
    StatsFileArrived: async (items, { tx }) => {
      const stored = await storeStatsFacts(tx, items);
      if (stored.length === 0) return;
      await saveHalves(
        tx,
        stored.map((f) => ({ roundId: f.factId, round: f.round, fileTimeUnix: f.timing.fileTimeUnix })),
      );
      const touched = new Set(stored.map((f) => f.factId));
      for (const group of collectGroups(stored)) {
        const pairs = await pairNear(tx, group);
        const recorded = new Map(
          (
            await tx.query<{ round_id: string; r1_round_id: string | null }>(
              'select round_id, r1_round_id from map_halves where round_id = any($1::text[])',
              [pairs.map((p) => p.r2Id)],
            )
          ).rows.map((r) => [r.round_id, r.r1_round_id]),
        );
        const moved = pairs.filter((p) => pairingMoved(p, recorded));
        if (moved.length === 0) continue;
        await tx.query(
          `update map_halves set r1_round_id = x.r1, file_time_unix = x.t
           from unnest($1::text[], $2::text[], $3::bigint[]) as x(r2, r1, t) where round_id = x.r2`,
          [moved.map((p) => p.r2Id), moved.map((p) => p.r1Id), moved.map((p) => p.r2FileTimeUnix)],
        );
        for (const p of moved) {
          touched.add(p.r2Id);
          const before = recorded.get(p.r2Id);
          if (before) touched.add(before);
          if (p.r1Id) touched.add(p.r1Id);
        }
      }
      await decideMaps(tx, touched);
    },
    RoundTimingReconciled: async (items, { tx }) => {
      const latest = new Map<string, { fightingTimeSec: number | null; surrender: boolean; abort: boolean }>();
      for (const { event } of items) {
        const v = event.data;
        if (!isVerdict(v) || v.statsFactId === null) continue;
        latest.set(v.statsFactId, {
          fightingTimeSec: v.fightingTimeSec,
          surrender: v.surrender,
          abort: v.flags.includes('suspectedAbort'),
        });
      }
      if (latest.size === 0) return;
      await tx.query('delete from map_timing where round_id = any($1::text[])', [[...latest.keys()]]);
      await insertRows(
        tx,
        'map_timing',
        [...latest].map(([id, t]) => ({
          round_id: id,
          fighting_time_sec: t.fightingTimeSec,
          surrender: t.surrender,
          suspected_abort: t.abort,
        })),
      );
      await decideMaps(tx, new Set(latest.keys()));
    },
    RoundVerdictRetracted: async (items, { tx }) => {
      const ids = items.flatMap(({ event }) => (event.data.statsFactId ? [event.data.statsFactId] : []));
      if (ids.length === 0) return;
      await tx.query('delete from map_timing where round_id = any($1::text[])', [ids]);
      await decideMaps(tx, new Set(ids));
    },
  },
});

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

async function saveHalves(
  tx: SqlExecutor,
  halves: { roundId: string; round: ParsedStatsRound; fileTimeUnix: number | null }[],
): Promise<void> {
  const ids = halves.map((h) => h.roundId);
  // A revision of a file keeps its pairing: only the half's own columns are replaced.
  const pairedTo = new Map(
    (
      await tx.query<{ round_id: string; r1_round_id: string | null; file_time_unix: string | null }>(
        'select round_id, r1_round_id, file_time_unix from map_halves where round_id = any($1::text[])',
        [ids],
      )
    ).rows.map((r) => [r.round_id, r]),
  );
  await tx.query('delete from map_halves where round_id = any($1::text[])', [ids]);
  await insertRows(
    tx,
    'map_halves',
    halves.map(({ roundId, round, fileTimeUnix }) => {
      const before = pairedTo.get(roundId);
      return {
        round_id: roundId,
        server_id: (round as ParsedStatsRound & { serverId: string }).serverId,
        map: round.map,
        round: round.round,
        file_name: round.fileName,
        file_time_unix: before?.r1_round_id ? Number(before.file_time_unix) : fileTimeUnix,
        defender: round.defender,
        winner: round.winner,
        time_limit_sec: round.timeLimitSec,
        stats_playtime_sec: round.statsPlaytimeSec,
        aborted: round.winner === 0 || round.flags.includes('aborted') || round.flags.includes('shutdownWritten'),
        ...lineups(round),
        r1_round_id: before?.r1_round_id ?? null,
      };
    }),
  );
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
  attackers: LineupPlayer[];
  defenders: LineupPlayer[];
  r1_round_id: string | null;
  fighting_time_sec: number | null;
  surrender: boolean | null;
  suspected_abort: boolean | null;
};

/**
 * Decides again every map that holds one of `touched`: its R1, the R2s paired with it, and the R1
 * of each R2; the maps these rounds formed before are replaced.
 */
async function decideMaps(tx: SqlExecutor, touched: Set<string>): Promise<void> {
  const rows = (
    await tx.query<HalfRow>(
      `with seed as (select unnest($1::text[]) as id),
       involved as (
         select id from seed
         union select h.round_id from map_halves h join seed on h.r1_round_id = seed.id
         union select h.r1_round_id from map_halves h join seed on h.round_id = seed.id where h.r1_round_id is not null
       )
       select h.*, t.fighting_time_sec, t.surrender, t.suspected_abort
       from map_halves h join involved i on h.round_id = i.id left join map_timing t on t.round_id = h.round_id`,
      [[...touched]],
    )
  ).rows;
  const ids = rows.map((r) => r.round_id);
  await tx.query(
    'delete from maps where map_id = any($1::text[]) or r1_round_id = any($1::text[]) or r2_round_id = any($1::text[])',
    [ids],
  );
  const byId = new Map(rows.map((r) => [r.round_id, r]));
  const r1Taken = new Set(rows.flatMap((r) => (r.round === 2 && r.r1_round_id ? [r.r1_round_id] : [])));
  // An R1 paired with an R2 outside this set (not loaded) still belongs to that R2's map.
  const pairedElsewhere = new Set(
    (
      await tx.query<{ r1_round_id: string }>(
        'select r1_round_id from map_halves where r1_round_id = any($1::text[])',
        [rows.filter((r) => r.round === 1).map((r) => r.round_id)],
      )
    ).rows.map((r) => r.r1_round_id),
  );
  const decided = [];
  for (const row of rows) {
    if (row.round === 2) {
      const r1 = row.r1_round_id ? (byId.get(row.r1_round_id) ?? null) : null;
      decided.push({ id: r1?.round_id ?? row.round_id, r1, r2: row });
    } else if (!r1Taken.has(row.round_id) && !pairedElsewhere.has(row.round_id)) {
      decided.push({ id: row.round_id, r1: row, r2: null });
    }
  }
  await insertRows(
    tx,
    'maps',
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
        lineup_a: m.lineupA,
        lineup_b: m.lineupB,
        flags: m.flags,
      };
    }),
  );
}

function half(r: HalfRow): MapHalf {
  return {
    roundId: r.round_id,
    fileName: r.file_name,
    fileTimeUnix: r.file_time_unix === null ? null : Number(r.file_time_unix),
    defender: r.defender,
    winner: r.winner,
    timeLimitSec: r.time_limit_sec,
    fightingTimeSec: r.fighting_time_sec ?? r.stats_playtime_sec,
    surrender: r.surrender ?? false,
    aborted: r.aborted || (r.suspected_abort ?? false),
    attackers: r.attackers,
    defenders: r.defenders,
  };
}
