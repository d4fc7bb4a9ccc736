-- One row per Lua round report, its players, and every pause. A report our script and the legacy
-- webhook both delivered shows the delivery that sorts first by delivery_rank (luaDeliveries.ts).
create table lua_round_teams (
  report_id             text primary key,
  fact_id               text not null,
  delivery_rank         text not null,
  server_id             text not null,
  map                   text not null,
  round                 smallint not null,
  round_start_unix      bigint,
  round_end_unix        bigint not null,
  playtime_sec          double precision,
  timelimit_sec         double precision,
  warmup_sec            double precision,
  warmup_start_unix     bigint,
  pause_count           integer,
  paused_sec            double precision,
  end_reason            text not null,
  surrender_team        smallint,
  surrender_caller_guid text,
  surrender_caller_name text,
  winner                smallint not null,
  defender              smallint not null,
  script_version        text,
  shape                 text not null,
  source_kind           text not null,
  source_ref            text not null,
  player_count          integer not null
);
create index lua_round_teams_server_end on lua_round_teams (server_id, round_end_unix);

create table lua_round_players (
  report_id text not null references lua_round_teams (report_id) on delete cascade,
  ordinal   integer not null,
  team      smallint not null,
  guid      text not null,
  name      text not null,
  raw_name  text,
  primary key (report_id, ordinal)
);

create table pauses (
  pause_id         text primary key,
  server_id        text not null,
  map              text not null,
  round            smallint not null,
  round_start_unix bigint,
  round_end_unix   bigint,
  start_unix       bigint not null,
  end_unix         bigint not null,
  sec              double precision not null
);
