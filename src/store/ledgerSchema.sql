-- The append-only log. Positions are assigned by the appender while it holds an EXCLUSIVE lock on
-- this table until commit, so positions become visible in commit order (see README "Global order").
create schema if not exists ledger;

create table if not exists ledger.events (
  position        bigint primary key,
  event_id        uuid not null unique,
  stream_id       text not null,
  stream_version  integer not null,
  type            text not null,
  schema_version  integer not null,
  data            jsonb not null,
  raw             bytea,
  recorded_at     timestamptz not null default now(),
  unique (stream_id, stream_version)
);
