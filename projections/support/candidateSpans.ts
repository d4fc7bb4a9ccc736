// The correlator's reads for one batch in two queries instead of one per seed and expansion step:
// every candidate (and pause record) near the batch's seeds is loaded at once, per (server, map,
// round) group, over merged spans padded so most components close inside them. A range the spans
// do not cover falls through to the database, so the answer never depends on the padding. A
// candidate's times are readings of one wall-clock time, less than MAX_READING_SPAN_SEC apart: the
// lower bound on t_min that gives keeps each lookup a range of the (group, t_min) index instead of
// every candidate of the group before the range (a league's map history, once per batch).
import type {
  CorrelatorFact,
  LuaCandidate,
  Neighbourhood,
  PauseRecord,
  StatsCandidate,
} from '../../src/correlator/index.ts';
import { MAX_READING_SPAN_SEC } from '../../src/parser/localTime.ts';
import { normalizeMapName } from '../../src/parser/names.ts';
import type { SqlExecutor } from '../../src/store/sqlDatabase.ts';

type Span = { from: number; to: number };
type Group = { serverId: string; mapNorm: string; round: number };
type GroupColumns = { server_id: string; map_norm: string; round: number };
type CandidateRow = {
  fact_id: string;
  kind: string;
  t_min: number;
  t_max: number;
  body: CorrelatorFact;
};
type PauseRow = { start_unix: number; end_unix: number; sec: number };

const keyOf = (g: Group) => `${g.serverId}\0${g.mapNorm}\0${g.round}`;
/** A Lua report's pauses lie between its start and end; a report without a start looks back this far. */
export const PAUSE_LOOKBACK_SEC = 7200;

/** Sorted, merged spans per group: windows closer than `padSec` share one span. */
function mergeSpans(windows: Neighbourhood[], padSec: number): Map<string, { group: Group; spans: Span[] }> {
  const byGroup = new Map<string, { group: Group; windows: Span[] }>();
  for (const w of windows) {
    const group = { serverId: w.serverId, mapNorm: normalizeMapName(w.map), round: w.round };
    const k = keyOf(group);
    const entry = byGroup.get(k) ?? { group, windows: [] };
    entry.windows.push({ from: w.fromUnix - padSec, to: w.toUnix + padSec });
    byGroup.set(k, entry);
  }
  const out = new Map<string, { group: Group; spans: Span[] }>();
  for (const [k, { group, windows: ws }] of byGroup) {
    ws.sort((a, b) => a.from - b.from);
    const spans: Span[] = [];
    for (const w of ws) {
      const last = spans[spans.length - 1];
      if (last && w.from <= last.to) last.to = Math.max(last.to, w.to);
      else spans.push({ ...w });
    }
    out.set(k, { group, spans });
  }
  return out;
}

export type CandidateSpans = {
  /** Every candidate of the group with t_max ≥ fromUnix and t_min ≤ toUnix; Lua ones with their pauses. */
  load(range: Neighbourhood): Promise<{ stats: StatsCandidate[]; lua: LuaCandidate[] }>;
};

/**
 * A candidate (table alias `c`) with a reading in [lo, hi], as SQL over the two given expressions: the
 * last condition is implied by the first (its readings are less than MAX_READING_SPAN_SEC apart) and
 * is there for the index, which it bounds below.
 */
const readingIn = (lo: string, hi: string) =>
  `c.t_max >= ${lo} and c.t_min <= ${hi} and c.t_min >= ${lo} - ${MAX_READING_SPAN_SEC}`;

