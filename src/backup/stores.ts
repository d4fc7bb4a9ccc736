// Opening the stores a backup reads and a restore writes.
import { describeStore } from '../cli/describeStore.ts';
import { LedgerError } from '../errors.ts';
import type { EventStore } from '../store/eventStore.ts';
import { folderStoreExists, openLedger, openSqlDatabase, type StoreSpec } from '../store/openStore.ts';
import { ident, type SqlDatabase } from '../store/sqlDatabase.ts';

/**
 * What a backup reads: the database holding the catalog (and, for PGlite and PostgreSQL, the log
 * itself, read as stored), and for EventStoreDB the log's own interface.
 */
export type BackupSource = {
  kind: StoreSpec['kind'];
  db: SqlDatabase;
  /** null: the log is `ledger.events` of `db`. */
  store: EventStore | null;
  close(): Promise<void>;
};

/** `schema.table` of our own constants, quoted. */
export function tableName(qualified: string): string {
  const [schema, table] = qualified.split('.');
  return `${ident(schema!)}.${ident(table!)}`;
}

/** A store as messages name it (its password masked): the CLI's own description. */
export const storeText = describeStore;

/** Opens a store to back up; creates nothing (a store that is not there is refused, STORE_MISSING). */
export async function openBackupSource(spec: StoreSpec): Promise<BackupSource> {
  if (spec.kind === 'eventstoredb') {
    const ledger = await openLedger(spec);
    return { kind: spec.kind, db: ledger.db, store: ledger.store, close: () => ledger.close() };
  }
  if (spec.kind === 'pglite' && spec.dir === null)
    throw new LedgerError('USAGE', 'an in-memory PGlite store has nothing to back up: name a folder (pglite:DIR)');
  if (!folderStoreExists(spec))
    throw new LedgerError('STORE_MISSING', `there is no et-ledger log in ${storeText(spec)}: nothing to back up`);
  const db = await openSqlDatabase(spec, { create: false, poolMax: 2 });
  try {
    const r = await db.query<{ t: string | null }>("select to_regclass('ledger.events')::text as t");
    if (r.rows[0]?.t == null)
      throw new LedgerError('STORE_MISSING', `there is no et-ledger log in ${storeText(spec)}: nothing to back up`);
  } catch (e) {
    await db.close();
    throw e;
  }
  return { kind: spec.kind, db, store: null, close: () => db.close() };
}
