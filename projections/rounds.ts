// The rounds read model: rounds, player_stats (+ full GUIDs from verdicts), player_weapon_stats (a view),
// sessions. An R2 is paired with its R1 from facts only (src/parser/pairRounds.ts) and shows its
// own half: R2 − R1 where the file is cumulative (spec/stats-file.md §3.1).
import type { DerivedFact } from '../src/events/index.ts';
import { unpairedRound2 } from '../src/parser/statsFile.ts';
import { defineProjection, type EventMeta } from '../src/runtime/projection.ts';
import { insertRows, type Row } from '../src/store/insertRows.ts';
import { type SqlExecutor, sqlFile } from '../src/store/sqlDatabase.ts';
import { settlePlayerSums } from './support/deferredPlayerSums.ts';
import { decideMaps, saveHalves } from './support/mapsFold.ts';
import { pairNear } from './support/pairNear.ts';
import { playerTotalsSql, refreshPlayerTotals } from './support/playerTotals.ts';
import { showVerdicts } from './support/roundVerdicts.ts';
import {
  collectGroups,
  pairingMoved,
  revisedHalf,
  roundsOf,
  type StoredRound,
  type StoredStatsFact,
  statsFactsSql,
  storeStatsFacts,
} from './support/statsFacts.ts';
import { weaponTuples, weaponViewSql } from './support/weaponTuples.ts';
import { applyZoneCorrections, inCorrectedZones } from './support/zoneCorrections.ts';

/** Bump when the parser or the fold changes what a row holds: `et-ledger rebuild rounds`. */
// v3: a round is its server and file name; a revision of the file replaces it. v4: every reading of
// a DST-ambiguous file time is paired; an unreadable R2 time and an unpaired shutdown R2 are kept.
// v5: stopwatch maps (map_halves, map_timing, maps). v6: zone corrections (ServerZoneCorrected).
// v7: map_players (a player's per-map record without a search over every half). v8: R1/R2 pairing
// grows along pairing edges only (support/pairNear.ts, stats_facts indexes); an R1 its R2 leaves
// takes its first reading again. v9: weapons as an array in the player's row, player_weapon_stats a
// view of it (support/weaponTuples.ts). v10: player sums move by each round's contribution
// (player_round_sums in support/playerTotals.sql) instead of summing touched days again. v11: a
// build catching up sums its players once at the log's head (support/deferredPlayerSums.ts). v12: a
// round stops showing a verdict that another round's verdict supersedes (support/roundVerdicts.ts); parser
// stats/2 (bots told apart in the R2 differential, an R1's lost line, f9 = 0, names' control bytes).
const version = 12;

export const rounds = defineProjection({
  name: 'rounds',
  version,
  // The verdicts' per-player join gives player_stats its full GUIDs: only the active generation's.
  follows: 'correlator',
  schemaSql: async () =>
    [
      await statsFactsSql(),
      await sqlFile(import.meta.url, 'rounds.sql'),
      weaponViewSql(),
      await mapsSql(),
      await playerTotalsSql(),
    ].join('\n'),
  tables: {
    rounds: { key: ['round_id'] },
    player_stats: { key: ['round_id', 'line'] },
    // A view of player_rows.weapons (support/weaponTuples.ts), with the key the table had.
    player_weapon_stats: { key: ['round_id', 'line', 'weapon_id'], changesWith: 'player_stats' },
    sessions: { key: ['server_id', 'round_id'] },
    // Stopwatch maps (projections/support/mapsFold.ts): this projection's pairing is the one pairing.
    map_halves: { key: ['round_id'] },
    map_timing: { key: ['round_id'] },
    map_results: { key: ['map_id'] },
    map_players: { key: ['map_id', 'guid8'] },
    maps: { key: ['map_id'] },
    // Per-player sums per UTC day and over all time (projections/support/playerTotals.ts).
    player_days: { key: ['guid8', 'day_unix'] },
    player_totals: { key: ['guid8'] },
  },
  // The player sums a build deferred while it caught up, summed once at the log's head.
  caughtUp: settlePlayerSums,
  on: {
    StatsFileArrived: async (items, { tx }) => {
      await writeStatsRounds(tx, await storeStatsFacts(tx, await inCorrectedZones(tx, items)));
    },
    ServerZoneCorrected: async (items, { tx }) => {
      const refeed = await applyZoneCorrections(tx, items);
      if (refeed.length > 0) await writeStatsRounds(tx, await storeStatsFacts(tx, refeed, { rezoned: true }));
    },
    // Both derived facts through one fold: a verdict may also take another round's verdict away.
    RoundVerdictRetracted: (items, { tx }) => showRoundVerdicts(tx, items),
    RoundTimingReconciled: (items, { tx }) => showRoundVerdicts(tx, items),
  },
});

