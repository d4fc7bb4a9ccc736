// The sender's own table (sentMessages.sql): which message shows which target in which channel.
import type { SqlExecutor } from '../../store/sqlDatabase.ts';
import { sqlFile } from '../../store/sqlDatabase.ts';
import { type ChannelName, type OutboxRecord, type OutboxRow, outboxColumns, toOutboxRow } from './renderPost.ts';

export type SentState = 'sending' | 'posted' | 'skipped' | 'rejected' | 'retired' | 'gone';

export type Sent = {
  targetKey: string;
  kind: string;
  channelId: string;
  state: SentState;
  messageId: string | null;
  ref: string;
  verdictEventId: string;
  contentHash: string | null;
};

type SentRecord = {
  target_key: string;
  kind: string;
  channel_id: string;
  state: SentState;
  message_id: string | null;
  ref: string;
  verdict_event_id: string;
  content_hash: string | null;
};

const toSent = (r: SentRecord): Sent => ({
  targetKey: r.target_key,
  kind: r.kind,
  channelId: r.channel_id,
  state: r.state,
  messageId: r.message_id,
  ref: r.ref,
  verdictEventId: r.verdict_event_id,
  contentHash: r.content_hash,
});

export async function ensureSentTable(db: SqlExecutor): Promise<void> {
  await db.exec(await sqlFile(import.meta.url, 'sentMessages.sql'));
}

/**
 * Outbox rows that need work in the configured channels: never handled, a create in flight (a
 * crash between send and record), or a verdict newer than the one the message shows.
 */
export async function pendingRows(
  db: SqlExecutor,
  channels: Record<ChannelName, string | null>,
  limit = 500,
): Promise<(OutboxRow & { channelId: string })[]> {
  const names = (Object.keys(channels) as ChannelName[]).filter((c) => channels[c] !== null);
  if (names.length === 0) return [];
  const r = await db.query<OutboxRecord & { channel_id: string }>(
    `select ${outboxColumns}, c.channel_id
     from read.discord_outbox o
     join unnest($1::text[], $2::text[]) as c(channel, channel_id) on c.channel = o.channel
     left join discord_sink.messages m
       on m.target_key = o.target_key and m.kind = o.kind and m.channel_id = c.channel_id
     where m.target_key is null or m.state = 'sending'
        or (m.state in ('posted', 'skipped', 'rejected') and m.verdict_event_id <> o.verdict_event_id)
     order by o.position, o.kind
     limit $3`,
    [names, names.map((n) => channels[n]), limit],
  );
  return r.rows.map((row) => ({ ...toOutboxRow(row), channelId: row.channel_id }));
}

export async function getSent(
  db: SqlExecutor,
  targetKey: string,
  kind: string,
  channelId: string,
): Promise<Sent | null> {
  const r = await db.query<SentRecord>(
    'select * from discord_sink.messages where target_key = $1 and kind = $2 and channel_id = $3',
    [targetKey, kind, channelId],
  );
  return r.rows[0] ? toSent(r.rows[0]) : null;
}

/** Messages of the targets `keys` (posted ones) in a channel, for a target that takes them over. */
export async function sentOf(db: SqlExecutor, keys: string[], kind: string, channelId: string): Promise<Sent[]> {
  if (keys.length === 0) return [];
  const r = await db.query<SentRecord>(
    "select * from discord_sink.messages where target_key = any($1::text[]) and kind = $2 and channel_id = $3 and state = 'posted' order by target_key",
    [keys, kind, channelId],
  );
  return r.rows.map(toSent);
}

export async function recordSent(db: SqlExecutor, s: Sent): Promise<Sent> {
  await db.query(
    `insert into discord_sink.messages (target_key, kind, channel_id, state, message_id, ref, verdict_event_id, content_hash)
     values ($1, $2, $3, $4, $5, $6, $7, $8)
     on conflict (target_key, kind, channel_id) do update set state = excluded.state, message_id = excluded.message_id,
       ref = excluded.ref, verdict_event_id = excluded.verdict_event_id, content_hash = excluded.content_hash, updated_at = now()`,
    [s.targetKey, s.kind, s.channelId, s.state, s.messageId, s.ref, s.verdictEventId, s.contentHash],
  );
  return s;
}

/** Moves a message to another target (the round it showed now has a new key). */
export async function moveSent(db: SqlExecutor, from: Sent, toKey: string, ref: string): Promise<Sent> {
  await db.query(
    'delete from discord_sink.messages where target_key = $1 and kind = $2 and channel_id = $3 and message_id is null',
    [toKey, from.kind, from.channelId],
  );
  await db.query(
    'update discord_sink.messages set target_key = $4, ref = $5, updated_at = now() where target_key = $1 and kind = $2 and channel_id = $3',
    [from.targetKey, from.kind, from.channelId, toKey, ref],
  );
  return { ...from, targetKey: toKey, ref };
}
