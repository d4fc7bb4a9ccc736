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
-- A stats file or a verdict (≈ 3 KB) stays inline and uncompressed: compressing it cost the
-- append more than writing it (pglz above all, where the server has no lz4, as the embedded one);
-- the log grows by ≈ 1.5× for it (6.8 against 4.5 kB a round, lz4). Set once: this file runs at every start.
do $$ begin
  if not exists (select 1 from pg_class where oid = 'ledger.events'::regclass
                 and reloptions @> array['toast_tuple_target=8160']) then
    alter table ledger.events set (toast_tuple_target = 8160);
  end if;
end $$;
