// Which files a folder or SFTP source has already handed to the log, per source key
// (`sftp:<server>:<remote path>`, `dir:<server>:<folder>`), so a restart does not fetch the whole
// history again. It is an optimisation only: a file whose mark was lost is fetched again and the
// log's idempotent append stores it once.
//
// Kept in the database (ledger.source_cursors) rather than a JSON file: a postgres: store has no
// local folder, the table is shared by every process that runs the same server's sources, and
// recording one file is one row, not a rewrite of a file that grows with the history.
import type { SqlExecutor } from '../store/sqlDatabase.ts';

/** What identifies a version of a file in a listing: a changed size or mtime is a new version. */
export type FileMark = { size: number; mtimeMs: number };

export interface CursorStore {
  load(source: string): Promise<Map<string, FileMark>>;
  record(source: string, name: string, mark: FileMark): Promise<void>;
  /** Drops marks of files that are gone from the folder (the Lua spool deletes what it delivered). */
  forget(source: string, names: string[]): Promise<void>;
}

export const sameMark = (a: FileMark | undefined, b: FileMark): boolean =>
  a !== undefined && a.size === b.size && a.mtimeMs === b.mtimeMs;

const schema = `
create schema if not exists ledger;
create table if not exists ledger.source_cursors (
  source       text not null,
  name         text not null,
  size         bigint not null,
  mtime_ms     bigint not null,
  recorded_at  timestamptz not null default now(),
  primary key (source, name)
);`;

export async function openSqlCursorStore(db: SqlExecutor): Promise<CursorStore> {
  await db.exec(schema);
  return {
    async load(source) {
      const r = await db.query<{ name: string; size: number; mtime_ms: number }>(
        'select name, size, mtime_ms from ledger.source_cursors where source = $1',
        [source],
      );
      return new Map(r.rows.map((row) => [row.name, { size: Number(row.size), mtimeMs: Number(row.mtime_ms) }]));
    },
    async record(source, name, mark) {
      await db.query(
        `insert into ledger.source_cursors (source, name, size, mtime_ms) values ($1, $2, $3, $4)
         on conflict (source, name) do update set size = excluded.size, mtime_ms = excluded.mtime_ms, recorded_at = now()`,
        [source, name, mark.size, Math.floor(mark.mtimeMs)],
      );
    },
    async forget(source, names) {
      if (names.length === 0) return;
      await db.query('delete from ledger.source_cursors where source = $1 and name = any($2::text[])', [source, names]);
    },
  };
}

/** For a collector without a database, and for tests: forgets everything on restart. */
export function createMemoryCursorStore(): CursorStore {
  const all = new Map<string, Map<string, FileMark>>();
  const of = (source: string) => all.get(source) ?? all.set(source, new Map()).get(source)!;
  return {
    async load(source) {
      return new Map(of(source));
    },
    async record(source, name, mark) {
      of(source).set(name, { size: mark.size, mtimeMs: Math.floor(mark.mtimeMs) });
    },
    async forget(source, names) {
      for (const n of names) of(source).delete(n);
    },
  };
}
