-- The latest verdict per round (a superseded or retracted verdict leaves this table) and every
-- verdict and retraction of the correlator generation this build follows.
create table verdicts (
  round_key          text primary key,
  event_id           text not null,
  server_id          text not null,
  map                text not null,
  round              smallint not null,
  status             text not null,
  stats_fact_id      text,
  stats_file_name    text,
  file_time_unix     bigint,
  lua_report_id      text,
  lua_round_end_unix bigint,
  delta_sec          integer,
  stats_playtime_sec double precision,
  lua_playtime_sec   double precision,
  paused_sec         double precision,
  pause_count        integer,
  warmup_sec         double precision,
  wall_clock_sec     double precision,
  timelimit_sec      double precision,
  fighting_time_sec  double precision,
  diff_sec           double precision,
  surrender          boolean not null,
  surrender_team     smallint,
  outcome            text,
  winner             smallint not null,
  defender           smallint not null,
  flags              text[] not null,
  players            jsonb not null,
  correlator_version integer not null,
  generation         integer not null,
  supersedes         text[] not null,
  watermark_unix     bigint not null,
  position           bigint not null
);
-- Inline and uncompressed up to a page, as stats_facts (projections/support/statsFacts.sql says why).
alter table verdicts set (toast_tuple_target = 8160);
create index verdicts_event on verdicts (event_id);

-- Verdicts and retractions (kind 'retraction', status 'RETRACTED'): every round's whole chain.
create table verdict_history (
  event_id   text primary key,
  round_key  text not null,
  kind       text not null check (kind in ('verdict', 'retraction')),
  status     text not null,
  generation integer not null,
  supersedes text[] not null,
  position   bigint not null,
  verdict    jsonb not null
);
-- Inline and uncompressed up to a page, as stats_facts (projections/support/statsFacts.sql says why).
alter table verdict_history set (toast_tuple_target = 8160);
create index verdict_history_round on verdict_history (round_key, position);

-- One row per player of each standing verdict, with the corrected time and DPM as columns (the
-- per-player join of spec/correlation.md), so analysts need no jsonb_array_elements.
create view verdict_players as
  select v.round_key, v.stats_fact_id as round_id, v.server_id, v.map, v.round, v.file_time_unix, v.status,
         p.ordinal::int as ordinal,
         p.value->>'guid8' as guid8,
         p.value->>'fullGuid' as full_guid,
         p.value->>'name' as name,
         (p.value->>'team')::smallint as team,
         (p.value->>'damageGiven')::int as damage_given,
         (p.value->>'statsTimeSec')::float8 as stats_time_sec,
         (p.value->>'correctedTimeSec')::float8 as corrected_time_sec,
         (p.value->>'dpm')::float8 as stats_dpm,
         (p.value->>'correctedDpm')::float8 as corrected_dpm
  from verdicts v cross join lateral jsonb_array_elements(v.players) with ordinality as p(value, ordinal);
