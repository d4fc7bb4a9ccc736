// The sender's own table (sentMessages.sql): which message shows which target in which channel.
import type { SqlExecutor } from '../../store/sqlDatabase.ts';
import { sqlFile } from '../../store/sqlDatabase.ts';
import { type ChannelName, type OutboxRecord, type OutboxRow, outboxColumns, toOutboxRow } from './renderPost.ts';

export type SentState = 'sending' | 'posted' | 'skipped' | 'rejected' | 'retired' | 'gone' | 'retracted' | 'kept';

export type Sent = {
  targetKey: string;
  kind: string;
  channelId: string;
  state: SentState;
  messageId: string | null;
  ref: string;
  verdictEventId: string;
  contentHash: string | null;
  /** The round's time (a session: its last round), when known: the max-age rule for deletes. */
  roundTimeUnix?: number | null;
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
  round_time_unix?: number | string | null;
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
  roundTimeUnix: r.round_time_unix === null || r.round_time_unix === undefined ? null : Number(r.round_time_unix),
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
        or (m.state in ('posted', 'skipped', 'rejected', 'retracted', 'kept') and m.verdict_event_id <> o.verdict_event_id)
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

/**
 * Messages whose target left the outbox in a configured channel (a retracted verdict, a regrouped
 * session): the sender deletes them, so a channel's final state is a function of the facts.
 */
export async function vanishedMessages(
  db: SqlExecutor,
  channels: Record<ChannelName, string | null>,
  limit = 500,
): Promise<Sent[]> {
  const names = (Object.keys(channels) as ChannelName[]).filter((c) => channels[c] !== null);
  if (names.length === 0) return [];
  const r = await db.query<SentRecord>(
    `select m.* from discord_sink.messages m
     join unnest($1::text[], $2::text[]) as c(channel, channel_id) on c.channel_id = m.channel_id
     where m.state = 'posted' and m.message_id is not null
       and not exists (select 1 from read.discord_outbox o
                       where o.target_key = m.target_key and o.kind = m.kind and o.channel = c.channel)
     order by m.updated_at limit $3`,
    [names, names.map((n) => channels[n]), limit],
  );
  return r.rows.map(toSent);
}

export async function recordSent(db: SqlExecutor, s: Sent): Promise<Sent> {
  await db.query(
    `insert into discord_sink.messages (target_key, kind, channel_id, state, message_id, ref, verdict_event_id, content_hash, round_time_unix)
     values ($1, $2, $3, $4, $5, $6, $7, $8, $9)
     on conflict (target_key, kind, channel_id) do update set state = excluded.state, message_id = excluded.message_id,
       ref = excluded.ref, verdict_event_id = excluded.verdict_event_id, content_hash = excluded.content_hash,
       round_time_unix = coalesce(excluded.round_time_unix, discord_sink.messages.round_time_unix), updated_at = now()`,
    [
      s.targetKey,
      s.kind,
      s.channelId,
      s.state,
      s.messageId,
      s.ref,
      s.verdictEventId,
      s.contentHash,
      s.roundTimeUnix ?? null,
    ],
  );
  return s;
}
