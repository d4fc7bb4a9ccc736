import type { EventStore } from './eventStore.ts';
import { openEventStoreDbEventStore } from './eventStoreDbEventStore.ts';
import { openPgliteDatabase } from './pgliteDatabase.ts';
import { openPostgresDatabase } from './postgresDatabase.ts';
import type { SqlDatabase } from './sqlDatabase.ts';
import { openSqlEventStore } from './sqlEventStore.ts';

export type StoreSpec =
  | { kind: 'pglite'; dir: string | null }
  | { kind: 'postgres'; url: string }
  | { kind: 'eventstoredb'; url: string; readModelsUrl: string };

/** An opened store: the log, and the SQL database that holds the read models. */
export type Ledger = { store: EventStore; db: SqlDatabase; spec: StoreSpec; close(): Promise<void> };

export async function openLedger(spec: StoreSpec): Promise<Ledger> {
  switch (spec.kind) {
    case 'pglite':
    case 'postgres': {
      const db = spec.kind === 'pglite' ? await openPgliteDatabase(spec.dir) : await openPostgresDatabase(spec.url);
      const store = await openSqlEventStore(db);
      return { store, db, spec, close: () => store.close() };
    }
    case 'eventstoredb': {
      // The log in EventStoreDB/KurrentDB; the read models stay in PostgreSQL.
      const db = await openPostgresDatabase(spec.readModelsUrl);
      try {
        const store = await openEventStoreDbEventStore(spec.url);
        return {
          store,
          db,
          spec,
          close: async () => {
            await store.close();
            await db.close();
          },
        };
      } catch (e) {
        await db.close();
        throw e;
      }
    }
  }
}
