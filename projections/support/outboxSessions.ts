// The discord-outbox's session summaries (projections/discordOutbox.ts). A session is a maximal run of
// a server's stats rounds whose consecutive times are at most sessionGapSec apart; it has ended, and
// gets a row, once the server's watermark passes its last round + the gap. Each round records whether
// a session ends at it (no round follows within the gap), so a session's bounds are index lookups.
// A batch re-decides only what can have changed: a round appearing, leaving or changing its verdict at
// time d changes only sessions holding a round in [d − gap, d + gap] (a session further away neither
// gains a neighbour nor loses one), and the watermark's rise from w to w' closes the sessions whose
// last round lies in [w − gap, w' − gap). The rows equal a recompute of every session, since sessions
// nowhere near a change are the same sessions, ended or not, as before.
import { canonicalJson } from '../../src/correlator/canonicalJson.ts';
import { sha256Hex } from '../../src/events/index.ts';
import { insertRows } from '../../src/store/insertRows.ts';
import type { SqlExecutor } from '../../src/store/sqlDatabase.ts';
import { withKeyLookups } from './keyLookups.ts';

/** The sessions view's default gap (rounds.sql): a fixed rule here, so a rebuild decides the same. */
export const sessionGapSec = 45 * 60;

export type SessionRoundRow = { round_key: string; server_id: string; time_unix: number; verdict_event_id: string };

/** Server → the times where a round appeared, left, or changed its verdict. */
export type SessionChanges = Map<string, number[]>;

const sameRound = (a: SessionRoundRow, b: SessionRoundRow) =>
  a.server_id === b.server_id && a.time_unix === b.time_unix && a.verdict_event_id === b.verdict_event_id;

/**
 * Writes the session rounds that changed (`before`: the rows as loaded, `after`: as folded; a key
 * in neither is untouched) and marks where sessions end around them; returns where they changed.
 */
export async function saveSessionRounds(
  tx: SqlExecutor,
  before: ReadonlyMap<string, SessionRoundRow>,
  after: ReadonlyMap<string, SessionRoundRow>,
): Promise<SessionChanges> {
  const changes: SessionChanges = new Map();
  const at = (r: SessionRoundRow) => {
    const times = changes.get(r.server_id) ?? [];
    times.push(r.time_unix);
    changes.set(r.server_id, times);
  };
  const gone: string[] = [];
  const added: SessionRoundRow[] = [];
  for (const [key, old] of before) {
    const now = after.get(key);
    if (now && sameRound(old, now)) continue;
    gone.push(key);
    at(old);
  }
  for (const [key, now] of after) {
    const old = before.get(key);
    if (old && sameRound(old, now)) continue;
    added.push(now);
    at(now);
  }
  if (gone.length > 0) await tx.query('delete from outbox_session_rounds where round_key = any($1::text[])', [gone]);
  await insertRows(
    tx,
    'outbox_session_rounds',
    added.map((r) => ({ ...r, session_end: true })),
  );
  const windows = windowsOf(changes);
  // A round's flag depends on the rounds in (t, t + gap]: a change at d moves those in [d − gap, d].
  // Keys only (keyLookups.ts): the planner read the whole table twice for a batch's windows.
  if (windows.length > 0)
    await withKeyLookups(tx, () =>
      tx.query(
        `update outbox_session_rounds r
         set session_end = not exists (select 1 from outbox_session_rounds n
           where n.server_id = r.server_id and n.time_unix > r.time_unix and n.time_unix <= r.time_unix + $4)
         from (select distinct x.round_key from unnest($1::text[], $2::bigint[], $3::bigint[]) as w(s, lo, hi)
               cross join lateral (select round_key from outbox_session_rounds x
                 where x.server_id = w.s and x.time_unix between w.lo and w.hi - $4) x) k
         where r.round_key = k.round_key`,
        [...windowColumns(windows), sessionGapSec],
      ),
    );
  return changes;
}

type Window = { serverId: string; lo: number; hi: number };

/** [d − gap, d + gap] around every change, merged where they overlap (sorted per server). */
function windowsOf(changes: SessionChanges): Window[] {
  const out: Window[] = [];
  for (const [serverId, times] of changes) {
    const sorted = [...new Set(times)].sort((a, b) => a - b);
    let open: Window | null = null;
    for (const t of sorted) {
      if (open && t - sessionGapSec <= open.hi) open.hi = t + sessionGapSec;
      else {
        open = { serverId, lo: t - sessionGapSec, hi: t + sessionGapSec };
        out.push(open);
      }
    }
  }
  return out;
}

