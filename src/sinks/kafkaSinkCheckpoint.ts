// Where a sink has published up to, kept like a projection's checkpoint: a row in the read-model
// database, advanced only from the position it was read at (compare-and-set), so two sinks that
// raced cannot move it backwards. Advanced after the broker acknowledged a batch: a crash in
// between republishes that batch, never skips one.
import { LedgerError } from '../errors.ts';
import type { SqlExecutor } from '../store/sqlDatabase.ts';

const schema = `
create schema if not exists ledger;
create table if not exists ledger.sink_checkpoints (
  name        text primary key,
  position    bigint not null default 0,
  updated_at  timestamptz not null default now()
);
alter table ledger.sink_checkpoints add column if not exists generation integer;`;

/**
 * Creates the table and the sink's row if missing; the sink's owner calls it once at start. The DDL
 * takes an exclusive lock on the table even when there is nothing to do, so it stays out of
 * readSinkCheckpoint, which monitors and tests call while the sink advances the row.
 */
export async function openSinkCheckpoint(db: SqlExecutor, name: string): Promise<number> {
  await db.exec(schema);
  await db.query('insert into ledger.sink_checkpoints (name) values ($1) on conflict (name) do nothing', [name]);
  return readSinkCheckpoint(db, name);
}

/** The position the sink has published through (0: the sink never ran or its table is missing). */
export async function readSinkCheckpoint(db: SqlExecutor, name: string): Promise<number> {
  const table = await db.query<{ exists: boolean }>(
    "select to_regclass('ledger.sink_checkpoints') is not null as exists",
  );
  if (!table.rows[0]!.exists) return 0;
  const r = await db.query<{ position: number }>('select position from ledger.sink_checkpoints where name = $1', [
    name,
  ]);
  return Number(r.rows[0]?.position ?? 0);
}

export async function advanceSinkCheckpoint(db: SqlExecutor, name: string, from: number, to: number): Promise<void> {
  const r = await db.query(
    'update ledger.sink_checkpoints set position = $3, updated_at = now() where name = $1 and position = $2',
    [name, from, to],
  );
  if (r.rowCount !== 1) {
    throw new LedgerError(
      'STORE_CONFLICT',
      `sink ${name} is no longer at position ${from}: another process runs the same sink`,
      { retriable: true },
    );
  }
}

/** The processor generation whose derived events the sink has published (null: none yet). */
export async function readSinkGeneration(db: SqlExecutor, name: string): Promise<number | null> {
  const r = await db.query<{ generation: number | null }>(
    'select generation from ledger.sink_checkpoints where name = $1',
    [name],
  );
  const g = r.rows[0]?.generation;
  return g === null || g === undefined ? null : Number(g);
}

export async function saveSinkGeneration(db: SqlExecutor, name: string, generation: number | null): Promise<void> {
  await db.query('update ledger.sink_checkpoints set generation = $2 where name = $1', [name, generation]);
}
