// The Discord outbox (DESIGN invariant 7): for every standing verdict, the decision to post a round
// summary (production channel) and a timing check (dev channel), with a hash of what it shows.
// Deterministic like every projection: it never calls Discord; the sender in src/sinks/discord
// sends what this table asks for and edits when a row's verdict changes.
import { canonicalJson } from '../src/correlator/canonicalJson.ts';
import { sha256Hex, type Verdict } from '../src/events/index.ts';
import { defineProjection } from '../src/runtime/projection.ts';
import { type SqlExecutor, sqlFile } from '../src/store/sqlDatabase.ts';

const version = 1;

/** The sender listens here (same name in src/sinks/discord/discordSender.ts); fires on commit. */
const notifyChannel = 'et_ledger_discord_outbox';

export type PostKind = 'round-summary' | 'timing-check' | 'session-summary';

/** The sessions view's default gap (rounds.sql): a fixed rule here, so a rebuild decides the same. */
const sessionGapSec = 45 * 60;

/** What a verdict asks to post: ghosts nothing; a Lua-only round only the timing check (dev channel). */
export function postKinds(v: Verdict): { kind: Exclude<PostKind, 'session-summary'>; channel: 'rounds' | 'timing' }[] {
  if (v.flags.includes('ghost')) return [];
  const timing = { kind: 'timing-check' as const, channel: 'timing' as const };
  return v.statsFactId === null ? [timing] : [{ kind: 'round-summary', channel: 'rounds' }, timing];
}

export const discordOutbox = defineProjection({
  name: 'discord-outbox',
  version,
  schemaSql: () => sqlFile(import.meta.url, 'discordOutbox.sql'),
  tables: { discord_outbox: { key: ['target_key', 'kind'] } },
  on: {
    RoundTimingReconciled: async (items, { tx }) => {
      for (const { event, meta } of items) {
        const v = event.data;
        await trackSessionRound(tx, v, meta.eventId);
        // Rows of replaced verdicts under another key hand their message over to this target.
        const moved = await tx.query<{ target_key: string; kind: PostKind; inherits: string[] }>(
          'delete from discord_outbox where verdict_event_id = any($1::text[]) and target_key <> $2 returning target_key, kind, inherits',
          [v.supersedes, v.roundKey],
        );
        const kinds = postKinds(v);
        const current = await tx.query<{ kind: PostKind; inherits: string[] }>(
          'delete from discord_outbox where target_key = $1 returning kind, inherits',
          [v.roundKey],
        );
        const payloadHash = sha256Hex(canonicalJson(v));
        for (const { kind, channel } of kinds) {
          const inherits = new Set<string>();
          for (const r of [...current.rows, ...moved.rows.filter((m) => m.kind === kind)])
            if (r.kind === kind) for (const k of r.inherits) inherits.add(k);
          for (const m of moved.rows) if (m.kind === kind) inherits.add(m.target_key);
          inherits.delete(v.roundKey);
          await tx.query(
            `insert into discord_outbox (target_key, kind, channel, verdict_event_id, payload_hash, inherits, server_id, map,
               round, status, stats_fact_id, round_time_unix, verdict, position)
             values ($1, $2, $3, $4, $5, $6::text[], $7, $8, $9, $10, $11, $12, $13::jsonb, $14)`,
            [
              v.roundKey,
              kind,
              channel,
              meta.eventId,
              payloadHash,
              [...inherits].sort(),
              v.serverId,
              v.map,
              v.round,
              v.status,
              v.statsFactId,
              v.fileTimeUnix ?? v.luaRoundEndUnix,
              JSON.stringify(v),
              meta.position,
            ],
          );
        }
      }
      const last = items[items.length - 1]!.meta.position;
      await decideSessions(
        tx,
        items.map((i) => [i.event.data.serverId, i.event.data.watermarkUnix]),
        last,
      );
      await tx.query('select pg_notify($1, $2)', [notifyChannel, String(last)]);
    },
    ClockTicked: async (items, { tx }) => {
      const last = items[items.length - 1]!.meta.position;
      if (
        await decideSessions(
          tx,
          items.map((i) => [i.event.data.serverId, i.event.data.atUnix]),
          last,
        )
      )
        await tx.query('select pg_notify($1, $2)', [notifyChannel, String(last)]);
    },
  },
});