/** A run of derived facts: what each stats round shows, then its maps and its players' sums. */
async function showRoundVerdicts(
  tx: SqlExecutor,
  items: readonly { event: { data: DerivedFact }; meta: EventMeta }[],
): Promise<void> {
  const changed = await showVerdicts(tx, items);
  await refreshPlayerTotals(tx, changed);
  await decideMaps(tx, new Set(changed));
}

type RoundWrite = { roundId: string; round: StoredRound; r1Id: string | null; fileTimeUnix: number | null };

const mapsSql = () => sqlFile(import.meta.url, 'support/maps.sql');

/** Replaces the rows of these rounds: one statement per table for the whole batch. */
async function writeRounds(tx: SqlExecutor, writes: RoundWrite[]): Promise<void> {
  if (writes.length === 0) return;
  const rounds = writes.map(({ roundId, round, r1Id, fileTimeUnix }) => ({
    round_id: roundId,
    server_id: round.serverId,
    map: round.map,
    round: round.round,
    file_name: round.fileName,
    file_time_utc: fileTimeUnix === null ? null : new Date(fileTimeUnix * 1000).toISOString(),
    file_time_unix: fileTimeUnix,
    tz: round.tz,
    match_id: r1Id ?? roundId,
    r1_round_id: r1Id,
    server_name: round.serverNameClean,
    config: round.config,
    defender: round.defender,
    winner: round.winner,
    time_limit_sec: round.timeLimitSec,
    stats_playtime_sec: round.statsPlaytimeSec,
    next_time_limit_sec: round.nextTimeLimitSec,
    header_playtime_ms: round.headerPlaytimeMs,
    writer: round.writer,
    player_count: round.players.length,
    flags: [
      ...round.flags,
      ...(round.round === 2 && r1Id === null ? ['r1Missing'] : []),
      ...(fileTimeUnix === null ? ['fileTimeUnknown'] : []),
    ],
    issues: round.issues,
  }));
  const players = writes.flatMap(({ roundId, round }) =>
    round.players.map((p): Row => [{ roundId, weapons: weaponTuples(p.weapons) }, p]),
  );
  // The two tables are written together: only rounds already in `rounds` have rows to replace.
  const existing = (
    await tx.query<{ round_id: string }>('select round_id from rounds where round_id = any($1::text[])', [
      writes.map((w) => w.roundId),
    ])
  ).rows.map((r) => r.round_id);
  if (existing.length > 0)
    for (const table of ['rounds', 'player_rows'])
      await tx.query(`delete from ${table} where round_id = any($1::text[])`, [existing]);
  await insertRows(tx, 'rounds', rounds);
  await insertRows(tx, 'player_rows', players, { keys: 'camel' });
}

/**
 * In the autumn DST hour an R1's file time has two readings; the one its R2 was paired with is the
 * true one (src/parser/pairRounds.ts), so the R1 row takes it.
 */
