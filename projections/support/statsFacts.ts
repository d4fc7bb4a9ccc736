// Stats facts kept parsed in a projection's own schema, and the R1/R2 pairing over them
// (src/parser/pairRounds.ts). Used by every projection that needs an R2's own half.
import { type StatsFileArrived, statsRoundId } from '../../src/events/index.ts';
import { normalizeMapName } from '../../src/parser/names.ts';
import { type RoundTiming, roundTiming } from '../../src/parser/pairRounds.ts';
import {
  differentiateRound2,
  type ParsedStatsRound,
  parseStatsFile,
  unpairedRound2,
} from '../../src/parser/statsFile.ts';
import type { EventMeta } from '../../src/runtime/projection.ts';
import { packBytes, type SqlExecutor, sqlFile } from '../../src/store/sqlDatabase.ts';
import { nodeOfRow, type PairingNode, type StatsGroup } from './pairNear.ts';

export const statsFactsSql = () => sqlFile(import.meta.url, 'statsFacts.sql');

/** A parsed round with what the file name alone cannot say. */
export type StoredRound = ParsedStatsRound & { tz: string; serverId: string };
/** `was`: where a fact stored before stood for the pairing, when this revision moved it (its old neighbours pair again). */
export type StoredStatsFact = {
  factId: string;
  round: StoredRound;
  timing: RoundTiming;
  mapNorm: string;
  was?: { serverId: string; mapNorm: string; node: PairingNode };
};

/**
 * Parses and keeps a run of stats facts in one statement; a file that does not parse is skipped
 * (the quarantine lists it). A round is its server and file name (statsRoundId): a revision of a
 * file replaces the round's bytes, except a shorter copy of what is kept (a prefix caught while
 * the file was written, arriving late), which changes nothing. Bytes that are not a longer copy
 * either flag the round `revised`. Returns the rounds that changed.
 */
export async function storeStatsFacts(
  tx: SqlExecutor,
  items: { event: StatsFileArrived; meta: EventMeta }[],
  opts: { rezoned?: boolean } = {},
): Promise<StoredStatsFact[]> {
  const ids = items.map(({ event }) => statsRoundId(event.data.serverId, event.data.fileName));
  const kept = new Map(
    (
      await tx.query<{
        fact_id: string;
        raw: Uint8Array;
        revised: boolean;
        server_id: string;
        map_norm: string;
        round: number;
        file_time_unix: string | null;
        file_time_candidates: string[];
        start_unix: string | null;
      }>(
        `select fact_id, raw, revised, server_id, map_norm, round, file_time_unix, file_time_candidates, start_unix
         from stats_facts where fact_id = any($1::text[])`,
        [[...new Set(ids)]],
      )
    ).rows.map((r) => [
      r.fact_id,
      {
        raw: new Uint8Array(r.raw),
        revised: r.revised,
        was: { serverId: r.server_id, mapNorm: r.map_norm, node: nodeOfRow(r) },
      },
    ]),
  );
  const latest = new Map<string, { fact: StoredStatsFact; raw: Uint8Array; revised: boolean }>();
  for (const [i, { event }] of items.entries()) {
    const id = ids[i]!;
    const before = latest.get(id) ?? kept.get(id);
    // A fact read again in a corrected zone (zoneCorrections.ts) is its own bytes: stored anew, as it was.
    const revision = !before ? 'new' : opts.rezoned ? 'rezoned' : reviseWith(before.raw, event.raw);
    if (revision === 'stale') continue;
    const parsed = parseStatsFile(event.raw, event.data.fileName);
    if (!parsed.ok) continue;
    const revised = revision === 'revised' || (before?.revised ?? false);
    const round: StoredRound = {
      ...parsed.round,
      flags: revised ? [...parsed.round.flags, 'revised'] : parsed.round.flags,
      tz: event.data.tz,
      serverId: event.data.serverId,
    };
    const timing = roundTiming(parsed.round, event.data.tz);
    const mapNorm = normalizeMapName(parsed.round.map);
    const was = kept.get(id)?.was;
    const fact: StoredStatsFact = { factId: id, round, timing, mapNorm };
    if (was && !samePlace(was, { serverId: round.serverId, mapNorm, node: nodeOf(round.round, timing) }))
      fact.was = was;
    latest.set(id, { fact, raw: event.raw, revised });
  }
  const stored = [...latest.values()].map((l) => l.fact);
  const raws = [...latest.values()].map((l) => l.raw);
  if (stored.length === 0) return stored;
  const bytes = packBytes(raws);
  await tx.query(
    `insert into stats_facts
     select f, s, m, r, ft, string_to_array(fc, ',')::bigint[], st, z, n, substring($11::bytea from o for l), v
     from unnest($1::text[], $2::text[], $3::text[], $4::smallint[], $5::bigint[], $6::bigint[], $7::text[], $8::text[], $9::int[], $10::int[], $12::boolean[], $13::text[])
       as x(f, s, m, r, ft, st, z, n, o, l, v, fc)
     on conflict (fact_id) do update set server_id = excluded.server_id, map_norm = excluded.map_norm,
       round = excluded.round, file_time_unix = excluded.file_time_unix,
       file_time_candidates = excluded.file_time_candidates, start_unix = excluded.start_unix,
       tz = excluded.tz, file_name = excluded.file_name, raw = excluded.raw, revised = excluded.revised`,
    [
      stored.map((f) => f.factId),
      stored.map((f) => f.round.serverId),
      stored.map((f) => f.mapNorm),
      stored.map((f) => f.round.round),
      stored.map((f) => f.timing.fileTimeUnix),
      stored.map((f) => f.timing.startUnix),
      stored.map((f) => f.round.tz),
      stored.map((f) => f.round.fileName),
      bytes.offsets,
      bytes.lengths,
      bytes.blob,
      [...latest.values()].map((l) => l.revised),
      // one text per round: a nested array cannot be passed through unnest
      stored.map((f) => f.timing.fileTimeCandidatesUnix.join(',')),
    ],
  );
  return stored;
}

