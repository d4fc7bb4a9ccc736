-- What the Discord sender has sent: one message per target, kind and channel (invariant 7). Owned by
-- the sender, outside any projection build, so a rebuild of discord-outbox never forgets a message.
create schema if not exists discord_sink;
create table if not exists discord_sink.messages (
  target_key       text not null,
  kind             text not null,
  channel_id       text not null,
  -- sending: a create is (or was, before a crash) in flight; reconciled by searching the channel for `ref`.
  -- posted: message_id shows verdict_event_id. skipped: too old to post. rejected: Discord refused the
  -- payload. retired: replaced by another target's message (before 0.2; no longer made). gone: deleted
  -- in Discord, not posted again. retracted: its target left the outbox (a retracted verdict, a session
  -- regrouped): the sender deleted the message. kept: its target left the outbox when the round was
  -- older than ET_LEDGER_POST_MAX_AGE: the message was left as it is.
  state            text not null,
  message_id       text,
  ref              text not null,
  verdict_event_id text not null,
  content_hash     text,
  updated_at       timestamptz not null default now(),
  primary key (target_key, kind, channel_id)
);

-- 0.2: more states, and the round's time (a message whose target left the outbox is deleted only
-- while the round is younger than ET_LEDGER_POST_MAX_AGE).
alter table discord_sink.messages drop constraint if exists messages_state_check;
alter table discord_sink.messages add constraint messages_state_check
  check (state in ('sending', 'posted', 'skipped', 'rejected', 'retired', 'gone', 'retracted', 'kept')) not valid;
alter table discord_sink.messages add column if not exists round_time_unix bigint;