async function settleR1Readings(tx: SqlExecutor, readings: { r1Id: string; fileTimeUnix: number }[]): Promise<void> {
  if (readings.length === 0) return;
  const params = [readings.map((r) => r.r1Id), readings.map((r) => r.fileTimeUnix)];
  await tx.query(
    `update rounds set file_time_unix = x.t, file_time_utc = to_timestamp(x.t)
     from unnest($1::text[], $2::bigint[]) as x(id, t)
     where round_id = x.id and file_time_unix is distinct from x.t`,
    params,
  );
  await tx.query(
    `update map_halves set file_time_unix = x.t from unnest($1::text[], $2::bigint[]) as x(id, t)
     where round_id = x.id and file_time_unix is distinct from x.t`,
    params,
  );
}

/** R1s no R2 is paired with any more take their first reading again (stats_facts.file_time_unix). */
async function releaseR1Readings(tx: SqlExecutor, r1Ids: string[]): Promise<void> {
  if (r1Ids.length === 0) return;
  await tx.query(
    `update rounds r set file_time_unix = f.file_time_unix, file_time_utc = to_timestamp(f.file_time_unix)
     from stats_facts f where f.fact_id = r.round_id and r.round_id = any($1::text[])
       and r.file_time_unix is distinct from f.file_time_unix`,
    [r1Ids],
  );
  await tx.query(
    `update map_halves h set file_time_unix = f.file_time_unix
     from stats_facts f where f.fact_id = h.round_id and h.round_id = any($1::text[])
       and h.file_time_unix is distinct from f.file_time_unix`,
    [r1Ids],
  );
}

/**
 * The rounds of stats facts just stored: R1s as they are, R2s paired again near them (and where
 * facts that moved in time were before) wherever their pairing moved.
 */
async function writeStatsRounds(tx: SqlExecutor, stored: StoredStatsFact[]): Promise<void> {
  // An R1 stands alone; so does an R2 whose file time cannot be read (it can be paired with nothing).
  const writes: RoundWrite[] = stored
    .filter((f) => f.round.round === 1 || f.timing.fileTimeUnix === null)
    .map((f) => ({
      roundId: f.factId,
      round: unpairedRound2(f.round),
      r1Id: null,
      fileTimeUnix: f.timing.fileTimeUnix,
    }));
  const r1Readings: { r1Id: string; fileTimeUnix: number }[] = [];
  const pairs = await pairNear(tx, collectGroups(stored));
  const current = new Map(
    (
      await tx.query<{ round_id: string; r1_round_id: string | null }>(
        'select round_id, r1_round_id from rounds where round_id = any($1::text[])',
        [pairs.map((p) => p.r2Id)],
      )
    ).rows.map((r) => [r.round_id, r.r1_round_id]),
  );
  const storedIds = new Set(stored.map((f) => f.factId));
  const changed = pairs.filter((p) => pairingMoved(p, current) || revisedHalf(p, storedIds));
  // An R1 whose R2 went to another R1 is unpaired again, back at its first reading (unless another R2 takes it).
  const released = changed.flatMap(({ r2Id, r1Id }) => {
    const before = current.get(r2Id);
    return before && before !== r1Id ? [before] : [];
  });
  const halves = await roundsOf(tx, changed, stored);
  for (const { r2Id, r1Id, r1FileTimeUnix } of changed) {
    writes.push({ roundId: r2Id, r1Id, ...halves.get(r2Id)! });
    if (r1Id !== null && r1FileTimeUnix !== null) r1Readings.push({ r1Id, fileTimeUnix: r1FileTimeUnix });
  }
  await writeRounds(tx, writes);
  const touched = await saveHalves(tx, writes);
  await releaseR1Readings(tx, released);
  await settleR1Readings(tx, r1Readings);
  await decideMaps(tx, touched);
  await refreshPlayerTotals(tx, [...writes.map((w) => w.roundId), ...released, ...r1Readings.map((r) => r.r1Id)]);
}
