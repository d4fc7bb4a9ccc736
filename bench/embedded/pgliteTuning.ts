// PGlite with settings the store does not set (yet): PGlite.create is wrapped so that the store's
// own code (src/store/pgliteDatabase.ts: lock file, executor, schema) opens it with these options
// added, and every instance is kept for its WebAssembly memory size. The store takes no options, and
// the bench must measure the real path, not a copy of it.
//
// What PGlite 0.5 offers (node_modules/@electric-sql/pglite/dist, PGliteOptions):
// - initialMemory: bytes of WebAssembly memory to start with; the module declares 128 MB as its
//   minimum (less fails: "memory import 0 is smaller than initial 2048"), and memory only grows;
// - startParams: the single-user backend's command line, by default PGlite.defaultStartParams
//   (`--single -F -O -j`, i.e. fsync already off, io_method=sync, no parallel workers); `-c name=value`
//   added there sets any server setting (shared_buffers, wal_buffers, work_mem, …);
// - postgresqlconf: replaces the folder's postgresql.conf (the same settings, written to disk);
// - relaxedDurability: queries return before the file system's sync; with the Node file system
//   (Emscripten NODEFS, writes go straight to files) that sync does nothing, so it changes nothing.
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { PGlite, type PGliteOptions } from '@electric-sql/pglite';

/** The settings of the "PGlite tuned" option: those that lower the memory it touches. */
export const PGLITE_TUNED: Record<string, string> = {
  // 128 MB by default, all of it inside the WebAssembly memory that never shrinks.
  shared_buffers: '16MB',
  // 4 MB by default (1/32 of shared_buffers, then capped); WAL pages are written per commit anyway.
  wal_buffers: '1MB',
  // Per sort or hash, in the same memory: 4 MB / 64 MB by default (index builds of a rebuild).
  work_mem: '2MB',
  maintenance_work_mem: '16MB',
  temp_buffers: '1MB',
};

const opened: PGlite[] = [];
let installed = false;

/**
 * From now on, PGlite.create adds `settings` (as `-c` start parameters) to what its caller asked
 * for; with `initdbApart`, a folder without a database is first made (initdb, then closed) by a
 * throwaway node process. The first start runs initdb in a second WebAssembly instance and unpacks
 * its files through memory: ≈ 500 MB that stay in this process until a garbage collection happens
 * to free them, and whatever the allocator keeps after it.
 */
export function wrapPgliteCreate(settings: Record<string, string>, opts: { initdbApart?: boolean } = {}): void {
  if (installed) throw new Error('PGlite.create is already wrapped');
  installed = true;
  const create = PGlite.create.bind(PGlite) as (dataDir?: string, options?: PGliteOptions) => Promise<PGlite>;
  const params = Object.entries(settings).flatMap(([k, v]) => ['-c', `${k}=${v}`]);
  const wrapped = async (dataDir?: string | PGliteOptions, options?: PGliteOptions) => {
    const given = typeof dataDir === 'string' ? { dataDir, ...options } : { ...dataDir, ...options };
    const startParams = [...(given.startParams ?? PGlite.defaultStartParams), ...params];
    const dir = given.dataDir;
    if (opts.initdbApart && dir && !dir.includes('://') && !existsSync(join(dir, 'PG_VERSION')))
      await initdbApart(dir, startParams);
    const db = await create(undefined, { ...given, ...(params.length > 0 ? { startParams } : {}) });
    opened.push(db);
    watchGrowth(db);
    return db;
  };
  (PGlite as unknown as { create: typeof wrapped }).create = wrapped;
}

/** The statements during which the WebAssembly memory grew, by MB grown (largest first). */
export function pgliteGrowth(): { sql: string; mb: number; times: number }[] {
  return [...grown.entries()].map(([sql, g]) => ({ sql, ...g })).sort((a, b) => b.mb - a.mb);
}

const grown = new Map<string, { mb: number; times: number }>();

/** Every protocol exchange goes through execProtocolRawSync: note the statement if memory grew. */
function watchGrowth(db: PGlite): void {
  const raw = db.execProtocolRawSync.bind(db);
  let sql = '';
  db.execProtocolRawSync = (message: Uint8Array) => {
    sql = statementOf(message) ?? sql;
    const before = db.Module.HEAPU8.length;
    const out = raw(message);
    const mb = (db.Module.HEAPU8.length - before) / 1024 / 1024;
    if (mb > 0) {
      const key = sql.replace(/\s+/g, ' ').trim().slice(0, 90);
      const g = grown.get(key) ?? { mb: 0, times: 0 };
      grown.set(key, { mb: g.mb + mb, times: g.times + 1 });
    }
    return out;
  };
}

/** The SQL of a simple Query ('Q') or a Parse ('P': statement name, then the SQL) message. */
function statementOf(message: Uint8Array): string | null {
  const kind = String.fromCharCode(message[0] ?? 0);
  if (kind !== 'Q' && kind !== 'P') return null;
  let at = 5;
  if (kind === 'P') at = message.indexOf(0, at) + 1;
  const end = message.indexOf(0, at);
  return new TextDecoder().decode(message.subarray(at, end < 0 ? undefined : end));
}

/** Makes the database in `dir` from a child node process, which takes its memory with it when it exits. */
async function initdbApart(dir: string, startParams: string[]): Promise<void> {
  const script =
    `const { PGlite } = await import(${JSON.stringify(import.meta.resolve('@electric-sql/pglite'))});` +
    'const [dir, params] = JSON.parse(process.argv[1]);' +
    'await (await PGlite.create(dir, { startParams: params })).close();';
  await promisify(execFile)(process.execPath, [
    '--input-type=module',
    '-e',
    script,
    JSON.stringify([dir, startParams]),
  ]);
}

/** The WebAssembly memory of the newest open instance, in MB (it only grows), or null. */
export function pgliteMemoryMb(): number | null {
  const db = [...opened].reverse().find((d) => !d.closed);
  return db ? db.Module.HEAPU8.length / 1024 / 1024 : null;
}
