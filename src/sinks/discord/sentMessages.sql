-- What the Discord sender has sent: one message per target, kind and channel (invariant 7). Owned by
-- the sender, outside any projection build, so a rebuild of discord-outbox never forgets a message.
create schema if not exists discord_sink;
create table if not exists discord_sink.messages (
  target_key       text not null,
  kind             text not null,
  channel_id       text not null,
  -- sending: a create is (or was, before a crash) in flight; reconciled by searching the channel for `ref`.
  -- posted: message_id shows verdict_event_id. skipped: too old to post. rejected: Discord refused the
  -- payload. retired: replaced by another target's message. gone: deleted in Discord, not posted again.
  state            text not null check (state in ('sending', 'posted', 'skipped', 'rejected', 'retired', 'gone')),
  message_id       text,
  ref              text not null,
  verdict_event_id text not null,
  content_hash     text,
  updated_at       timestamptz not null default now(),
  primary key (target_key, kind, channel_id)
);
