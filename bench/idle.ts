// npm run bench -- idle: resident memory of `et-ledger run` on PostgreSQL once it idles (issue 17:
// ≤ 150 MB), every process it starts counted (tsx's esbuild helper too), next to baselines measured
// in the same run: a bare `node` waiting on a timer, and `node` with only `pg` imported.
//
// Cases: the compiled tree (`npm run build`, built here into tmp/, as a production install runs it)
// and the sources through tsx (a checkout: ET_LEDGER_FROM_SOURCE=1), each with and without V8's
// larger young generation (--max-semi-space-size=64). Each starts on a fresh database with one game
// server (a watched folder, the HTTP receiver on a free port; no Discord, no Kafka), waits for
// "et-ledger is running", then BENCH_IDLE_S seconds (default 20), reads VmRSS (and PSS) of the
// process tree from /proc, and stops it with SIGTERM.
//
// BENCH_IDLE_CATCHUP=N (e.g. 2000) adds the same cases after a downtime: N league rounds of facts
// appended (not projected) to a template database, each case on a copy of it, so `run` starts by
// catching every projection up. Printed: the catch-up's seconds and peak RSS, and the RSS
// BENCH_IDLE_S seconds after it ended (whether the young generation grown by the catch-up is given
// back when the service idles). BENCH_IDLE_BUILD=0 skips the compiled cases (no build);
// BENCH_IDLE_CASES=compiled,sources chooses. Linux only (/proc).
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { once } from 'node:events';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { openLedger } from '../src/store/openStore.ts';
import { commOf, footprint, processTree } from './embedded/processTree.ts';
import { factsOfFiles, filesInTimeOrder, type HistoryFile } from './histories.ts';
import { buildHistory } from './historyShapes.ts';
import { buildCompiled, checkoutTempDir, table, withBenchDatabase } from './support.ts';

const root = fileURLToPath(new URL('../', import.meta.url));
const TARGET_MB = 150;
const SEMI_SPACE = '--max-semi-space-size=64';
const idleS = Number(process.env.BENCH_IDLE_S ?? 20);

type Entry = { label: string; args: string[]; env: NodeJS.ProcessEnv };
type ProcessMemory = { pid: number; name: string; rssMb: number; pssMb: number };
type Measured = { processes: ProcessMemory[]; rssMb: number; pssMb: number };

export async function run(): Promise<void> {
  if (process.platform !== 'linux') {
    console.error('bench idle reads /proc: Linux only');
    process.exit(2);
  }
  const cases = (process.env.BENCH_IDLE_CASES ?? 'compiled,sources').split(',');
  const catchUp = Number(process.env.BENCH_IDLE_CATCHUP ?? 0);
  const scratch = checkoutTempDir('idle');
  const work = scratch.dir;
  const cleanups: (() => void)[] = [scratch.remove];
  try {
    const entries: Entry[] = [];
    if (cases.includes('compiled') && process.env.BENCH_IDLE_BUILD !== '0') {
      const out = join(work, 'dist');
      buildCompiled(out);
      entries.push({ label: 'compiled', args: [join(out, 'et-ledger.js'), 'run'], env: {} });
    }
    if (cases.includes('sources'))
      entries.push({
        label: 'sources (tsx)',
        args: [join(root, 'bin/et-ledger.js'), 'run'],
        env: { ET_LEDGER_FROM_SOURCE: '1' },
      });

    const bare = await measureIdle([process.execPath, '-e', 'setInterval(() => {}, 1e9)']);
    const withPg = await measureIdle([
      process.execPath,
      '--input-type=module',
      '-e',
      "await import('pg'); setInterval(() => {}, 1e9)",
    ]);
    console.log(`baselines after ${idleS} s: bare node ${mb(bare.rssMb)}, node + pg ${mb(withPg.rssMb)}\n`);

    const rows: Record<string, string | number>[] = [];
    const details: string[] = [];
    for (const entry of entries)
      for (const flags of [[], [SEMI_SPACE]]) {
        const label = `${entry.label}${flags.length ? ` ${SEMI_SPACE}` : ''}`;
        const db = withBenchDatabase();
        if (!db) throw new Error('bench idle needs PostgreSQL (DATABASE_URL or 127.0.0.1:5432)');
        try {
          const m = await measureRun(entry, flags, db.url);
          rows.push(row(label, m, bare, withPg));
          details.push(`${label}: ${m.processes.map((p) => `${p.name} (${p.pid}) ${mb(p.rssMb)}`).join(', ')}`);
        } finally {
          db.drop();
        }
      }
    console.log(`\`et-ledger run\` on PostgreSQL, a fresh database, ${idleS} s after "et-ledger is running":`);
    table(rows);
    console.log(`\nper process (RSS):\n  ${details.join('\n  ')}`);

    if (catchUp > 0) {
      const template = withBenchDatabase();
      if (!template) throw new Error('bench idle needs PostgreSQL (DATABASE_URL or 127.0.0.1:5432)');
      cleanups.push(() => template.drop());
      const appended = await appendHistory(template.url, catchUp);
      const caught: Record<string, string | number>[] = [];
      for (const entry of entries)
        for (const flags of [[], [SEMI_SPACE]]) {
          const copy = copyDatabase(template.url);
          try {
            const m = await measureCatchUp(entry, flags, copy.url);
            caught.push({
              case: `${entry.label}${flags.length ? ` ${SEMI_SPACE}` : ''}`,
              'catch-up s': m.seconds,
              'peak RSS': mb(m.peakMb),
              [`RSS ${idleS} s after`]: mb(m.after.rssMb),
              [`after ${3 * idleS} s`]: mb(m.later.rssMb),
              target: m.later.rssMb <= TARGET_MB ? `≤ ${TARGET_MB} MB: met` : `≤ ${TARGET_MB} MB: not met`,
            });
          } finally {
            copy.drop();
          }
        }
      console.log(`\nafter a downtime: ${appended} facts (${catchUp} league rounds) to catch up at start:`);
      table(caught);
    }
  } finally {
    for (const c of cleanups.reverse()) c();
  }
}

