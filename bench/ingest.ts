// npm run bench -- ingest: seconds, rounds/s and peak RSS of ingesting generated histories into
// PostgreSQL through the production path (as `et-ledger ingest --close`): identifyFact → append in
// batches of 500 → a ClockTicked per server at now → projectAllToHead (every projection and the
// correlator); next to the floor measured in the same run: a COPY of the same rows into the same
// tables. Targets (scale issue): 100 000 rounds in ≤ 60 s, peak RSS ≤ 400 MB, rounds/s at the
// largest size ≥ 0.9 × at the smallest (no decline as history grows).
//
// Histories (bench/historyShapes.ts, bytes from bench/histories.ts as in the web bench; 12
// players a map, every R2 ends ≤ 20 min after its R1 on the same map, file names in the server's
// local time, the newest map ≥ 6 h before now):
// - weekly: one server (Europe/Berlin), an evening a week of 10 maps (20 rounds) from ≈ 19:00–20:00;
//   100 000 rounds go back 96 years (from 1930), 20 000 rounds 19 years.
// - public: one server (Europe/Berlin) around the clock, a map every 20–40 min from a rotation of 4
//   (a vote replays a map one time in 4), players coming and going.
// - league: 20 servers (19 Europe/Berlin, 1 America/New_York), each an evening a day of 10 maps,
//   appended in global time order.
// BENCH_INGEST_ROUNDS (default 20000,100000) and BENCH_INGEST_SHAPES (default weekly,public,league)
// choose; BENCH_PROJECTIONS (comma list) limits the projections; BENCH_KEEP=1 keeps the databases;
// BENCH_INGEST_PGLITE=N adds the weekly shape of N rounds into PGlite (no floor);
// BENCH_INGEST_REBUILD=rounds,correlator times `rebuild NAME` of each (its followers included) on
// the ingested database afterwards (target: ≤ 45 s each at 100 000 rounds).
//
// How: each (shape, size) runs in a child process (its own heap, so RSS figures do not carry over)
// on a fresh database, in the compiled code a production install runs (`deploy/build.mjs
// --with-bench` into tmp/, once per run; BENCH_INGEST_FROM_SOURCE=1 runs the sources through tsx
// instead, whose loader thread adds to the RSS). The files are generated batch by batch outside the
// timing (only identifyFact, append and the projections are timed). RSS is sampled every 100 ms
// during the timed ingest (and the process's maxRSS checked for a peak between samples). Per
// projection, from the runtime's progress reports: log positions read and its own wall time (they
// run side by side), overall and over the first and last 20 % of its longest catch-up; a catch-up
// of ≤ 1 000 positions reports nothing, and a follower's rate depends on how the correlator's
// passes split the log. Then the floor (bench/copyFloor.ts): every table of the active builds
// copied out in binary and timed copying into an empty twin with the same keys and indexes
// (`like … including all`); "+ log" adds ledger.events. ratio = ingest seconds ÷ floor seconds.
// Printed by bench/ingestReport.ts.
// SIGINT/SIGTERM to this process stops the running case (its database dropped) and prints
// what finished; to a case's child process, skips that case.
import { type ChildProcess, spawn } from 'node:child_process';
import { join } from 'node:path';
import { clockTickIdentity } from '../src/events/ids.ts';
import { createLogger } from '../src/logger.ts';
import { limitHeapGrowth } from '../src/runtime/heapGrowth.ts';
import { buildAndSwap, projectAllToHead } from '../src/runtime/ledgerRuntime.ts';
import { createProgress, type Progress } from '../src/runtime/progress.ts';
import { loadProjections } from '../src/runtime/registry.ts';
import type { NewEvent } from '../src/store/eventStore.ts';
import { openLedger, type StoreSpec } from '../src/store/openStore.ts';
import { measureCopyFloor } from './copyFloor.ts';
import { factsOfFiles, filesInTimeOrder, type HistoryFile } from './histories.ts';
import { buildHistory, SHAPES, type Shape } from './historyShapes.ts';
import { type Case, floorSeconds, type ProjectionRate, type Result, report } from './ingestReport.ts';
import { buildCompiled, checkoutTempDir, tempDir, timed, withBenchDatabase } from './support.ts';

const BATCH = 500;

