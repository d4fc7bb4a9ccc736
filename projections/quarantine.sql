-- Facts that are kept in the log but could not be read (invariant 6), with the reader's reason.
create table quarantine (
  fact_id        text primary key,
  type           text not null,
  server_id      text not null,
  source_kind    text not null,
  source_ref     text not null,
  file_name      text,
  reason_code    text not null,
  reason         text not null,
  line           integer,
  parser_version text not null,
  position       bigint not null,
  recorded_at    timestamptz not null
);
