-- The correlator's state: candidates with their event times, pause records, watermarks per server,
-- and the standing verdict of each round key. Verdicts themselves go to the log.
create table candidates (
  fact_id       text primary key,
  kind          text not null check (kind in ('stats', 'lua')),
  server_id     text not null,
  map_norm      text not null,
  round         smallint not null,
  t_min         bigint not null,
  t_max         bigint not null,
  deadline_unix bigint not null,
  body          jsonb not null
);
create index candidates_group_time on candidates (server_id, map_norm, round, t_min);
create index candidates_deadline on candidates (server_id, deadline_unix);

create table pause_records (
  server_id  text not null,
  map_norm   text not null,
  round      smallint not null,
  start_unix bigint not null,
  end_unix   bigint not null,
  sec        double precision not null,
  primary key (server_id, map_norm, round, start_unix)
);

create table watermarks (
  server_id text primary key,
  unix      bigint not null
);

-- The standing verdict of each round key, or its tombstone (verdict null): the event that ended
-- its last verdict (a retraction, or another key's verdict that took its fact). The key's next
-- verdict supersedes event_id either way, so every round's chain stays whole.
create table standing (
  round_key text primary key,
  event_id  text not null,
  verdict   json -- read back whole, never queried inside: json skips the jsonb conversion
);
-- Inline and uncompressed up to a page, as stats_facts (projections/support/statsFacts.sql says why).
alter table standing set (toast_tuple_target = 8160);

-- The R1 each R2 was last paired with: only an R2 whose pairing moves is decided again.
create table r2_pairs (
  r2_id text primary key,
  r1_id text
);