const windowColumns = (ws: Window[]) => [ws.map((w) => w.serverId), ws.map((w) => w.lo), ws.map((w) => w.hi)];

type Watermark = { serverId: string; before: number | null; now: number };

/** Raises each server's watermark to the latest of `marks`; reads the others `changes` names. */
async function raiseWatermarks(
  tx: SqlExecutor,
  marks: [string, number][],
  changes: SessionChanges,
): Promise<Watermark[]> {
  const latest = new Map<string, number>();
  for (const [server, t] of marks) latest.set(server, Math.max(t, latest.get(server) ?? t));
  const raised = await tx.query<{ server_id: string; now: string; before: string | null }>(
    `with input as (select * from unnest($1::text[], $2::bigint[]) as x(server_id, t)),
     old as (select w.server_id, w.watermark_unix from outbox_watermarks w join input using (server_id)),
     up as (insert into outbox_watermarks (server_id, watermark_unix) select server_id, t from input
       on conflict (server_id) do update
         set watermark_unix = greatest(outbox_watermarks.watermark_unix, excluded.watermark_unix)
       returning server_id, watermark_unix)
     select up.server_id, up.watermark_unix as now, old.watermark_unix as before from up left join old using (server_id)`,
    [[...latest.keys()], [...latest.values()]],
  );
  const out = raised.rows.map((r) => ({
    serverId: r.server_id,
    before: r.before === null ? null : Number(r.before),
    now: Number(r.now),
  }));
  const others = [...changes.keys()].filter((s) => !latest.has(s));
  if (others.length > 0) {
    const held = await tx.query<{ server_id: string; watermark_unix: string }>(
      'select server_id, watermark_unix from outbox_watermarks where server_id = any($1::text[])',
      [others],
    );
    for (const r of held.rows) {
      const w = Number(r.watermark_unix);
      out.push({ serverId: r.server_id, before: w, now: w });
    }
  }
  return out;
}

type SessionRow = { server_id: string; first: string; last: string; keys: string[]; verdict_ids: string[] };

/**
 * The ended sessions that hold a round inside a window, or that the watermark's rise closes, each
 * with its rounds. A session is found by its end: one inside the window, or the first after it
 * (kept only when the session starts by the window's end); its start follows the previous end.
 */
const endedSessionsSql = `
  with win as (select * from unnest($1::text[], $2::bigint[], $3::bigint[]) as w(server_id, lo, hi)),
  rise as (select * from unnest($4::text[], $5::bigint[], $6::bigint[]) as r(server_id, lo, hi)),
  mark as (select * from unnest($7::text[], $8::bigint[]) as m(server_id, w)),
  ends as (
    select win.server_id, x.time_unix as e, null::bigint as reach from win cross join lateral
      (select time_unix from outbox_session_rounds x
       where x.server_id = win.server_id and x.session_end and x.time_unix between win.lo and win.hi) x
    union all
    select win.server_id, n.e, win.hi from win cross join lateral
      (select min(time_unix) as e from outbox_session_rounds x
       where x.server_id = win.server_id and x.session_end and x.time_unix > win.hi) n
    union all
    select rise.server_id, x.time_unix, null from rise cross join lateral
      (select time_unix from outbox_session_rounds x
       where x.server_id = rise.server_id and x.session_end and x.time_unix >= rise.lo and x.time_unix < rise.hi) x
  ),
  ended as (
    select e.server_id, e.e as last, case when bool_or(e.reach is null) then null else max(e.reach) end as reach
    from ends e join mark m on m.server_id = e.server_id
    where e.e is not null and e.e + $9 < m.w
    group by e.server_id, e.e
  ),
  bounded as materialized (
    select d.server_id, d.last, d.reach,
      (select min(time_unix) from outbox_session_rounds x
       where x.server_id = d.server_id and x.time_unix > coalesce(p.prev, ${Number.MIN_SAFE_INTEGER})) as first
    from ended d cross join lateral
      (select max(time_unix) as prev from outbox_session_rounds y
       where y.server_id = d.server_id and y.session_end and y.time_unix < d.last) p
  )
  select b.server_id, b.first, b.last,
         array_agg(r.round_key order by r.time_unix, r.round_key) as keys,
         array_agg(r.verdict_event_id order by r.time_unix, r.round_key) as verdict_ids
  from bounded b join outbox_session_rounds r on r.server_id = b.server_id and r.time_unix between b.first and b.last
  where b.reach is null or b.first <= b.reach
  group by b.server_id, b.first, b.last`;

