-- Shared by the projections that pair R2 with R1 (rounds, correlator); each keeps its own copy.
-- Every parsed stats fact, as parsed (R2 cumulative): the input of R1/R2 pairing.
create table stats_facts (
  fact_id        text primary key,
  server_id      text not null,
  map_norm       text not null,
  round          smallint not null,
  file_time_unix bigint,
  start_unix     bigint,
  parsed         json not null
);
create index stats_facts_pairing on stats_facts (server_id, map_norm, file_time_unix);