const nodeOf = (round: number, t: RoundTiming): PairingNode => ({
  round: round === 2 ? 2 : 1,
  fileTimesUnix: t.fileTimeCandidatesUnix,
  playtimeSec: t.fileTimeUnix === null || t.startUnix === null ? 0 : t.fileTimeUnix - t.startUnix,
});

type Place = { serverId: string; mapNorm: string; node: PairingNode };
const samePlace = (a: Place, b: Place) =>
  a.serverId === b.serverId &&
  a.mapNorm === b.mapNorm &&
  a.node.round === b.node.round &&
  a.node.playtimeSec === b.node.playtimeSec &&
  a.node.fileTimesUnix.join() === b.node.fileTimesUnix.join();

/** How new bytes under a kept file name relate to the kept ones. */
function reviseWith(kept: Uint8Array, next: Uint8Array): 'stale' | 'grown' | 'revised' {
  const startsWith = (long: Uint8Array, short: Uint8Array) =>
    long.length >= short.length && Buffer.compare(long.subarray(0, short.length), short) === 0;
  if (startsWith(kept, next)) return 'stale';
  return startsWith(next, kept) ? 'grown' : 'revised';
}

/** One group per server and map a batch touches: its facts where they are, and where they were. */
export function collectGroups(facts: readonly StoredStatsFact[]): StatsGroup[] {
  const groups = new Map<string, StatsGroup>();
  const groupOf = (serverId: string, mapNorm: string) => {
    const key = `${serverId}\0${mapNorm}`;
    let g = groups.get(key);
    if (!g) {
      g = { serverId, mapNorm, ids: [], gone: [] };
      groups.set(key, g);
    }
    return g;
  };
  for (const f of facts) {
    if (f.timing.fileTimeUnix !== null) groupOf(f.round.serverId, f.mapNorm).ids.push(f.factId);
    if (f.was && f.was.node.fileTimesUnix.length > 0) groupOf(f.was.serverId, f.was.mapNorm).gone.push(f.was.node);
  }
  return [...groups.values()];
}

/**
 * Each R2's own half: R2 − R1 when paired, else the file as written (flagged cumulative). Facts of
 * this batch come from `known`; the others are read back (one query) and parsed again.
 */
export async function roundsOf(
  tx: SqlExecutor,
  pairs: { r2Id: string; r1Id: string | null; r2FileTimeUnix?: number }[],
  known: StoredStatsFact[] = [],
): Promise<Map<string, { round: StoredRound; fileTimeUnix: number | null }>> {
  const facts = new Map<string, { round: StoredRound; fileTimeUnix: number | null }>(
    known.map((f) => [f.factId, { round: f.round, fileTimeUnix: f.timing.fileTimeUnix }]),
  );
  const missing = [...new Set(pairs.flatMap((p) => [p.r2Id, ...(p.r1Id ? [p.r1Id] : [])]))].filter(
    (id) => !facts.has(id),
  );
  if (missing.length > 0) {
    const rows = await tx.query<{
      fact_id: string;
      server_id: string;
      tz: string;
      file_name: string;
      file_time_unix: number | null;
      raw: Uint8Array;
      revised: boolean;
    }>(
      'select fact_id, server_id, tz, file_name, file_time_unix, raw, revised from stats_facts where fact_id = any($1::text[])',
      [missing],
    );
    for (const f of rows.rows) {
      const parsed = parseStatsFile(f.raw, f.file_name);
      // Stored only after it parsed; the same bytes parse the same way with the same parser.
      if (!parsed.ok)
        throw new Error(`stats fact ${f.fact_id} no longer parses: ${parsed.error.code} at line ${parsed.error.line}`);
      const flags = f.revised ? [...parsed.round.flags, 'revised' as const] : parsed.round.flags;
      facts.set(f.fact_id, {
        round: { ...parsed.round, flags, tz: f.tz, serverId: f.server_id },
        fileTimeUnix: f.file_time_unix === null ? null : Number(f.file_time_unix),
      });
    }
  }
  const out = new Map<string, { round: StoredRound; fileTimeUnix: number | null }>();
  for (const { r2Id, r1Id, r2FileTimeUnix } of pairs) {
    const r2 = facts.get(r2Id)!;
    const r1 = r1Id ? facts.get(r1Id) : undefined;
    const round = r1
      ? { ...differentiateRound2(r2.round, r1.round), tz: r2.round.tz, serverId: r2.round.serverId }
      : unpairedRound2(r2.round);
    out.set(r2Id, { round, fileTimeUnix: r2FileTimeUnix ?? r2.fileTimeUnix });
  }
  return out;
}

type Pair = { r2Id: string; r1Id: string | null };

/** An R2 whose R1 is new, or another one than recorded. */
export const pairingMoved = ({ r2Id, r1Id }: Pair, recorded: ReadonlyMap<string, string | null>): boolean =>
  !(recorded.has(r2Id) && recorded.get(r2Id) === r1Id);

/** An R2 whose own file, or its R1's, changed in this batch (a revision): its half is computed again. */
export const revisedHalf = ({ r2Id, r1Id }: Pair, storedIds: ReadonlySet<string>): boolean =>
  storedIds.has(r2Id) || (r1Id !== null && storedIds.has(r1Id));
