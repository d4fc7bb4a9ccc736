// The R1/R2 pairing near a batch's stats facts (src/parser/pairRounds.ts), read from stats_facts.
// pairRounds decides each component of the "could pair" graph on its own (an R2 only ever looks at
// R1s within the rule's 20 minutes before one of its starts), so a batch loads the components of
// its facts and of where facts were before they moved, growing only along possible pairing edges:
// every index read spans the rule's 20 minutes, plus, for a file whose local time the autumn DST
// hour makes ambiguous, its other reading. What is decided never depends on the order facts came in.
import {
  inPairingSpan,
  type PairableRound,
  type PairingSpan,
  pairingSpans,
  pairRounds,
} from '../../src/parser/pairRounds.ts';
import type { SqlExecutor } from '../../src/store/sqlDatabase.ts';

/** A round as the pairing sees it: its file-time readings and, for an R2, its playtime. */
export type PairingNode = Omit<PairableRound, 'id'>;

/**
 * The facts of one server and map whose pairing neighbourhoods a batch re-decides: `ids`, stored
 * now (their components as they are), and `gone`, where facts were before this batch moved them
 * (the components they left, which may pair otherwise without them).
 */
export type StatsGroup = { serverId: string; mapNorm: string; ids: string[]; gone: PairingNode[] };

type PairingRow = {
  fact_id: string;
  server_id: string;
  map_norm: string;
  round: number;
  file_time_unix: number | string | null;
  file_time_candidates: (number | string)[];
  start_unix: number | string | null;
};

/** A stored fact's pairing node: playtime is what roundTiming took off its file time. */
export function nodeOfRow(
  r: Pick<PairingRow, 'round' | 'file_time_unix' | 'file_time_candidates' | 'start_unix'>,
): PairingNode {
  return {
    round: r.round === 2 ? 2 : 1,
    fileTimesUnix: r.file_time_candidates.map(Number),
    playtimeSec: r.file_time_unix === null ? 0 : Number(r.file_time_unix) - Number(r.start_unix),
  };
}

const columns = 'fact_id, server_id, map_norm, round, file_time_unix, file_time_candidates, start_unix';

/** A later reading lies at most this far after the first (a DST shift); only ambiguous files look back. */
const READING_SPREAD_MAX_SEC = 24 * 3600;

/**
 * The facts with a reading in any of the spans (`round` 1: an R1's file time; 2: an R2's start) of
 * their server and map, by index ranges: the span itself, and, among files with more than one
 * reading (partial indexes of the DST nights' files), the day before it, for a later reading that
 * reaches into the span. Each row names the span (`k`, 1-based) that found it.
 */
const inSpansSql = `
  select p.k, s.* from unnest($1::text[], $2::text[], $3::smallint[], $4::bigint[], $5::bigint[])
    with ordinality as p(server_id, map_norm, round, lo, hi, k)
  cross join lateral (
    select ${columns} from stats_facts
    where p.round = 1 and server_id = p.server_id and map_norm = p.map_norm and round <> 2
      and file_time_unix between p.lo and p.hi
    union all
    select ${columns} from stats_facts
    where p.round = 1 and server_id = p.server_id and map_norm = p.map_norm and round <> 2
      and cardinality(file_time_candidates) > 1
      and file_time_unix between p.lo - ${READING_SPREAD_MAX_SEC} and p.lo - 1
      and file_time_candidates[cardinality(file_time_candidates)] >= p.lo
    union all
    select ${columns} from stats_facts
    where p.round = 2 and server_id = p.server_id and map_norm = p.map_norm and round = 2
      and start_unix between p.lo and p.hi
    union all
    select ${columns} from stats_facts
    where p.round = 2 and server_id = p.server_id and map_norm = p.map_norm and round = 2
      and cardinality(file_time_candidates) > 1
      and start_unix between p.lo - ${READING_SPREAD_MAX_SEC} and p.lo - 1
      and start_unix + file_time_candidates[cardinality(file_time_candidates)] - file_time_unix >= p.lo
  ) s`;

/** An R2 and its R1 (null when none), with the reading of the R2's file time the pairing chose. */
export type R2Pairing = { r2Id: string; r1Id: string | null; r2FileTimeUnix: number; r1FileTimeUnix: number | null };

type Span = PairingSpan & { serverId: string; mapNorm: string };

const groupKey = (serverId: string, mapNorm: string) => `${serverId}\0${mapNorm}`;

/**
 * The pairing of every R2 in the components of the groups' facts (and of the places they left),
 * by R2 id. The components are closed under pairingSpans: one query per step along the edges for
 * all groups at once, none beyond the edges.
 */
export async function pairNear(tx: SqlExecutor, groups: readonly StatsGroup[]): Promise<R2Pairing[]> {
  const loaded = new Map<string, { row: PairingRow; node: PairingNode }>();
  const spansOf = (serverId: string, mapNorm: string, node: PairingNode): Span[] =>
    pairingSpans({ ...node, id: '' }).map((s) => ({ ...s, serverId, mapNorm }));
  let spans: Span[] = groups.flatMap((g) => g.gone.flatMap((n) => spansOf(g.serverId, g.mapNorm, n)));
  const ids = groups.flatMap((g) => g.ids);
  let found =
    ids.length === 0
      ? []
      : (
          await tx.query<PairingRow>(
            `select ${columns} from stats_facts where fact_id = any($1::text[]) and file_time_unix is not null`,
            [ids],
          )
        ).rows;
  for (;;) {
    for (const row of found) {
      if (loaded.has(row.fact_id)) continue;
      const node = nodeOfRow(row);
      loaded.set(row.fact_id, { row, node });
      spans.push(...spansOf(row.server_id, row.map_norm, node));
    }
    if (spans.length === 0) break;
    const asked = spans;
    spans = [];
    const rows = (
      await tx.query<PairingRow & { k: number | string }>(inSpansSql, [
        asked.map((s) => s.serverId),
        asked.map((s) => s.mapNorm),
        asked.map((s) => s.round),
        asked.map((s) => s.fromUnix),
        asked.map((s) => s.toUnix),
      ])
    ).rows;
    // The index ranges hold a few rows off the edges (another reading of an ambiguous file): kept only on an edge.
    found = rows.filter(
      (r) => !loaded.has(r.fact_id) && inPairingSpan({ ...nodeOfRow(r), id: r.fact_id }, asked[Number(r.k) - 1]!),
    );
    if (found.length === 0) break;
  }
  const byGroup = new Map<string, PairableRound[]>();
  for (const [id, { row, node }] of loaded) {
    const key = groupKey(row.server_id, row.map_norm);
    const rounds = byGroup.get(key) ?? [];
    rounds.push({ ...node, id });
    byGroup.set(key, rounds);
  }
  const pairs = new Map([...byGroup.values()].flatMap((rounds) => [...pairRounds(rounds)]));
  return [...loaded.values()]
    .filter(({ row }) => row.round === 2)
    .sort((a, b) => (a.row.fact_id < b.row.fact_id ? -1 : a.row.fact_id > b.row.fact_id ? 1 : 0))
    .map(({ row }) => {
      const pair = pairs.get(row.fact_id);
      return {
        r2Id: row.fact_id,
        r1Id: pair?.r1Id ?? null,
        r2FileTimeUnix: pair?.r2FileTimeUnix ?? Number(row.file_time_unix),
        r1FileTimeUnix: pair?.r1FileTimeUnix ?? null,
      };
    });
}
