-- The rounds read model: one row per stats-file round, its players and their weapons (the view
-- player_weapon_stats, from weaponTuples.ts).
-- Tables are created in the build's own schema (search_path); readers use read.<table>.

create table rounds (
  round_id            text primary key,
  server_id           text not null,
  map                 text not null,
  round               smallint not null,
  file_name           text not null,
  file_time_utc       timestamptz,
  file_time_unix      bigint,
  tz                  text not null,
  match_id            text not null,
  r1_round_id         text,
  server_name         text not null,
  config              text not null,
  defender            smallint not null,
  winner              smallint not null,
  time_limit_sec      integer not null,
  stats_playtime_sec  double precision,
  next_time_limit_sec integer not null,
  header_playtime_ms  bigint,
  writer              text not null,
  player_count        integer not null,
  flags               text[] not null,
  issues              jsonb not null
);
create index rounds_server_time on rounds (server_id, file_time_unix);
-- A period's rounds of every server (the part-day before a leaderboard's whole days).
create index rounds_time on rounds (file_time_unix);

create table player_rows (
  round_id     text not null,
  line         integer not null,
  guid8        text not null,
  name         text not null,
  raw_name     text not null,
  team         smallint not null,
  rounds       integer not null,
  weapon_mask  integer not null,
  damage_given integer not null,
  damage_received integer not null,
  team_damage_given integer not null,
  team_damage_received integer not null,
  gibs integer not null,
  self_kills integer not null,
  team_kills integer not null,
  team_gibs integer not null,
  time_played_percent double precision not null,
  xp integer not null,
  killing_spree integer not null,
  death_spree integer not null,
  kill_assists integer not null,
  kill_steals integer not null,
  headshot_kills integer not null,
  objectives_stolen integer not null,
  objectives_returned integer not null,
  dynamites_planted integer not null,
  dynamites_defused integer not null,
  times_revived integer not null,
  bullets_fired integer not null,
  writer_dpm double precision,
  time_played_sec integer not null,
  tank_meatshield double precision not null,
  time_dead_ratio double precision not null,
  time_dead_sec integer not null,
  engine_kd_ratio double precision not null,
  useful_kills integer not null,
  denied_playtime_sec integer not null,
  multikill2 integer not null,
  multikill3 integer not null,
  multikill4 integer not null,
  multikill5 integer not null,
  multikill6 integer not null,
  useless_kills integer not null,
  full_selfkills integer not null,
  repairs_constructions integer not null,
  revives_given integer not null,
  kills integer not null,
  deaths integer not null,
  headshots integer not null,
  shots integer not null,
  hits integer not null,
  accuracy double precision,
  kd_ratio double precision not null,
  efficiency double precision,
  dpm double precision,
  cumulative_fields text[] not null,
  flags        text[] not null,
  -- (weapon_id, hits, shots, kills, deaths, headshots) per weapon, an n×6 array ('{}' without
  -- weapons); readers use the player_weapon_stats view (projections/support/weaponTuples.ts).
  weapons      integer[] not null,
  primary key (round_id, line)
);

-- What the latest verdict of each round says of its players (correlation.md per-player join): the
-- full 32-character GUID (null when the Lua report did not give one) and the corrected time (the
-- player's own time in play, or the stats rule's), so that readers divide by it without unpacking
-- the verdict's JSON per row.
create table guid_links (
  round_id  text not null,
  guid8     text not null,
  name      text not null,
  full_guid text,
  corrected_time_sec double precision,
  primary key (round_id, guid8, name)
);

-- A player's rows (the player page, the per-player sums of playerTotals.sql). With the round in the
-- key, the sums' join (a player's rows in one round) is one probe, not a pass over all his rows:
-- with the GUID alone it cost O(rounds per player) per key, quadratic for a small community.
create index player_rows_guid8 on player_rows (guid8, round_id);

create view player_stats as
  select p.*, l.full_guid, l.corrected_time_sec
  from player_rows p
  left join guid_links l on l.round_id = p.round_id and l.guid8 = p.guid8 and l.name = p.name;

-- Consecutive rounds of one server closer than the session gap (setting et_ledger.session_gap_min,
-- default 45 minutes) form a session; a reader may `set et_ledger.session_gap_min = 30` first.
create view sessions as
  with ordered as (
    select r.*, lag(file_time_unix) over (partition by server_id order by file_time_unix, round_id) as previous_unix
    from rounds r where file_time_unix is not null
  ), marked as (
    select *, case when previous_unix is null
                     or file_time_unix - previous_unix > 60 * coalesce(nullif(current_setting('et_ledger.session_gap_min', true), '')::int, 45)
                   then 1 else 0 end as starts
    from ordered
  ), numbered as (
    select *, sum(starts) over (partition by server_id order by file_time_unix, round_id) as n from marked
  )
  select server_id || ':' || min(file_time_unix) over (partition by server_id, n) as session_id,
         server_id, round_id, map, round, file_time_utc, file_time_unix
  from numbered;