export async function run(): Promise<void> {
  const child = process.env.BENCH_INGEST_CASE;
  if (child) {
    limitHeapGrowth(); // as the et-ledger executable does (src/runtime/heapGrowth.ts)
    const [shape, rounds, store] = child.split(':');
    const result = await runCase({ shape: shape as Shape, rounds: Number(rounds), store: store as Case['store'] });
    console.log(`RESULT ${JSON.stringify(result)}`);
    return;
  }
  const sizes = (process.env.BENCH_INGEST_ROUNDS ?? '20000,100000')
    .split(',')
    .map((s) => Math.floor(Number(s) / 2) * 2);
  const shapes = (process.env.BENCH_INGEST_SHAPES ?? SHAPES.join(',')).split(',') as Shape[];
  const unknown = shapes.filter((s) => !SHAPES.includes(s));
  if (unknown.length > 0 || sizes.some((n) => !(n > 0))) {
    console.error(`BENCH_INGEST_SHAPES: ${SHAPES.join(',')}; BENCH_INGEST_ROUNDS: positive counts (${unknown})`);
    process.exit(2);
  }
  const cases: Case[] = sizes.flatMap((rounds) =>
    shapes.map((shape) => ({ shape, rounds, store: 'postgres' as const })),
  );
  const pglite = Number(process.env.BENCH_INGEST_PGLITE ?? 0);
  if (pglite > 0) cases.push({ shape: 'weekly', rounds: Math.floor(pglite / 2) * 2, store: 'pglite' });
  // Stopped (SIGINT, SIGTERM): the running case's child drops its database, the tables show what finished.
  let stopped = false;
  const stop = () => {
    stopped = true;
    running?.kill('SIGTERM');
  };
  process.once('SIGINT', stop).once('SIGTERM', stop);
  const results: Result[] = [];
  const caseCommand = childCommand();
  console.log(`cases run ${caseCommand.label}\n`);
  for (const c of cases) {
    if (stopped) break;
    const r = await inChild(c, caseCommand.args);
    if (!r) continue;
    results.push(r);
    console.log(
      `${c.shape} ${c.rounds} ${c.store}: ${r.seconds.toFixed(1)} s, ${Math.round(c.rounds / r.seconds)} rounds/s, ` +
        `peak RSS ${Math.round(r.peakRssMb)} MB (at the highest sample: V8 heap ${Math.round(r.peakHeapMb)} MB, outside it ${Math.round(r.peakExternalMb)} MB; V8 heap at its largest ${Math.round(r.maxHeapMb)} MB)${r.floor ? `, floor ${floorSeconds(r.floor.readModels).toFixed(1)} s` : ''}`,
    );
  }
  caseCommand.remove();
  report(results, sizes);
}

/**
 * How a case's child starts: this script compiled (into the checkout's tmp/, where packages resolve)
 * with the same node flags but tsx's loader, or, with BENCH_INGEST_FROM_SOURCE=1, this very command.
 */
function childCommand(): { label: string; args: string[]; remove: () => void } {
  const fromSource = [...process.execArgv, process.argv[1]!, 'ingest'];
  if (process.env.BENCH_INGEST_FROM_SOURCE === '1')
    return { label: 'from the sources through tsx (BENCH_INGEST_FROM_SOURCE=1)', args: fromSource, remove: () => {} };
  const work = checkoutTempDir('ingest');
  const out = join(work.dir, 'dist');
  buildCompiled(out, { withBench: true });
  const flags = process.execArgv.filter(
    (a, i, all) => !isTsxImport(a) && !(a === '--import' && isTsxImport(all[i + 1])),
  );
  return {
    label: 'compiled, as installed (deploy/build.mjs; BENCH_INGEST_FROM_SOURCE=1 for the sources through tsx)',
    args: [...flags, join(out, 'bench', 'run.js'), 'ingest'],
    remove: work.remove,
  };
}

const isTsxImport = (arg: string | undefined) => arg === 'tsx' || arg === '--import=tsx';

let running: ChildProcess | null = null;