export async function preloadCandidates(
  tx: SqlExecutor,
  windows: Neighbourhood[],
  padSec: number,
): Promise<CandidateSpans> {
  const groups = mergeSpans(windows, padSec);
  const flat = [...groups.values()].flatMap(({ group, spans }) => spans.map((s) => ({ group, span: s })));
  const params = [
    flat.map((f) => f.group.serverId),
    flat.map((f) => f.group.mapNorm),
    flat.map((f) => f.group.round),
    flat.map((f) => f.span.from),
    flat.map((f) => f.span.to),
  ];
  const candidates = new Map<string, Map<string, CandidateRow>>();
  const pauses = new Map<string, Map<string, PauseRow>>();
  if (flat.length > 0) {
    const c = await tx.query<CandidateRow & GroupColumns>(
      `select c.fact_id, c.kind, c.server_id, c.map_norm, c.round, c.t_min, c.t_max, c.body
       from unnest($1::text[], $2::text[], $3::smallint[], $4::bigint[], $5::bigint[]) as g(s, m, r, lo, hi)
       join candidates c on c.server_id = g.s and c.map_norm = g.m and c.round = g.r and ${readingIn('g.lo', 'g.hi')}`,
      params,
    );
    for (const row of c.rows) {
      const k = keyOf({ serverId: row.server_id, mapNorm: row.map_norm, round: row.round });
      const m = candidates.get(k) ?? new Map<string, CandidateRow>();
      m.set(row.fact_id, { ...row, t_min: Number(row.t_min), t_max: Number(row.t_max) });
      candidates.set(k, m);
    }
    const p = await tx.query<PauseRow & GroupColumns>(
      `select p.server_id, p.map_norm, p.round, p.start_unix, p.end_unix, p.sec
       from unnest($1::text[], $2::text[], $3::smallint[], $4::bigint[], $5::bigint[]) as g(s, m, r, lo, hi)
       join pause_records p on p.server_id = g.s and p.map_norm = g.m and p.round = g.r
         and p.start_unix between g.lo - ${PAUSE_LOOKBACK_SEC} and g.hi`,
      params,
    );
    for (const row of p.rows) {
      const k = keyOf({ serverId: row.server_id, mapNorm: row.map_norm, round: row.round });
      const m = pauses.get(k) ?? new Map<string, PauseRow>();
      m.set(String(row.start_unix), row);
      pauses.set(k, m);
    }
  }
  const covered = (k: string, from: number, to: number) =>
    groups.get(k)?.spans.some((s) => s.from <= from && to <= s.to) ?? false;

  async function pausesOf(c: LuaCandidate): Promise<PauseRecord[]> {
    const group = { serverId: c.report.serverId, mapNorm: normalizeMapName(c.report.map), round: c.report.round };
    const end = c.report.roundEndUnix;
    const start = c.report.roundStartUnix ?? end - PAUSE_LOOKBACK_SEC;
    const k = keyOf(group);
    const rows = covered(k, start + PAUSE_LOOKBACK_SEC, end)
      ? [...(pauses.get(k)?.values() ?? [])].filter((p) => Number(p.start_unix) >= start && Number(p.start_unix) <= end)
      : (
          await tx.query<PauseRow>(
            'select start_unix, end_unix, sec from pause_records where server_id = $1 and map_norm = $2 and round = $3 and start_unix between $4 and $5',
            [group.serverId, group.mapNorm, group.round, start, end],
          )
        ).rows;
    return rows
      .map((p) => ({ startUnix: Number(p.start_unix), endUnix: Number(p.end_unix), sec: Number(p.sec) }))
      .sort((a, b) => a.startUnix - b.startUnix);
  }

  return {
    async load(range) {
      const group = { serverId: range.serverId, mapNorm: normalizeMapName(range.map), round: range.round };
      const k = keyOf(group);
      const rows = covered(k, range.fromUnix, range.toUnix)
        ? [...(candidates.get(k)?.values() ?? [])].filter((r) => r.t_max >= range.fromUnix && r.t_min <= range.toUnix)
        : (
            await tx.query<CandidateRow>(
              `select fact_id, kind, body from candidates c where server_id = $1 and map_norm = $2 and round = $3
               and ${readingIn('$4::bigint', '$5::bigint')}`,
              [group.serverId, group.mapNorm, group.round, range.fromUnix, range.toUnix],
            )
          ).rows;
      const stats: StatsCandidate[] = [];
      const lua: LuaCandidate[] = [];
      for (const row of rows) {
        if (row.kind === 'lua') {
          const c = row.body as LuaCandidate;
          lua.push({ ...c, pauseRecords: await pausesOf(c) });
        } else stats.push(row.body as StatsCandidate);
      }
      return { stats, lua };
    },
  };
}
