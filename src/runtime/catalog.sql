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

-- Generations (DESIGN invariant 8): each build of a projection gets the next number of its name;
-- a processor stamps it on what it appends, and a follower build names the one it reads.
alter table ledger.projection_builds add column if not exists generation integer not null default 0;
alter table ledger.projection_builds add column if not exists follows_generation integer;
-- A batch whose emitted events went to a log outside this database (EventStoreDB) before its
-- checkpoint committed: a retry re-reads exactly up to here, so it decides the same and appends
-- the same ids (a no-op), never a verdict that nothing supersedes.
alter table ledger.projection_builds add column if not exists pending_through bigint;

create table if not exists ledger.generations (
  name               text not null,
  generation         integer not null,
  schema_name        text not null,
  created_at         timestamptz not null default now(),
  -- The log's head when this generation was swapped in (null: never active).
  activated_position bigint,
  primary key (name, generation)
);