/** One case in a child process (same node flags), which prints its result as a `RESULT {…}` line. */
function inChild(c: Case, args: string[]): Promise<Result | null> {
  return new Promise((resolve, reject) => {
    const proc = spawn(process.execPath, args, {
      env: { ...process.env, BENCH_INGEST_CASE: `${c.shape}:${c.rounds}:${c.store}` },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    running = proc;
    let out = '';
    proc.stdout.setEncoding('utf8').on('data', (d: string) => {
      out += d;
    });
    proc.on('error', reject);
    proc.on('exit', (code) => {
      running = null;
      const line = out.split('\n').find((l) => l.startsWith('RESULT '));
      for (const l of out.split('\n')) if (l !== '' && !l.startsWith('RESULT ')) console.log(l);
      if (!line) console.error(`${c.shape} ${c.rounds} ${c.store}: the child exited ${code} without a result`);
      resolve(line ? (JSON.parse(line.slice('RESULT '.length)) as Result) : null);
    });
  });
}

async function runCase(c: Case): Promise<Result> {
  const nowMs = Date.now();
  const history = buildHistory(c.shape, c.rounds, nowMs);
  if (c.store === 'pglite') {
    const folder = tempDir('ingest');
    try {
      return { ...(await ingest(c, { kind: 'pglite', dir: folder.dir }, history, nowMs)), floor: null };
    } finally {
      folder.remove();
    }
  }
  const db = withBenchDatabase();
  if (!db) throw new Error('no PostgreSQL for the ingest bench: set DATABASE_URL');
  const keep = process.env.BENCH_KEEP === '1';
  const abandon = () => {
    if (!keep) db.drop();
    process.exit(143);
  };
  process.once('SIGINT', abandon).once('SIGTERM', abandon);
  try {
    const result = await ingest(c, { kind: 'postgres', url: db.url }, history, nowMs);
    result.rebuilds = await rebuildAfterIngest({ kind: 'postgres', url: db.url });
    const floor = await measureCopyFloor(db.url);
    if (keep) console.error(`database kept: ${db.url}`);
    return { ...result, floor };
  } finally {
    if (!keep) db.drop();
  }
}

async function ingest(
  c: Case,
  spec: StoreSpec,
  history: ReturnType<typeof buildHistory>,
  nowMs: number,
): Promise<Omit<Result, 'floor'>> {
  const receivedAt = new Date(nowMs).toISOString();
  const files = filesInTimeOrder(history.plays, history.servers, history.pool);
  const ledger = await openLedger(spec);
  const rss = watchRss();
  const tracks = new Map<string, Track[]>();
  let generateMs = 0;
  let appendMs = 0;
  try {
    for (;;) {
      const t0 = performance.now();
      const batch: HistoryFile[] = [];
      while (batch.length < BATCH) {
        const f = files.next();
        if (f.done) break;
        batch.push(f.value);
      }
      generateMs += performance.now() - t0;
      if (batch.length === 0) break;
      const { ms } = await timed(() => ledger.store.appendFacts(factsOfFiles(batch, receivedAt)));
      appendMs += ms;
    }
    // `ingest --close`: every server's clock moves to now, so every round is decided.
    const atUnix = Math.floor(nowMs / 1000);
    const ticks = history.servers.map(
      (s): NewEvent => ({
        ...clockTickIdentity(s.id, atUnix),
        type: 'ClockTicked',
        schemaVersion: 2,
        data: { serverId: s.id, atUnix },
      }),
    );
    appendMs += (await timed(() => ledger.store.appendFacts(ticks))).ms;
    const wanted = process.env.BENCH_PROJECTIONS?.split(',');
    const projections = (await loadProjections()).filter((p) => !wanted || wanted.includes(p.name));
    const project = await timed(() =>
      projectAllToHead({
        db: ledger.db,
        store: ledger.store,
        log: createLogger('warn'),
        projections,
        progress: (label, total) => tracked(tracks, label, total),
      }),
    );
    const peak = rss.stop();
    const counts: Record<string, number> = {};
    for (const view of ['rounds', 'player_stats', 'player_weapon_stats', 'verdicts']) {
      const r = await ledger.db
        .query<{ n: number }>(`select count(*)::int as n from read.${view}`)
        .catch(() => ({ rows: [{ n: -1 }] }));
      counts[view] = Number(r.rows[0]!.n);
    }
    if (counts.rounds !== -1 && counts.rounds !== c.rounds)
      console.error(`${c.shape} ${c.rounds}: expected ${c.rounds} rounds, read.rounds has ${counts.rounds}`);
    const day = (unix: number) => new Date(unix * 1000).toISOString().slice(0, 10);
    return {
      ...c,
      seconds: (appendMs + project.ms) / 1000,
      appendSeconds: appendMs / 1000,
      projectSeconds: project.ms / 1000,
      generateSeconds: generateMs / 1000,
      rssBeforeMb: peak.beforeMb,
      peakRssMb: peak.peakMb,
      peakHeapMb: peak.heapMb,
      peakExternalMb: peak.externalMb,
      maxHeapMb: peak.maxHeapMb,
      counts,
      span: `${day(history.plays[0]!.r1Unix)} … ${day(history.plays[history.plays.length - 1]!.r2Unix)}`,
      projections: rates(tracks),
      rebuilds: [],
    };
  } finally {
    rss.stop();
    await ledger.close();
  }
}

/** `et-ledger rebuild NAME` for each of BENCH_INGEST_REBUILD (e.g. rounds,correlator), timed. */
async function rebuildAfterIngest(spec: StoreSpec): Promise<Result['rebuilds']> {
  const names = process.env.BENCH_INGEST_REBUILD?.split(',').filter(Boolean) ?? [];
  if (names.length === 0) return [];
  const ledger = await openLedger(spec);
  try {
    const projections = await loadProjections();
    const deps = { db: ledger.db, store: ledger.store, log: createLogger('warn'), projections };
    const done: Result['rebuilds'] = [];
    for (const name of names) {
      const p = projections.find((x) => x.name === name);
      if (!p) throw new Error(`BENCH_INGEST_REBUILD: no projection ${name}`);
      const { ms } = await timed(() => buildAndSwap(deps, p, { report: false, fresh: true }));
      done.push({ name, seconds: ms / 1000 });
    }
    return done;
  } finally {
    await ledger.close();
  }
}

/**
 * What the process held at its peak: RSS and, of it, V8's heap and the memory outside it (Buffers);
 * and the heap at its largest, which the peak usually follows rather than the heap of the moment:
 * V8 keeps the pages its collections free in a pool for reuse while the program is busy
 * (`--trace-gc` prints it as "pooled"), so committed plus pooled stays near the heap's largest.
 */
type PeakMemory = { beforeMb: number; peakMb: number; heapMb: number; externalMb: number; maxHeapMb: number };

/**
 * Peak RSS from now until stop(): sampled every 100 ms, and the process's maxRSS if it grew meanwhile;
 * with the heap's and the external memory's share at the highest sample.
 */
function watchRss(): { stop: () => PeakMemory } {
  const mb = (bytes: number) => bytes / 1024 / 1024;
  const before = process.memoryUsage().rss;
  const maxBefore = process.resourceUsage().maxRSS;
  let peak = process.memoryUsage();
  let maxHeap = peak.heapTotal;
  const sample = () => {
    const now = process.memoryUsage();
    if (now.rss > peak.rss) peak = now;
    maxHeap = Math.max(maxHeap, now.heapTotal);
  };
  const timer = setInterval(sample, 100);
  let result: PeakMemory | null = null;
  return {
    stop: () => {
      if (result) return result;
      clearInterval(timer);
      sample();
      let peakRss = peak.rss;
      const maxAfter = process.resourceUsage().maxRSS; // kB
      if (maxAfter > maxBefore) peakRss = Math.max(peakRss, maxAfter * 1024);
      result = {
        beforeMb: mb(before),
        peakMb: mb(peakRss),
        heapMb: mb(peak.heapTotal),
        externalMb: mb(peak.external),
        maxHeapMb: mb(maxHeap),
      };
      return result;
    },
  };
}

type Track = { t0: number; t1: number | null; total: number; points: [number, number][] };

/** The runtime's progress display, also recording when each catch-up started, moved and finished. */
function tracked(tracks: Map<string, Track[]>, label: string, total: number): Progress {
  const inner = createProgress(label, total);
  const track: Track = { t0: performance.now(), t1: null, total, points: [] };
  const name = label.replace(/ v\d+$/, '');
  tracks.set(name, [...(tracks.get(name) ?? []), track]);
  return {
    update(done) {
      track.points.push([performance.now(), done]);
      inner.update(done);
    },
    finish() {
      track.t1 = performance.now();
      inner.finish();
    },
  };
}

/** Positions/s per projection: overall, and over the first and last 20 % of its longest catch-up. */
function rates(tracks: Map<string, Track[]>): ProjectionRate[] {
  return [...tracks].map(([name, list]) => {
    const done = list.filter((t) => t.t1 !== null);
    const events = done.reduce((s, t) => s + t.total, 0);
    const seconds = done.reduce((s, t) => s + (t.t1! - t.t0), 0) / 1000;
    const main = done.reduce<Track | null>((a, t) => (a === null || t.total > a.total ? t : a), null);
    if (!main) return { name, events, seconds, first: 0, last: 0 };
    const points: [number, number][] = [[main.t0, 0], ...main.points, [main.t1!, main.total]];
    /** When the catch-up had read `share` of its positions (linear between progress updates). */
    const timeAt = (share: number) => {
      const want = share * main.total;
      for (let i = 1; i < points.length; i++) {
        const [ta, da] = points[i - 1]!;
        const [tb, db] = points[i]!;
        if (db >= want) return db === da ? tb : ta + ((tb - ta) * (want - da)) / (db - da);
      }
      return main.t1!;
    };
    const perSecond = (ms: number) => (0.2 * main.total) / (Math.max(ms, 1e-3) / 1000);
    return {
      name,
      events,
      seconds,
      first: perSecond(timeAt(0.2) - main.t0),
      last: perSecond(main.t1! - timeAt(0.8)),
    };
  });
}
