-- Which schema holds which build of which projection, how far each has read, and which one readers see.
create schema if not exists ledger;
create schema if not exists read;

create table if not exists ledger.projection_builds (
  schema_name   text primary key,
  name          text not null,
  version       integer not null,
  position      bigint not null default 0,
  status        text not null check (status in ('building', 'active', 'scratch')),
  created_at    timestamptz not null default now(),
  activated_at  timestamptz,
  failures      integer not null default 0,
  last_error    text
);

create unique index if not exists projection_builds_one_active on ledger.projection_builds (name) where status = 'active';
