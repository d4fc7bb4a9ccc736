// The rounds read model: rounds, player_stats (+ full GUIDs from verdicts), player_weapon_stats,
// sessions. An R2 is paired with its R1 from facts only (src/parser/pairRounds.ts) and shows its
// own half: R2 − R1 where the file is cumulative (spec/stats-file.md §3.1).

import type { StatsFileArrived } from '../src/events/index.ts';
import { normalizeMapName } from '../src/parser/names.ts';
import { pairRounds, R1_BEFORE_R2_MAX_SEC, roundTiming } from '../src/parser/pairRounds.ts';
import { differentiateRound2, type ParsedStatsRound, parseStatsFile } from '../src/parser/statsFile.ts';
import type { EventMeta } from '../src/runtime/projection.ts';
import { defineProjection } from '../src/runtime/projection.ts';
import { type SqlExecutor, sqlFile } from '../src/store/sqlDatabase.ts';
import { snakeKeys } from './support/rows.ts';

/** Bump when the parser or the fold changes what a row holds: `et-ledger rebuild rounds`. */
const version = 1;

export const rounds = defineProjection({
  name: 'rounds',
  version,
  schemaSql: () => sqlFile(import.meta.url, 'rounds.sql'),
  tables: {
    rounds: { key: ['round_id'] },
    player_stats: { key: ['round_id', 'line'] },
    player_weapon_stats: { key: ['round_id', 'line', 'weapon_id'] },
    sessions: { key: ['server_id', 'round_id'] },
  },
  on: {
    StatsFileArrived: async (items, { tx }) => {
      const touched = new Map<string, { serverId: string; mapNorm: string; from: number; to: number }>();
      for (const { event, meta } of items) {
        const stored = await storeParsed(tx, event, meta);
        if (!stored) continue;
        const key = `${stored.serverId}\0${stored.mapNorm}`;
        const t = touched.get(key);
        touched.set(key, {
          serverId: stored.serverId,
          mapNorm: stored.mapNorm,
          from: Math.min(t?.from ?? stored.time, stored.time),
          to: Math.max(t?.to ?? stored.time, stored.time),
        });
      }
      for (const group of touched.values()) await repair(tx, group);
    },
    RoundTimingReconciled: async (items, { tx }) => {
      for (const { event } of items) {
        const v = event.data;
        if (!v.statsFactId) continue;
        await tx.query('delete from guid_links where round_id = $1', [v.statsFactId]);
        const links = v.players.filter((p) => p.fullGuid !== null);
        if (links.length === 0) continue;
        await tx.query(
          `insert into guid_links (round_id, guid8, name, full_guid)
           select $1, g, n, f from unnest($2::text[], $3::text[], $4::text[]) as x(g, n, f) on conflict do nothing`,
          [v.statsFactId, links.map((p) => p.guid8), links.map((p) => p.name), links.map((p) => p.fullGuid)],
        );
      }
    },
  },
});

type StoredFact = { serverId: string; mapNorm: string; time: number };

/** Parses and keeps one stats fact; a file that does not parse is the quarantine's business. */
async function storeParsed(tx: SqlExecutor, event: StatsFileArrived, meta: EventMeta): Promise<StoredFact | null> {
  const parsed = parseStatsFile(event.raw, event.data.fileName);
  if (!parsed.ok) return null;
  const timing = roundTiming(parsed.round, event.data.tz);
  const mapNorm = normalizeMapName(parsed.round.map);
  await tx.query(
    `insert into stats_facts (fact_id, server_id, map_norm, round, file_time_unix, start_unix, parsed)
     values ($1, $2, $3, $4, $5, $6, $7::jsonb) on conflict (fact_id) do nothing`,
    [
      meta.eventId,
      event.data.serverId,
      mapNorm,
      parsed.round.round,
      timing.fileTimeUnix,
      timing.startUnix,
      JSON.stringify({ ...parsed.round, tz: event.data.tz, serverId: event.data.serverId }),
    ],
  );
  if (parsed.round.round === 1)
    await writeRound(
      tx,
      meta.eventId,
      { ...parsed.round, tz: event.data.tz, serverId: event.data.serverId },
      null,
      timing.fileTimeUnix,
    );
  return { serverId: event.data.serverId, mapNorm, time: timing.fileTimeUnix ?? 0 };
}

