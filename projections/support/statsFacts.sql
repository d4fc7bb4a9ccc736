-- Shared by the projections that pair R2 with R1 (rounds, correlator); each keeps its own copy.
-- Every parsed stats fact's pairing keys and its exact bytes: an R2's own half needs its R1 again
-- when a late R1 arrives, and re-parsing the bytes (≈100 MB/s) is cheaper than storing the parse.
-- fact_id is the stats round's id (server + file name: statsRoundId), not one revision's event id.
create table stats_facts (
  fact_id        text primary key,
  server_id      text not null,
  map_norm       text not null,
  round          smallint not null,
  file_time_unix bigint,
  -- every UTC reading of the file name's local time, ascending (two in the autumn DST hour); the
  -- first is file_time_unix
  file_time_candidates bigint[] not null,
  start_unix     bigint,
  tz             text not null,
  file_name      text not null,
  raw            bytea not null,
  -- Other bytes than a longer copy arrived under this file name (spec: a revision, flagged).
  revised        boolean not null default false
);
-- Kept inline and uncompressed up to a page (3 KB values): compressing them cost more than writing them,
-- above all with pglz where the server has no lz4 (the embedded one); the disk cost is ≤ 2× on these columns.
alter table stats_facts set (toast_tuple_target = 8160);
create index stats_facts_pairing on stats_facts (server_id, map_norm, file_time_unix);
-- The pairing's neighbourhood (projections/support/pairNear.ts): R2s by start, and the rare files
-- with two readings (the autumn DST hour) by their first, so only they are looked up an hour wider.
create index stats_facts_r2_starts on stats_facts (server_id, map_norm, start_unix) where round = 2;
create index stats_facts_ambiguous_times on stats_facts (server_id, map_norm, file_time_unix)
  where cardinality(file_time_candidates) > 1;
create index stats_facts_ambiguous_starts on stats_facts (server_id, map_norm, start_unix)
  where round = 2 and cardinality(file_time_candidates) > 1;

-- Zone corrections (ServerZoneCorrected facts, src/events/serverZoneCorrected.ts): the stats files
-- of a server whose names' local time lies in [from_local, to_local] are read in `tz`; the latest
-- correction (by log position) wins where two overlap. Kept here so a stats fact arriving after a
-- correction is read in the corrected zone too: the order of the facts does not matter.
create table zone_corrections (
  position   bigint primary key,
  server_id  text not null,
  from_local text,
  to_local   text,
  tz         text not null
);
