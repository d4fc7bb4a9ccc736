-- Stopwatch maps, kept by the rounds projection: each stats round's half as the map needs it, its verdict's timing, and one row
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
-- A player's halves (`attackers @> '[{"id": "C08D3E6A"}]'`): the player page's per-map record.
create index map_halves_attackers on map_halves using gin (attackers jsonb_path_ops);
create index map_halves_defenders on map_halves using gin (defenders jsonb_path_ops);

-- The standing verdict's timing of a stats round (the correlator's active generation).
create table map_timing (
  round_id          text primary key,
  -- The verdict shown, so that another round's verdict superseding it is found (roundVerdicts.ts).
  verdict_event_id  text not null,
  fighting_time_sec double precision,
  surrender         boolean not null,
  suspected_abort   boolean not null
);
create index map_timing_verdict on map_timing (verdict_event_id);

-- One row per map as decided; its lineups are the halves' (map_halves), joined by the view below,
-- so deciding a map again moves no player lists.
create table map_results (
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
  -- lineup A is the R1 attackers (r1), or without a usable R1 the R2 defenders (r2)
  lineups_from    text,
  flags           text[] not null
);
create index map_results_r1 on map_results (r1_round_id);
create index map_results_r2 on map_results (r2_round_id);
create index map_results_server_time on map_results (server_id, file_time_unix);

-- Who played each decided map and on which lineup, with its outcome for him: a row per (map, player),
-- rewritten with its map_results row (mapsFold.decideMaps). The player page's per-map record is then
-- one index range per player (guid8, time), whatever the history, instead of a containment search
-- over every half he played and a join to every map.
create table map_players (
  map_id          text not null,
  -- the lineup's id: the GUID (8 hex), or `name:<raw name>` for a player without one
  guid8           text not null,
  server_id       text not null,
  map             text not null,
  file_time_unix  bigint,
  -- 'A' or 'B' as map_results.winner_lineup
  lineup          text not null,
  won             boolean not null,
  drawn           boolean not null,
  primary key (map_id, guid8)
);
create index map_players_guid_time on map_players (guid8, file_time_unix) include (map, won, drawn);

create view maps as
  select m.map_id, m.server_id, m.map, m.file_time_unix, m.r1_round_id, m.r1_file_name, m.r2_round_id,
         m.r2_file_name, m.time_set_sec, m.r2_time_sec, m.result, m.winner_lineup, m.points_a, m.points_b,
         case m.lineups_from when 'r1' then h1.attackers when 'r2' then h2.defenders else '[]'::jsonb end as lineup_a,
         case m.lineups_from when 'r1' then h1.defenders when 'r2' then h2.attackers else '[]'::jsonb end as lineup_b,
         m.flags
  from map_results m
  left join map_halves h1 on h1.round_id = m.r1_round_id
  left join map_halves h2 on h2.round_id = m.r2_round_id;
