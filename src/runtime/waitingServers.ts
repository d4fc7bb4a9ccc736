// Which servers have something waiting for time to pass: a candidate of the correlator whose
// decision deadline the facts' clock (its watermark) has not reached, or a session that the gap
// rule has not closed yet (its latest deadline plus the gap). The clock ticker appends a tick for
// those servers every interval and for the others only at a coarse interval, so the log grows with
// games, not with uptime. Ticks stay facts: a replay decides the same way whatever ticked.
import { ident, type SqlExecutor } from '../store/sqlDatabase.ts';
import { listBuilds } from './catalog.ts';

/** The servers among `servers` with something waiting, or null when the correlator cannot say (no build yet). */
export async function waitingServers(
  db: SqlExecutor,
  servers: readonly string[],
  gapSec: number,
): Promise<Set<string> | null> {
  const catalog = await db.query<{ t: string | null }>("select to_regclass('ledger.projection_builds')::text as t");
  if (!catalog.rows[0]?.t) return null;
  const build = (await listBuilds(db)).find((b) => b.name === 'correlator' && b.status === 'active');
  if (!build) return null;
  const schema = ident(build.schemaName);
  // One index probe per server (candidates_deadline): the latest deadline, against the watermark;
  // a server without a candidate waits for nothing.
  const r = await db.query<{ server_id: string; waiting: boolean }>(
    `select s.server_id,
            coalesce((select max(deadline_unix) from ${schema}.candidates c where c.server_id = s.server_id) + $2
              >= coalesce((select unix from ${schema}.watermarks w where w.server_id = s.server_id), 0), false) as waiting
     from unnest($1::text[]) as s(server_id)`,
    [servers, gapSec],
  );
  return new Set(r.rows.filter((x) => x.waiting).map((x) => x.server_id));
}
