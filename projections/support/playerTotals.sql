-- Per player and UTC day, and per player over all time: the sums the leaderboard and a player's
-- totals divide (rates divide sums), kept by the rounds projection (playerTotals.ts) from
-- player_rows, rounds and guid_links after every change to the rounds they cover, so a leaderboard
-- over a year is a sum of a few hundred rows per player, not of every round he played.
-- A row's time is the verdict's corrected time of the player (guid_links), the stats time without
-- one, and the stats time of a cumulative R2 (both halves).

-- What each round adds to a player's sums (his lines of the round summed; the round counts one),
-- kept so that a changed round moves its days and totals by the difference of its old and new
-- contribution instead of every touched day being summed again from the rows of all its rounds.
-- The round's file time and the player's name in it give a day its latest name with one probe.
create table player_round_sums (
  round_id       text not null,
  guid8          text not null,
  -- UTC midnight of the round's file time (0 for a round whose time is unknown): the player_days key
  day_unix       bigint not null,
  file_time_unix bigint,
  name           text not null,
  kills          bigint not null,
  deaths         bigint not null,
  damage         bigint not null,
  -- Integer milliseconds: the days and totals move by exact differences, so a day taken apart and
  -- put back is the same number again, not one a few ulps off (and a day of zero time stays zero).
  corrected_ms   bigint not null,
  shots          bigint not null,
  hits           bigint not null,
  headshots      bigint not null,
  revives        bigint not null,
  primary key (round_id, guid8)
);
-- A day's latest round of the player (its name and time): the first entry from the key's end.
create index player_round_sums_latest
  on player_round_sums (guid8, day_unix, file_time_unix desc nulls last, round_id desc);

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

-- One row while the build is catching up: its sums are not kept batch by batch but summed once at
-- the log's head (deferredPlayerSums.ts), which takes the row away in the same transaction.
create table player_sums_deferred (deferred boolean primary key default true);
insert into player_sums_deferred default values;
