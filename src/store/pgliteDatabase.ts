import { join } from 'node:path';
import { PGlite, type Transaction } from '@electric-sql/pglite';
import { LedgerError } from '../errors.ts';
import { lockFolder } from './folderLock.ts';
import type { QueryResult, SqlDatabase, SqlExecutor } from './sqlDatabase.ts';
import { pgliteDatabaseExists } from './storeFolders.ts';

type PgliteLike = PGlite | Transaction;

function normalizeRow(row: Record<string, unknown>): Record<string, unknown> {
  for (const k in row) if (typeof row[k] === 'bigint') row[k] = Number(row[k]);
  return row;
}

function translate(e: unknown, db: PGlite): unknown {
  if (e instanceof LedgerError) return e;
  if (db.closed)
    return new LedgerError(
      'STORE_UNAVAILABLE',
      'the embedded PGlite store is closed; nothing of this operation was written',
      { cause: e },
    );
  return e;
}

function executor(target: PgliteLike, db: PGlite): SqlExecutor {
  return {
    async query<R>(sql: string, params?: readonly unknown[]): Promise<QueryResult<R>> {
      try {
        const r = await target.query<Record<string, unknown>>(sql, params as unknown[] | undefined);
        return { rows: r.rows.map(normalizeRow) as R[], rowCount: r.affectedRows ?? r.rows.length };
      } catch (e) {
        throw translate(e, db);
      }
    },
    async exec(sql: string) {
      try {
        await target.exec(sql);
      } catch (e) {
        throw translate(e, db);
      }
    },
  };
}

/**
 * Opens (or creates) the embedded store in a data folder. A lock file keeps a second process
 * from opening the same folder: PGlite is single-process and two writers would corrupt it.
 * `create: false` opens only a database that is there: a folder without one is refused
 * (STORE_MISSING) before anything is written, not even the folder or its lock file.
 */
export async function openPgliteDatabase(dir: string | null, opts: { create?: boolean } = {}): Promise<SqlDatabase> {
  if (opts.create === false && (dir === null || !pgliteDatabaseExists(dir)))
    throw new LedgerError(
      'STORE_MISSING',
      dir === null ? 'an in-memory PGlite store holds nothing yet' : `there is no PGlite database in ${dir}`,
    );
  const release = dir ? lockFolder(dir, 'PGlite') : () => {};
  let db: PGlite;
  try {
    db = dir ? await PGlite.create(join(dir, 'pgdata')) : await PGlite.create();
  } catch (e) {
    release();
    throw new LedgerError('STORE_UNAVAILABLE', `cannot open the PGlite store in ${dir}: ${(e as Error).message}`, {
      cause: e,
    });
  }
  const shared = executor(db, db);
  return {
    kind: 'pglite',
    ownedByOneProcess: true,
    ...shared,
    async transaction(work) {
      try {
        return await db.transaction((tx) => work(executor(tx, db)));
      } catch (e) {
        throw translate(e, db);
      }
    },
    withSession: (work) => work(shared),
    async listen(channel, onNotify) {
      const unsubscribe = await db.listen(channel, onNotify);
      return async () => {
        if (!db.closed) await unsubscribe();
      };
    },
    async close() {
      if (!db.closed) await db.close();
      release();
    },
  };
}