/**
 * The session rows held for sessions overlapping a window: those ending inside it, and the first
 * ending after it when it starts by the window's end (sessions never overlap); plus those of `keys`.
 */
const heldSessionsSql = `
  select o.target_key, o.verdict_event_id
  from unnest($1::text[], $2::bigint[], $3::bigint[]) as w(server_id, lo, hi) cross join lateral (
    (select target_key, verdict_event_id, verdict from discord_outbox
     where kind = 'session-summary' and server_id = w.server_id and round_time_unix between w.lo and w.hi)
    union all
    (select target_key, verdict_event_id, verdict from discord_outbox
     where kind = 'session-summary' and server_id = w.server_id and round_time_unix > w.hi
     order by round_time_unix limit 1)
  ) o
  where (o.verdict->>'firstUnix')::bigint <= w.hi
  union
  select target_key, verdict_event_id from discord_outbox
  where kind = 'session-summary' and target_key = any($4::text[])`;

/**
 * Raises the watermarks, then decides the session summaries near `changes` and those the rise
 * closes: a session whose rounds or verdicts changed gets a new hash (the sender edits); a session
 * that no longer exists as such (a late round joined two) loses its row. Returns whether a row changed.
 */
export async function decideSessions(
  tx: SqlExecutor,
  marks: [string, number][],
  changes: SessionChanges,
  position: number,
): Promise<boolean> {
  const watermarks = await raiseWatermarks(tx, marks, changes);
  const windows = windowsOf(changes).filter((w) => watermarks.some((m) => m.serverId === w.serverId));
  const rises = watermarks.filter((m) => m.before === null || m.now > m.before);
  if (windows.length === 0 && rises.length === 0) return false;
  const sessions = (
    await tx.query<SessionRow>(endedSessionsSql, [
      ...windowColumns(windows),
      rises.map((m) => m.serverId),
      // No watermark before: the server's rounds are all this batch's (its verdicts set it).
      rises.map((m) => (m.before === null ? Number.MIN_SAFE_INTEGER : m.before - sessionGapSec)),
      rises.map((m) => m.now - sessionGapSec),
      watermarks.map((m) => m.serverId),
      watermarks.map((m) => m.now),
      sessionGapSec,
    ])
  ).rows.map((s) => ({ ...s, first: Number(s.first), last: Number(s.last) }));
  const targetKey = (s: { server_id: string; first: number }) => `session:${s.server_id}:${s.first}`;
  const held = new Map(
    (
      await tx.query<{ target_key: string; verdict_event_id: string }>(heldSessionsSql, [
        ...windowColumns(windows),
        sessions.map(targetKey),
      ])
    ).rows.map((r) => [r.target_key, r.verdict_event_id]),
  );
  const keep = new Set<string>();
  const upserts: Record<string, unknown>[] = [];
  for (const s of sessions) {
    const key = targetKey(s);
    keep.add(key);
    const hash = sha256Hex(canonicalJson(s.verdict_ids));
    if (held.get(key) === hash) continue;
    upserts.push({
      target_key: key,
      kind: 'session-summary',
      channel: 'rounds',
      verdict_event_id: hash,
      payload_hash: hash,
      server_id: s.server_id,
      map: '',
      round: 0,
      status: 'SESSION',
      stats_fact_id: null,
      round_time_unix: s.last,
      verdict: { serverId: s.server_id, firstUnix: s.first, lastUnix: s.last, roundKeys: s.keys },
      position,
    });
  }
  const replaced = [...[...held.keys()].filter((k) => !keep.has(k)), ...upserts.map((u) => u.target_key as string)];
  if (replaced.length > 0)
    await tx.query("delete from discord_outbox where kind = 'session-summary' and target_key = any($1::text[])", [
      replaced,
    ]);
  await insertRows(tx, 'discord_outbox', upserts);
  return replaced.length > 0;
}