function row(label: string, m: Measured, bare: Measured, withPg: Measured): Record<string, string | number> {
  return {
    case: label,
    processes: m.processes.length,
    RSS: mb(m.rssMb),
    PSS: mb(m.pssMb),
    target: m.rssMb <= TARGET_MB ? `≤ ${TARGET_MB} MB: met` : `≤ ${TARGET_MB} MB: not met`,
    '÷ bare node': `${(m.rssMb / bare.rssMb).toFixed(2)}×`,
    '− node + pg': mb(m.rssMb - withPg.rssMb),
  };
}

const mb = (n: number) => `${n.toFixed(0)} MB`;

/** The service's environment: one server, a watched folder, the receiver on a free port. */
function serviceEnv(url: string, folder: string): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env };
  for (const k of Object.keys(env)) if (/^(ET_LEDGER_|KAFKA_|DISCORD_)/.test(k)) delete env[k];
  return {
    ...env,
    ET_LEDGER_STORE: `postgres:${url}`,
    ET_LEDGER_SERVER_ID: 'bench',
    ET_LEDGER_TZ: 'Europe/Berlin',
    ET_LEDGER_WATCH_DIR: folder,
    ET_LEDGER_HTTP_HOST: '127.0.0.1',
    ET_LEDGER_HTTP_PORT: '0',
    ET_LEDGER_LOG_LEVEL: 'info',
  };
}

