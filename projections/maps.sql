-- Stopwatch maps: each stats round's half as the map needs it, its verdict's timing, and one row
-- per map (an R1 and its R2, or a half alone). Results are decided in TypeScript
-- (src/stopwatch/decideMap.ts) and stored; the logical teams of an evening are derived at read time
-- (src/stopwatch/logicalTeams.ts), because the evening's boundary is a reader's setting.

create table map_halves (
  round_id          text primary key,
  server_id         text not null,
  map               text not null,
  round             smallint not null,
  file_name         text not null,
  file_time_unix    bigint,
  defender          smallint not null,
  winner            smallint not null,
  time_limit_sec    integer not null,
  stats_playtime_sec double precision,
  aborted           boolean not null,
  attackers         jsonb not null,
  defenders         jsonb not null,
  -- an R2's R1 by the pairing rule (src/parser/pairRounds.ts); null for an R1 or an R2 without one
  r1_round_id       text
);
create index map_halves_r1 on map_halves (r1_round_id);

-- The standing verdict's timing of a stats round (the correlator's active generation).
create table map_timing (
  round_id          text primary key,
  fighting_time_sec double precision,
  surrender         boolean not null,
  suspected_abort   boolean not null
);

create table maps (
  -- the R1's round id, or the R2's when it has no R1
  map_id          text primary key,
  server_id       text not null,
  map             text not null,
  file_time_unix  bigint,
  r1_round_id     text,
  r1_file_name    text,
  r2_round_id     text,
  r2_file_name    text,
  time_set_sec    double precision,
  r2_time_sec     double precision,
  result          text not null,
  -- 'A' = the lineup that attacked in R1, 'B' the other; null on a draw or unknown
  winner_lineup   text,
  points_a        smallint not null,
  points_b        smallint not null,
  lineup_a        jsonb not null,
  lineup_b        jsonb not null,
  flags           text[] not null
);
create index maps_r2 on maps (r2_round_id);
create index maps_server_time on maps (server_id, file_time_unix);
