import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import pg from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import { LedgerError } from '../errors.ts';
import { createListenerHub } from './listenerHub.ts';
import type { QueryResult, SqlDatabase, SqlExecutor } from './sqlDatabase.ts';

// int8 (positions, counts) as JS numbers: positions stay far below 2^53.
pg.types.setTypeParser(pg.types.builtins.INT8, (v) => Number(v));
pg.types.setTypeParser(pg.types.builtins.NUMERIC, (v) => Number(v));

const unavailableCodes = new Set(['57P01', '57P02', '57P03', '53300', '08000', '08003', '08006', '08001', '08004']);

/** Driver errors become LedgerErrors at this boundary; the original stays as `cause`. */
export function translatePgError(e: unknown, where: string): unknown {
  if (e instanceof LedgerError) return e;
  const err = e as { code?: string; message?: string };
  const lost =
    (err.code !== undefined && unavailableCodes.has(err.code)) ||
    err.code === 'ECONNREFUSED' ||
    err.code === 'ECONNRESET' ||
    /Connection terminated|connection is closed|Client has encountered a connection error/i.test(err.message ?? '');
  if (lost) {
    return new LedgerError(
      'STORE_UNAVAILABLE',
      `PostgreSQL went away during ${where}: ${err.message}. Nothing of this operation was committed; retry when the server is back.`,
      { cause: e, retriable: true },
    );
  }
  return e;
}

function executor(client: pg.Pool | pg.PoolClient): SqlExecutor {
  return {
    async query<R>(sql: string, params?: readonly unknown[]): Promise<QueryResult<R>> {
      try {
        const r = await client.query(sql, params as unknown[] | undefined);
        return { rows: r.rows as R[], rowCount: r.rowCount ?? 0 };
      } catch (e) {
        throw translatePgError(e, 'a query');
      }
    },
    async exec(sql: string) {
      try {
        await client.query(sql);
      } catch (e) {
        throw translatePgError(e, 'a statement');
      }
    },
    async copyIn(copySql: string, text: string | Uint8Array) {
      const session = client instanceof pg.Pool ? await client.connect() : client;
      try {
        await pipeline(Readable.from([text]), session.query(copyFrom(copySql)));
      } catch (e) {
        throw translatePgError(e, 'a COPY');
      } finally {
        if (session !== client) (session as pg.PoolClient).release();
      }
    },
  };
}

/**
 * The large values a store writes (the log's raw stats files and JSON, verdicts, the outbox's
 * verdicts) are compressed by TOAST. lz4 compresses them several times faster than the default
 * pglz at about the same size: the ingest bench's COPY floor fell from 15–17 s to 11.5 s for 20 000
 * rounds, the log's append from 3.1 s to 2.2 s. A per-session setting (no change to the database
 * or its other users), used where the server was built with lz4 (PostgreSQL ≥ 14: Debian's build
 * has it, the embedded server's does not); elsewhere values keep the default. Values already
 * written keep theirs.
 */
const LZ4_AVAILABLE = `select coalesce((select 'lz4' = any(enumvals) from pg_settings
                                        where name = 'default_toast_compression'), false) as lz4`;
const SET_LZ4 = 'set default_toast_compression = lz4';

export async function openPostgresDatabase(url: string, opts: { max?: number } = {}): Promise<SqlDatabase> {
  let lz4 = false;
  const pool = new pg.Pool({
    connectionString: url,
    max: opts.max ?? 24,
    // pg-pool awaits this before it hands a new session out (its types say void; a promise is waited
    // for). A SET queued from the 'connect' event instead ran beside the session's first query, and
    // pg printed a deprecation warning on every CLI command's stderr (tests/e2e/exportCli.test.ts).
    onConnect: (async (client: pg.ClientBase) => {
      if (lz4) await client.query(SET_LZ4);
    }) as (client: pg.ClientBase) => void,
  });
  // An idle client that loses its server emits 'error'; without a listener that would crash the process.
  pool.on('error', () => {});
  pool.on('connect', (client) => client.on('error', () => {}));
  try {
    lz4 = (await pool.query<{ lz4: boolean }>(LZ4_AVAILABLE)).rows[0]?.lz4 === true;
    // The probe's own session, idle in the pool now, connected before the answer.
    if (lz4) await pool.query(SET_LZ4);
  } catch (e) {
    await pool.end().catch(() => {});
    throw new LedgerError(
      'STORE_UNAVAILABLE',
      `cannot reach PostgreSQL at ${redact(url)}: ${(e as Error).message}. Check DATABASE_URL / --store and that the server runs.`,
      { cause: e, retriable: true },
    );
  }
  const shared = executor(pool);
  const listeners = createListenerHub(() => connect(pool));
  return {
    kind: 'postgres',
    ownedByOneProcess: false,
    ...shared,
    async transaction(work) {
      const client = await connect(pool);
      let broken = false;
      try {
        await client.query('begin');
        const result = await work(executor(client));
        await client.query('commit');
        return result;
      } catch (e) {
        broken = true;
        await client.query('rollback').catch(() => {});
        throw translatePgError(e, 'a transaction');
      } finally {
        client.release(broken ? true : undefined);
      }
    },
    async withSession(work) {
      const client = await connect(pool);
      try {
        return await work(executor(client));
      } finally {
        client.release(true);
      }
    },
    listen: (channel, onNotify) => listeners.listen(channel, onNotify),
    async close() {
      await listeners.close();
      await pool.end();
    },
  };
}

async function connect(pool: pg.Pool): Promise<pg.PoolClient> {
  try {
    return await pool.connect();
  } catch (e) {
    throw translatePgError(e, 'connect');
  }
}

export function redact(url: string): string {
  return url.replace(/\/\/([^:@/]+):[^@/]*@/, '//$1:***@');
}
