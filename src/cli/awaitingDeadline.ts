// How many rounds the correlator still waits on: a candidate (a stats round or a Lua report, see
// projections/correlator.sql) that no standing verdict covers and whose decision deadline its
// server's watermark has not passed yet. Such a round is decided when a later fact (or a clock
// tick) from its server carries the watermark past the deadline: `ingest --close` appends that tick.
import { luaReportId } from '../events/ids.ts';
import { activeBuild } from '../runtime/catalog.ts';
import { ident, type SqlExecutor } from '../store/sqlDatabase.ts';

type Waiting = {
  kind: 'stats' | 'lua';
  fact_id: string;
  server_id: string | null;
  map: string | null;
  round: number | null;
  round_end_unix: number | null;
};

/** Rounds waiting for their deadline in the active correlator build (0 when there is none yet). */
export async function roundsAwaitingDeadline(db: SqlExecutor): Promise<number> {
  const build = await activeBuild(db, 'correlator');
  if (!build) return 0;
  const schema = ident(build.schemaName);
  // Decided once the watermark is past the deadline (the correlator's rule): waiting while it is not.
  const waiting = await db.query<Waiting>(
    `select c.kind, c.fact_id, c.body->'report'->>'serverId' as server_id, c.body->'report'->>'map' as map,
            (c.body->'report'->>'round')::int as round, (c.body->'report'->>'roundEndUnix')::bigint as round_end_unix
     from ${schema}.candidates c left join ${schema}.watermarks w on w.server_id = c.server_id
     where w.unix is null or c.deadline_unix >= w.unix`,
  );
  if (waiting.rows.length === 0) return 0;
  const luaIdOf = (w: Waiting) =>
    w.kind === 'lua' && w.server_id !== null && w.map !== null && w.round !== null && w.round_end_unix !== null
      ? luaReportId(w.server_id, w.map, Number(w.round), Number(w.round_end_unix))
      : null;
  const statsIds = waiting.rows.filter((w) => w.kind === 'stats').map((w) => w.fact_id);
  const luaIds = waiting.rows.map(luaIdOf).filter((id) => id !== null);
  // A joined pair is decided at once, before either deadline: its verdict covers both facts.
  const verdictsReadable = await db.query<{ v: string | null }>("select to_regclass('read.verdicts')::text as v");
  if (verdictsReadable.rows[0]?.v == null) return waiting.rows.length;
  const covered = await db.query<{ stats_fact_id: string | null; lua_report_id: string | null }>(
    'select stats_fact_id, lua_report_id from read.verdicts where stats_fact_id = any($1::text[]) or lua_report_id = any($2::text[])',
    [statsIds, luaIds],
  );
  const decided = new Set(covered.rows.flatMap((r) => [r.stats_fact_id, r.lua_report_id]).filter((x) => x !== null));
  return waiting.rows.filter((w) => !decided.has(w.kind === 'stats' ? w.fact_id : (luaIdOf(w) ?? w.fact_id))).length;
}
