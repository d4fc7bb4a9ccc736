-- Per player and UTC day, and per player over all time: the sums the leaderboard and a player's
-- totals divide (rates divide sums), kept by the rounds projection (playerTotals.ts) from
-- player_rows, rounds and guid_links after every change to the rounds they cover, so a leaderboard
-- over a year is a sum of a few hundred rows per player, not of every round he played.
-- A row's time is the verdict's corrected time of the player (guid_links), the stats time without
-- one, and the stats time of a cumulative R2 (both halves).
create table player_day_rounds (
  guid8    text not null,
  day_unix bigint not null,
  round_id text not null,
  primary key (guid8, day_unix, round_id)
);
create index player_day_rounds_round on player_day_rounds (round_id);

create table player_days (
  guid8         text not null,
  -- UTC midnight of the rounds' file time (0 for a round whose time is unknown)
  day_unix      bigint not null,
  rounds        integer not null,
  kills         bigint not null,
  deaths        bigint not null,
  damage        bigint not null,
  corrected_sec double precision not null,
  shots         bigint not null,
  hits          bigint not null,
  headshots     bigint not null,
  revives       bigint not null,
  last_name     text not null,
  last_unix     bigint not null,
  primary key (guid8, day_unix)
);
create index player_days_day on player_days (day_unix);

create table player_totals (
  guid8         text primary key,
  rounds        integer not null,
  kills         bigint not null,
  deaths        bigint not null,
  damage        bigint not null,
  corrected_sec double precision not null,
  shots         bigint not null,
  hits          bigint not null,
  headshots     bigint not null,
  revives       bigint not null,
  last_name     text not null,
  last_unix     bigint not null
);