function startRun(entry: Entry, flags: string[], url: string): { child: ChildProcess; running: Promise<void> } {
  const watched = checkoutTempDir('idle-watch');
  const folder = watched.dir;
  const child = spawn(process.execPath, [...flags, ...entry.args], {
    cwd: folder,
    env: { ...serviceEnv(url, folder), ...entry.env },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  child.once('exit', watched.remove);
  let log = '';
  const running = new Promise<void>((resolve, reject) => {
    child.stderr!.on('data', (d: Buffer) => {
      log += d.toString();
      if (log.includes('"msg":"et-ledger is running"')) resolve();
    });
    child.once('exit', (code) =>
      reject(new Error(`et-ledger run exited (${code}) before it ran:\n${log.slice(-2000)}`)),
    );
  });
  return { child, running };
}

async function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = once(child, 'exit');
  child.kill('SIGTERM');
  const late = setTimeout(() => child.kill('SIGKILL'), 30_000);
  await exited;
  clearTimeout(late);
}

async function measureRun(entry: Entry, flags: string[], url: string): Promise<Measured> {
  const { child, running } = startRun(entry, flags, url);
  try {
    await running;
    await sleep(idleS * 1000);
    return measure(child.pid!);
  } finally {
    await stop(child);
  }
}

/** A process (not et-ledger) started, left idle, measured, killed. */
async function measureIdle(argv: string[]): Promise<Measured> {
  const child = spawn(argv[0]!, argv.slice(1), { cwd: root, stdio: 'ignore' });
  try {
    await sleep(idleS * 1000);
    return measure(child.pid!);
  } finally {
    await stop(child);
  }
}

function measure(pid: number): Measured {
  const processes = processTree(pid).map((p) => {
    const f = footprint([p]);
    return { pid: p, name: commOf(p) || '?', rssMb: f.rssMb, pssMb: f.pssMb };
  });
  return {
    processes,
    rssMb: processes.reduce((s, p) => s + p.rssMb, 0),
    pssMb: processes.reduce((s, p) => s + p.pssMb, 0),
  };
}

/** Facts only (no projection): what a service finds after a downtime. Returns how many. */
async function appendHistory(url: string, rounds: number): Promise<number> {
  const ledger = await openLedger({ kind: 'postgres', url });
  try {
    const nowMs = Date.now();
    const history = buildHistory('league', rounds, nowMs);
    const files = filesInTimeOrder(history.plays, history.servers, history.pool);
    const receivedAt = new Date(nowMs).toISOString();
    let appended = 0;
    for (;;) {
      const batch: HistoryFile[] = [];
      for (let f = files.next(); !f.done; f = files.next()) {
        batch.push(f.value);
        if (batch.length === 500) break;
      }
      if (batch.length === 0) return appended;
      appended += (await ledger.store.appendFacts(factsOfFiles(batch, receivedAt))).length;
    }
  } finally {
    await ledger.close();
  }
}

function copyDatabase(templateUrl: string): { url: string; drop: () => void } {
  const t = new URL(templateUrl);
  const name = `${t.pathname.slice(1)}_copy_${Date.now()}`;
  const conn = ['-h', t.hostname, '-p', t.port || '5432', '-U', t.username || 'postgres'];
  execFileSync('createdb', [...conn, '-T', t.pathname.slice(1), name]);
  const u = new URL(templateUrl);
  u.pathname = `/${name}`;
  return { url: u.toString(), drop: () => execFileSync('dropdb', [...conn, '--force', name]) };
}

/** No build still building, and every active one at the log's head. */
async function caughtUp(client: pg.Client): Promise<boolean> {
  const r = await client.query<{ behind: number; building: number; active: number }>(
    `select count(*) filter (where status = 'active'
                               and position < (select coalesce(max(position), 0) from ledger.events))::int as behind,
            count(*) filter (where status = 'building')::int as building,
            count(*) filter (where status = 'active')::int as active
       from ledger.projection_builds`,
  );
  const c = r.rows[0]!;
  return c.active > 0 && c.building === 0 && c.behind === 0;
}

async function measureCatchUp(
  entry: Entry,
  flags: string[],
  url: string,
): Promise<{ seconds: number; peakMb: number; after: Measured; later: Measured }> {
  const t0 = performance.now();
  const { child, running } = startRun(entry, flags, url);
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  let peakMb = 0;
  const sample = () => {
    peakMb = Math.max(peakMb, measure(child.pid!).rssMb);
  };
  const sampler = setInterval(sample, 200);
  try {
    await running;
    const deadline = Date.now() + 30 * 60_000;
    // Twice in a row, a second apart: a follower starts its pass only after the processor's.
    for (let seen = 0; seen < 2; seen = (await caughtUp(client)) ? seen + 1 : 0) {
      if (Date.now() > deadline) throw new Error('the projections did not catch up within 30 min');
      await sleep(1000);
    }
    const seconds = (performance.now() - t0) / 1000;
    clearInterval(sampler);
    sample();
    await sleep(idleS * 1000);
    const after = measure(child.pid!);
    await sleep(2 * idleS * 1000);
    return { seconds: Math.round(seconds * 10) / 10, peakMb, after, later: measure(child.pid!) };
  } finally {
    clearInterval(sampler);
    await client.end();
    await stop(child);
  }
}
