import { LedgerError } from '../errors.ts';
import type { EventStore } from './eventStore.ts';
import { openPostgresDatabase } from './postgresDatabase.ts';
import type { SqlDatabase } from './sqlDatabase.ts';
import { openSqlEventStore } from './sqlEventStore.ts';
import { embeddedClusterExists, pgliteDatabaseExists } from './storeFolders.ts';

// PGlite (WASM), the embedded server and the EventStoreDB client (gRPC) are loaded when a store of
// their kind is opened: each is tens of MB resident that `run` on PostgreSQL never uses.

export type StoreSpec =
  | { kind: 'pglite'; dir: string | null }
  /** PostgreSQL run from the folder by this process (src/store/embeddedPostgres.ts). */
  | { kind: 'embedded'; dir: string }
  | { kind: 'postgres'; url: string }
  | { kind: 'eventstoredb'; url: string; readModelsUrl: string };

const schemePrefix = /^[A-Za-z][A-Za-z0-9+.-]*:(?:\/\/)?/;

/**
 * Whether the user:password part of a database URL is broken by an unencoded `@`, `/`, `?` or `#`
 * (`postgres://u:p@ss/word@host/db`): more than one `@`, or an `@` after the host part begins. A
 * driver would then read part of the password as host, path or query, and print it.
 */
export function hasUnencodedCredentials(url: string): boolean {
  const at = url.lastIndexOf('@');
  if (at < 0) return false;
  if (url.indexOf('@') !== at) return true;
  const m = /^[A-Za-z][A-Za-z0-9+.-]*:\/\/([^/?#]*)/.exec(url);
  return m === null || at >= m[0].length;
}

/**
 * A database URL fit for a message or a log line: `postgres://u:***@host/db`. When its credentials
 * do not parse (see hasUnencodedCredentials), everything between the scheme and the last `@` is
 * masked: `postgres://***@host/db`, for no one can tell where such a password ends.
 */
export function maskDatabaseUrl(url: string): string {
  const scheme = schemePrefix.exec(url)?.[0] ?? '';
  const at = url.lastIndexOf('@');
  if (at < scheme.length) return url;
  if (hasUnencodedCredentials(url)) return `${scheme}***${url.slice(at)}`;
  const userinfo = url.slice(scheme.length, at);
  const colon = userinfo.indexOf(':');
  return colon < 0 ? url : `${scheme}${userinfo.slice(0, colon)}:***${url.slice(at)}`;
}

/** A store text (`postgres:postgres://…`, `eventstoredb:esdb://…`, or anything a user typed) with its URL masked. */
export function maskStoreText(text: string): string {
  const kind = /^(embedded|pglite|postgres|eventstoredb):(?!\/\/)/.exec(text)?.[0];
  if (kind === 'pglite:' || kind === 'embedded:') return text;
  return kind === undefined ? maskDatabaseUrl(text) : `${kind}${maskDatabaseUrl(text.slice(kind.length))}`;
}

/** An opened store: the log, and the SQL database that holds the read models. */
export type Ledger = { store: EventStore; db: SqlDatabase; spec: StoreSpec; close(): Promise<void> };

export async function openLedger(spec: StoreSpec): Promise<Ledger> {
  switch (spec.kind) {
    case 'pglite':
    case 'embedded':
    case 'postgres': {
      const db = await openSqlDatabase(spec, { create: true });
      try {
        const store = await openSqlEventStore(db);
        return { store, db, spec, close: () => store.close() };
      } catch (e) {
        await db.close().catch(() => {});
        throw e;
      }
    }
    case 'eventstoredb': {
      // The log in EventStoreDB/KurrentDB; the read models stay in PostgreSQL.
      const db = await openPostgresDatabase(spec.readModelsUrl);
      try {
        const { openEventStoreDbEventStore } = await import('./eventStoreDbEventStore.ts');
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

/**
 * The database of a store kept in SQL (PGlite, embedded PostgreSQL, PostgreSQL). `create: false`
 * opens only a folder that holds one: STORE_MISSING before anything is written, not even a lock.
 */
export async function openSqlDatabase(
  spec: Exclude<StoreSpec, { kind: 'eventstoredb' }>,
  opts: { create: boolean; poolMax?: number },
): Promise<SqlDatabase> {
  switch (spec.kind) {
    case 'pglite':
      return (await import('./pgliteDatabase.ts')).openPgliteDatabase(spec.dir, { create: opts.create });
    case 'embedded':
      return (await import('./embeddedPostgres.ts')).openEmbeddedPostgresDatabase(spec.dir, { create: opts.create });
    case 'postgres':
      return openPostgresDatabase(spec.url, opts.poolMax === undefined ? {} : { max: opts.poolMax });
  }
}

/** Whether a folder store holds a database: a look at the folder, nothing created. */
export function folderStoreExists(spec: StoreSpec): boolean {
  if (spec.kind === 'pglite') return spec.dir !== null && pgliteDatabaseExists(spec.dir);
  if (spec.kind === 'embedded') return embeddedClusterExists(spec.dir);
  return true;
}

/** The store as a message names it, its password masked. */
function storeLabel(spec: StoreSpec): string {
  if (spec.kind === 'pglite') return `pglite:${spec.dir ?? '(memory)'}`;
  if (spec.kind === 'embedded') return `embedded:${spec.dir}`;
  return `${spec.kind}:${maskDatabaseUrl(spec.url)}`;
}

/** Why there is no store here, and how to make one (STORE_MISSING). */
function noStore(spec: StoreSpec, what: string, cause?: unknown): LedgerError {
  const flag =
    (spec.kind === 'pglite' && spec.dir !== null) || spec.kind === 'embedded'
      ? `--store ${storeLabel(spec)}`
      : '--store STORE';
  return new LedgerError(
    'STORE_MISSING',
    `there is no et-ledger store in ${storeLabel(spec)}: ${what}; nothing was created.\n` +
      `    Make one by ingesting into it (et-ledger ingest ${flag} --tz ZONE PATH…) or by running the service on it (et-ledger run),\n` +
      '    or name the store that holds your log with --store or ET_LEDGER_STORE (see et-ledger --help)',
    cause === undefined ? {} : { cause },
  );
}

/** Whether the database holds the log (`ledger.events`): a look, nothing created. */
async function hasLog(db: SqlDatabase): Promise<boolean> {
  const r = await db.query<{ log: string | null }>("select to_regclass('ledger.events')::text as log");
  return r.rows[0]?.log != null;
}

/**
 * Opens a store that is already there, for the commands that only read it (status, replay,
 * rebuild, export): a folder (PGlite, embedded) without a database, or a database
 * without the log (`ledger.events`), is refused with STORE_MISSING saying how to make one, and
 * nothing is created — no folder, no 39 MB database, no schema. An EventStoreDB log is opened as
 * openLedger does (an empty stream is a valid, empty log).
 */
export async function openExistingLedger(spec: StoreSpec): Promise<Ledger> {
  if (spec.kind === 'eventstoredb') return openLedger(spec);
  if (!folderStoreExists(spec))
    throw noStore(
      spec,
      spec.kind === 'pglite' && spec.dir === null ? 'an in-memory store is empty' : 'the folder holds no database',
    );
  const db = await openSqlDatabase(spec, { create: false });
  try {
    if (!(await hasLog(db)))
      throw noStore(spec, spec.kind === 'postgres' ? 'the database has no ledger schema' : 'its database holds no log');
    const store = await openSqlEventStore(db);
    return { store, db, spec, close: () => store.close() };
  } catch (e) {
    await db.close().catch(() => {});
    throw e;
  }
}