type StoredRound = ParsedStatsRound & { tz: string; serverId: string };
type PairingRow = { fact_id: string; round: number; file_time_unix: number | null; start_unix: number | null };

/**
 * Re-pairs the R2s near new facts of one server and map, and rewrites each R2 whose R1 changed.
 * The neighbourhood grows until no round lies within the pairing window of its edges, so the
 * result is the same whatever order the facts arrived in.
 */
async function repair(
  tx: SqlExecutor,
  g: { serverId: string; mapNorm: string; from: number; to: number },
): Promise<void> {
  const margin = R1_BEFORE_R2_MAX_SEC + 3600;
  let lo = g.from - margin;
  let hi = g.to + margin;
  let rows: PairingRow[] = [];
  for (;;) {
    rows = (
      await tx.query<PairingRow>(
        'select fact_id, round, file_time_unix, start_unix from stats_facts where server_id = $1 and map_norm = $2 and file_time_unix between $3 and $4',
        [g.serverId, g.mapNorm, lo, hi],
      )
    ).rows;
    const times = rows.map((r) => Number(r.file_time_unix));
    const newLo = Math.min(lo, Math.min(...times) - margin);
    const newHi = Math.max(hi, Math.max(...times) + margin);
    if (newLo === lo && newHi === hi) break;
    lo = newLo;
    hi = newHi;
  }
  const pairs = pairRounds(
    rows.map((r) => ({
      id: r.fact_id,
      round: r.round === 2 ? 2 : 1,
      fileTimeUnix: Number(r.file_time_unix),
      startUnix: Number(r.start_unix),
    })),
  );
  const r2Ids = rows.filter((r) => r.round === 2).map((r) => r.fact_id);
  if (r2Ids.length === 0) return;
  const current = new Map(
    (
      await tx.query<{ round_id: string; r1_round_id: string | null }>(
        'select round_id, r1_round_id from rounds where round_id = any($1::text[])',
        [r2Ids],
      )
    ).rows.map((r) => [r.round_id, r.r1_round_id]),
  );
  for (const r2Id of r2Ids) {
    const r1Id = pairs.get(r2Id) ?? null;
    if (current.has(r2Id) && current.get(r2Id) === r1Id) continue;
    const facts = (
      await tx.query<{ fact_id: string; parsed: StoredRound; file_time_unix: number | null }>(
        'select fact_id, parsed, file_time_unix from stats_facts where fact_id = any($1::text[])',
        [[r2Id, ...(r1Id ? [r1Id] : [])]],
      )
    ).rows;
    const r2 = facts.find((f) => f.fact_id === r2Id)!;
    const r1 = r1Id ? facts.find((f) => f.fact_id === r1Id) : undefined;
    const round = r1
      ? { ...differentiateRound2(r2.parsed, r1.parsed), tz: r2.parsed.tz, serverId: r2.parsed.serverId }
      : r2.parsed;
    await writeRound(tx, r2Id, round, r1Id, r2.file_time_unix === null ? null : Number(r2.file_time_unix));
  }
}

async function writeRound(
  tx: SqlExecutor,
  roundId: string,
  round: StoredRound,
  r1Id: string | null,
  fileTimeUnix: number | null,
): Promise<void> {
  const flags = [...round.flags, ...(round.round === 2 && r1Id === null ? ['r1Missing'] : [])];
  const row = {
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
    flags,
    issues: round.issues,
  };
  await tx.query('delete from rounds where round_id = $1', [roundId]);
  await tx.query('insert into rounds select * from jsonb_populate_record(null::rounds, $1::jsonb)', [
    JSON.stringify(row),
  ]);
  const players = round.players.map(({ weapons: _w, ...p }) => snakeKeys({ roundId, ...p }));
  if (players.length > 0)
    await tx.query('insert into player_rows select * from jsonb_populate_recordset(null::player_rows, $1::jsonb)', [
      JSON.stringify(players),
    ]);
  const weapons = round.players.flatMap((p) =>
    p.weapons.map((w) => snakeKeys({ roundId, line: p.line, guid8: p.guid8, ...w })),
  );
  if (weapons.length > 0)
    await tx.query(
      'insert into player_weapon_stats select * from jsonb_populate_recordset(null::player_weapon_stats, $1::jsonb)',
      [JSON.stringify(weapons)],
    );
}