/** A stats round's standing verdict places it in its server's sessions; other verdicts leave them. */
async function trackSessionRound(tx: SqlExecutor, v: Verdict, eventId: string): Promise<void> {
  await tx.query('delete from outbox_session_rounds where verdict_event_id = any($1::text[]) or round_key = $2', [
    v.supersedes,
    v.roundKey,
  ]);
  if (v.statsFactId !== null && v.fileTimeUnix !== null && !v.flags.includes('ghost'))
    await tx.query(
      'insert into outbox_session_rounds (round_key, server_id, time_unix, verdict_event_id) values ($1, $2, $3, $4)',
      [v.roundKey, v.serverId, v.fileTimeUnix, eventId],
    );
}

type SessionRow = { first: number; last: number; keys: string[]; verdict_ids: string[] };

/**
 * Raises the watermarks, then for each server touched decides a session summary for every session
 * that has ended (watermark past its last round + the gap). A session whose rounds or verdicts
 * changed gets a new hash (the sender edits); a session that no longer exists as such (a late
 * round joined two) loses its row. Returns whether a row changed.
 */
async function decideSessions(tx: SqlExecutor, marks: [string, number][], position: number): Promise<boolean> {
  const latest = new Map<string, number>();
  for (const [server, t] of marks) latest.set(server, Math.max(t, latest.get(server) ?? t));
  let changed = false;
  for (const [serverId, t] of latest) {
    const w = await tx.query<{ watermark_unix: number }>(
      `insert into outbox_watermarks (server_id, watermark_unix) values ($1, $2)
       on conflict (server_id) do update set watermark_unix = greatest(outbox_watermarks.watermark_unix, excluded.watermark_unix)
       returning watermark_unix`,
      [serverId, t],
    );
    const watermark = Number(w.rows[0]!.watermark_unix);
    const sessions = await tx.query<SessionRow>(
      `with ordered as (
         select round_key, time_unix, verdict_event_id,
                lag(time_unix) over (order by time_unix, round_key) as previous
         from outbox_session_rounds where server_id = $1
       ), numbered as (
         select *, sum(case when previous is null or time_unix - previous > $2 then 1 else 0 end)
                     over (order by time_unix, round_key) as n
         from ordered
       )
       select min(time_unix) as first, max(time_unix) as last,
              array_agg(round_key order by time_unix, round_key) as keys,
              array_agg(verdict_event_id order by time_unix, round_key) as verdict_ids
       from numbered group by n having max(time_unix) + $2 < $3 order by first`,
      [serverId, sessionGapSec, watermark],
    );
    const keep: string[] = [];
    for (const s of sessions.rows) {
      const targetKey = `session:${serverId}:${Number(s.first)}`;
      keep.push(targetKey);
      const hash = sha256Hex(canonicalJson(s.verdict_ids));
      const current = await tx.query<{ verdict_event_id: string }>(
        "select verdict_event_id from discord_outbox where target_key = $1 and kind = 'session-summary'",
        [targetKey],
      );
      if (current.rows[0]?.verdict_event_id === hash) continue;
      changed = true;
      const session = { serverId, firstUnix: Number(s.first), lastUnix: Number(s.last), roundKeys: s.keys };
      await tx.query(
        `insert into discord_outbox (target_key, kind, channel, verdict_event_id, payload_hash, inherits, server_id, map,
           round, status, stats_fact_id, round_time_unix, verdict, position)
         values ($1, 'session-summary', 'rounds', $2, $2, '{}', $3, '', 0, 'SESSION', null, $4, $5::jsonb, $6)
         on conflict (target_key, kind) do update set verdict_event_id = excluded.verdict_event_id,
           payload_hash = excluded.payload_hash, round_time_unix = excluded.round_time_unix,
           verdict = excluded.verdict, position = excluded.position`,
        [targetKey, hash, serverId, Number(s.last), JSON.stringify(session), position],
      );
    }
    const gone = await tx.query(
      "delete from discord_outbox where kind = 'session-summary' and server_id = $1 and target_key <> all($2::text[])",
      [serverId, keep],
    );
    if (gone.rowCount > 0) changed = true;
  }
  return changed;
}
