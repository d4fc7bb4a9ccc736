-- The Discord outbox: the decision to post, one row per target (a round key, or a session) and kind
-- of message. A superseding verdict replaces the row (the sender edits the message it sent); a
-- retracted verdict's rows leave the table (the sender deletes the message). Message ids are not
-- kept here: they must outlive a rebuild of this read model (discord_sink.messages, owned by the sender).
create table discord_outbox (
  target_key       text not null,
  kind             text not null check (kind in ('round-summary', 'timing-check', 'session-summary')),
  channel          text not null check (channel in ('rounds', 'timing')),
  -- The verdict shown (a session: a hash of its rounds' verdicts); a change means an edit.
  verdict_event_id text not null,
  payload_hash     text not null,
  server_id        text not null,
  map              text not null,
  round            smallint not null,
  status           text not null,
  stats_fact_id    text,
  round_time_unix  bigint,
  -- The verdict (round kinds) or the session: {serverId, firstUnix, lastUnix, roundKeys}.
  verdict          jsonb not null,
  position         bigint not null,
  primary key (target_key, kind)
);
-- Inline and uncompressed up to a page, as stats_facts (projections/support/statsFacts.sql says why).
alter table discord_outbox set (toast_tuple_target = 8160);
create index discord_outbox_verdict on discord_outbox (verdict_event_id);
create index discord_outbox_position on discord_outbox (position);
-- A session's row by its last round (round_time_unix): the rows near a change are a range.
create index discord_outbox_sessions on discord_outbox (server_id, round_time_unix) where kind = 'session-summary';

-- Stats rounds per server (from their standing verdicts) and each server's event-time watermark:
-- a session (the sessions view's gap rule) has ended once the watermark passes its last round + gap.
create table outbox_session_rounds (
  round_key        text primary key,
  server_id        text not null,
  time_unix        bigint not null,
  verdict_event_id text not null,
  -- No round of the server follows within the gap: a session ends here (projections/support/outboxSessions.ts).
  session_end      boolean not null
);
create index outbox_session_rounds_server on outbox_session_rounds (server_id, time_unix);
create index outbox_session_rounds_ends on outbox_session_rounds (server_id, time_unix) where session_end;
create index outbox_session_rounds_verdict on outbox_session_rounds (verdict_event_id);
create table outbox_watermarks (
  server_id      text primary key,
  watermark_unix bigint not null
);
