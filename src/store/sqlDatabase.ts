/** The little of SQL the store, the runtime and the projections need; PostgreSQL and PGlite both provide it. */
export type QueryResult<R> = { rows: R[]; rowCount: number };

export interface SqlExecutor {
  query<R = Record<string, unknown>>(sql: string, params?: readonly unknown[]): Promise<QueryResult<R>>;
  /** Runs several `;`-separated statements without parameters (schema files). */
  exec(sql: string): Promise<void>;
  /**
   * `COPY … FROM STDIN` with rows already in COPY's text format (see insertRows). PostgreSQL has
   * it; PGlite does not here, and insertRows falls back to one INSERT there.
   */
  copyIn?(copySql: string, text: string | Uint8Array): Promise<void>;
}

export interface SqlDatabase extends SqlExecutor {
  readonly kind: 'pglite' | 'postgres';
  /**
   * One process owns this database (PGlite, the embedded server: the folder's lock): no leader is
   * elected among processes, so no session is held for it.
   */
  readonly ownedByOneProcess: boolean;
  transaction<T>(work: (tx: SqlExecutor) => Promise<T>): Promise<T>;
  /**
   * Runs `work` on one dedicated session (advisory locks, LISTEN); PGlite has only one session,
   * so there it is the shared one.
   */
  withSession<T>(work: (session: SqlExecutor) => Promise<T>): Promise<T>;
  /** LISTEN on a channel; resolves once listening, with the function that stops it. */
  listen(channel: string, onNotify: () => void): Promise<() => Promise<void>>;
  close(): Promise<void>;
}

/** Reads a SQL file that sits beside the module asking for it (`sqlFile(import.meta.url, 'x.sql')`). */
export async function sqlFile(moduleUrl: string, name: string): Promise<string> {
  const { readFile } = await import('node:fs/promises');
  return readFile(new URL(name, moduleUrl), 'utf8');
}

/** Quotes an identifier we built ourselves (schema names from projection names and versions). */
export function ident(name: string): string {
  if (!/^[a-z_][a-z0-9_]{0,62}$/.test(name)) throw new Error(`refusing unsafe SQL identifier ${JSON.stringify(name)}`);
  return `"${name}"`;
}

/**
 * Many byte strings as ONE binary parameter plus 1-based offsets and lengths, so SQL takes each
 * back with `substring($blob::bytea from o for l)`: no hex or base64 text on the wire.
 */
export function packBytes(items: (Uint8Array | null)[]): {
  blob: Buffer;
  offsets: (number | null)[];
  lengths: (number | null)[];
} {
  const offsets: (number | null)[] = [];
  const lengths: (number | null)[] = [];
  let offset = 1;
  for (const r of items) {
    offsets.push(r ? offset : null);
    lengths.push(r ? r.byteLength : null);
    offset += r?.byteLength ?? 0;
  }
  return { blob: Buffer.concat(items.filter((r): r is Uint8Array => r !== null)), offsets, lengths };
}
