// The correlator's own tables (projections/correlator.sql): candidates, watermarks and the standing
// verdict of each round key, read and written a batch at a time. The deciding is correlator.ts's.
import {
  type CorrelatorConfig,
  type CorrelatorFact,
  decisionDeadlineUnix,
  isLuaCandidate,
  type PreviousVerdict,
} from '../../src/correlator/index.ts';
import { normalizeMapName } from '../../src/parser/names.ts';
import type { SqlExecutor } from '../../src/store/sqlDatabase.ts';
import type { StoredStatsFact } from './statsFacts.ts';

/**
 * The file times of these R2s, in one query: a fact of this batch's, else its candidate's, else
 * the stored fact's first reading.
 */
export async function fileTimes(
  tx: SqlExecutor,
  ids: string[],
  stored: StoredStatsFact[],
): Promise<Map<string, number[]>> {
  const out = new Map<string, number[]>();
  for (const f of stored) out.set(f.factId, f.timing.fileTimeCandidatesUnix);
  const missing = ids.filter((id) => !out.has(id));
  if (missing.length === 0) return out;
  const r = await tx.query<{ id: string; times: number[] | null; file_time_unix: string | null }>(
    `select x.id, c.body->'fileTimeCandidatesUnix' as times, f.file_time_unix
     from unnest($1::text[]) as x(id)
     left join candidates c on c.fact_id = x.id
     left join stats_facts f on f.fact_id = x.id`,
    [missing],
  );
  for (const row of r.rows)
    out.set(row.id, row.times ?? (row.file_time_unix === null ? [] : [Number(row.file_time_unix)]));
  return out;
}

function groupOf(c: CorrelatorFact) {
  return isLuaCandidate(c)
    ? { serverId: c.report.serverId, map: normalizeMapName(c.report.map), round: c.report.round }
    : { serverId: c.serverId, map: normalizeMapName(c.map), round: c.round };
}

/** Upserts candidates in one statement; a fact seen twice in one batch is kept once (the last). */
export async function saveCandidates(
  tx: SqlExecutor,
  facts: CorrelatorFact[],
  config: CorrelatorConfig,
): Promise<void> {
  const rows = [...new Map(facts.map((c) => [c.factId, c])).values()].map((c) => {
    const g = groupOf(c);
    const times = isLuaCandidate(c) ? [c.report.roundEndUnix] : c.fileTimeCandidatesUnix;
    const deadline = decisionDeadlineUnix(c, config);
    return {
      fact_id: c.factId,
      kind: isLuaCandidate(c) ? 'lua' : 'stats',
      server_id: g.serverId,
      map_norm: g.map,
      round: g.round,
      t_min: times.length ? times.reduce((m, t) => Math.min(m, t)) : 0,
      t_max: times.length ? times.reduce((m, t) => Math.max(m, t)) : 0,
      deadline_unix: Number.isFinite(deadline) ? deadline : -1,
      // Pauses are joined in when loaded: a later PauseRecorded must not leave a stale copy here.
      body: isLuaCandidate(c) ? { ...c, pauseRecords: [] } : c,
    };
  });
  if (rows.length === 0) return;
  await tx.query(
    `insert into candidates select * from jsonb_populate_recordset(null::candidates, $1::jsonb)
     on conflict (fact_id) do update set body = excluded.body`,
    [JSON.stringify(rows)],
  );
}

/** Watermarks only move forward; returns the servers whose watermark moved, with old and new. */
export async function advanceWatermarks(
  tx: SqlExecutor,
  updates: [string, number][],
): Promise<Map<string, { from: number; to: number }>> {
  const moved = new Map<string, { from: number; to: number }>();
  const best = new Map<string, number>();
  for (const [s, t] of updates) best.set(s, Math.max(best.get(s) ?? Number.NEGATIVE_INFINITY, t));
  for (const [serverId, t] of best) {
    const r = await tx.query<{ unix: number }>('select unix from watermarks where server_id = $1', [serverId]);
    const old = r.rows[0] ? Number(r.rows[0].unix) : Number.NEGATIVE_INFINITY;
    if (t <= old) continue;
    await tx.query(
      'insert into watermarks (server_id, unix) values ($1, $2) on conflict (server_id) do update set unix = excluded.unix',
      [serverId, t],
    );
    moved.set(serverId, { from: old, to: t });
  }
  return moved;
}

/** Writes the standing entries that changed (verdicts and tombstones) in one statement. */
export async function saveStanding(tx: SqlExecutor, changes: [string, PreviousVerdict][]): Promise<void> {
  if (changes.length === 0) return;
  // One JSON document: a text[] of verdicts costs the driver an escaping pass over every one.
  await tx.query(
    `insert into standing (round_key, event_id, verdict)
     select k, e, v from json_to_recordset($1::json) as x(k text, e text, v json)
     on conflict (round_key) do update set event_id = excluded.event_id, verdict = excluded.verdict`,
    [JSON.stringify(changes.map(([k, v]) => ({ k, e: v.eventId, v: v.verdict })))],
  );
}
