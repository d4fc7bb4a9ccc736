// npm run bench -- export: `et-ledger export player-weapon-stats` of 1 000 000 rows (CSV and NDJSON)
// through the real CLI, spawned as a user runs it, its stdout read and thrown away: seconds, rows/s,
// time to first byte (from spawn, so it includes start-up, printed alone as `--version`) and the
// exporting process' peak RSS — at a tenth of the rows too, to show memory does not grow with
// them. Next to bare `COPY … TO STDOUT` through pg-copy-streams into /dev/null in the same run, as
// stored and in export order (time, then key). BENCH_EXPORT_ROWS sets the count (default 1 000 000);
// BENCH_EXPORT_PGLITE=1 adds the same on PGlite (slow to fill: the default store, one process).
import { spawn } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { to as copyTo } from 'pg-copy-streams';
import { resolveExport } from '../src/export/names.ts';
import { chunkWriter } from '../src/export/output.ts';
import { streamExport } from '../src/export/streamExport.ts';
import { createLogger } from '../src/logger.ts';
import { activeBuild } from '../src/runtime/catalog.ts';
import { projectAllToHead } from '../src/runtime/ledgerRuntime.ts';
import { loadProjections } from '../src/runtime/registry.ts';
import { openLedger, type StoreSpec } from '../src/store/openStore.ts';
import type { SqlExecutor } from '../src/store/sqlDatabase.ts';
import { fillerColumns } from '../tests/support/fillerColumns.ts';
import { table, tempDir, timed, withBenchDatabase } from './support.ts';

const ROWS = Number(process.env.BENCH_EXPORT_ROWS ?? 1_000_000);
const PER_ROUND = 12 * 8; // 12 players × 8 weapons
const bin = fileURLToPath(new URL('../bin/et-ledger.js', import.meta.url));

// The child reports its own peak RSS as it exits (process.resourceUsage().maxRSS, KiB).
const reportMaxRss = `data:text/javascript,${encodeURIComponent(
  "import { writeSync } from 'node:fs'; process.on('exit', () => { try { writeSync(2, '\\nBENCH_MAX_RSS_KB=' + process.resourceUsage().maxRSS + '\\n'); } catch {} });",
)}`;

type Run = { seconds: number; firstByteMs: number; bytes: number; lines: number; maxRssMb: number };

/** Spawns `et-ledger …` with stdout piped here and discarded; times it from spawn to exit. */
function runCli(args: string[], store: string): Promise<Run> {
  return new Promise((resolve, reject) => {
    const t0 = process.hrtime.bigint();
    const ms = () => Number(process.hrtime.bigint() - t0) / 1e6;
    const child = spawn(process.execPath, ['--import', reportMaxRss, bin, ...args], {
      env: { ...process.env, ET_LEDGER_STORE: store, ET_LEDGER_LOG_LEVEL: 'warn' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let firstByteMs = -1;
    let bytes = 0;
    let lines = 0;
    child.stdout.on('data', (chunk: Buffer) => {
      if (firstByteMs < 0) firstByteMs = ms();
      bytes += chunk.length;
      for (let i = chunk.indexOf(10); i >= 0; i = chunk.indexOf(10, i + 1)) lines++;
    });
    let stderr = '';
    child.stderr.on('data', (c: Buffer) => {
      stderr += c.toString();
    });
    child.on('error', reject);
    child.on('close', (code) => {
      const seconds = ms() / 1000;
      const rss = /BENCH_MAX_RSS_KB=(\d+)/.exec(stderr);
      if (code !== 0) return reject(new Error(`et-ledger ${args.join(' ')} exited ${code}: ${stderr.slice(-2000)}`));
      resolve({ seconds, firstByteMs, bytes, lines, maxRssMb: rss ? Number(rss[1]) / 1024 : Number.NaN });
    });
  });
}

/**
 * Rounds and their player weapon rows straight into the rounds projection's active build: round ids
 * are hashes (their order is not time order, as with real UUIDs), times a round every 10 minutes.
 * Rows [from, to) of the weapon view (8 weapons a player); rounds as many as those rows need.
 */
async function fill(db: SqlExecutor, schema: string, from: number, to: number): Promise<void> {
  const roundId = (g: string) => `md5('bench round ' || ${g})`;
  const firstRound = Math.floor(from / PER_ROUND);
  const lastRound = Math.ceil(to / PER_ROUND) - 1;
  const rounds = await fillerColumns(db, schema, 'rounds', {
    round_id: roundId('g'),
    server_id: "'bench'",
    map: "'supply'",
    round: '1 + g % 2',
    file_name: "'bench-' || g || '.txt'",
    file_time_unix: '1767225600 + g * 600',
    file_time_utc: 'to_timestamp(1767225600 + g * 600)',
    tz: "'UTC'",
    flags: "'{}'",
    issues: "'[]'",
  });
  await db.exec(
    `insert into "${schema}".rounds (${rounds.names})
       select ${rounds.values} from generate_series(${firstRound}, ${lastRound}) g
       on conflict do nothing`,
  );
  // Weapon row n is weapon n % 8 of player n / 8: rows [from, to) are whole players' arrays.
  const players = await fillerColumns(db, schema, 'player_rows', {
    round_id: roundId('(p / 12)'),
    line: 'p % 12',
    guid8: "upper(substr(md5('player ' || (p % 12)), 1, 8))",
    weapons: `(select array_agg(array[w, ((p * 8 + w) * 7) % 100, ((p * 8 + w) * 13) % 400, (p * 8 + w) % 5,
                                       (p * 8 + w) % 4, (p * 8 + w) % 3] order by w) from generate_series(0, 7) w)`,
  });
  await db.exec(
    `insert into "${schema}".player_rows (${players.names})
       select ${players.values} from generate_series(${Math.floor(from / 8)}, ${Math.ceil(to / 8) - 1}) p`,
  );
  await db.exec(`analyze "${schema}".rounds; analyze "${schema}".player_rows`);
}

/** Opens the store, builds every projection's schema through the real runtime, returns the rounds build's schema. */
async function prepare(spec: StoreSpec): Promise<{ schema: string; db: SqlExecutor; close: () => Promise<void> }> {
  const ledger = await openLedger(spec);
  const projections = await loadProjections();
  await projectAllToHead({ db: ledger.db, store: ledger.store, log: createLogger('warn'), projections });
  const build = await activeBuild(ledger.db, 'rounds');
  if (!build) throw new Error('no active rounds build after projecting');
  return { schema: build.schemaName, db: ledger.db, close: () => ledger.close() };
}

const exportArgs = (format: string) => ['export', 'player-weapon-stats', '--format', format];

async function exportRows(label: string, rows: number, store: string) {
  const out: Record<string, string | number>[] = [];
  for (const format of ['csv', 'ndjson']) {
    const r = await runCli(exportArgs(format), store);
    const printed = format === 'csv' ? r.lines - 1 : r.lines;
    if (printed !== rows) throw new Error(`${label} ${format}: ${printed} rows printed, ${rows} expected`);
    out.push({
      what: `${label}: et-ledger export ${format}`,
      rows,
      s: r.seconds,
      'rows/s': Math.round(rows / r.seconds),
      'first byte ms': Math.round(r.firstByteMs),
      'MB out': Math.round(r.bytes / 1e6),
      'peak RSS MB': Math.round(r.maxRssMb),
    });
  }
  return out;
}

/**
 * The export as the command runs it once started (open the store, project to the head, stream),
 * in this process into /dev/null: its first byte and its time without the start-up of node and
 * tsx, which a user pays once per command whatever the rows.
 */
async function inProcess(url: string, format: 'csv' | 'ndjson', rows: number) {
  const t0 = process.hrtime.bigint();
  const ms = () => Number(process.hrtime.bigint() - t0) / 1e6;
  let firstByteMs = -1;
  const sink = chunkWriter(createWriteStream('/dev/null'));
  const out = {
    write: (text: string) => {
      if (firstByteMs < 0) firstByteMs = ms();
      return sink.write(text);
    },
    flush: () => sink.flush(),
  };
  const ledger = await openLedger({ kind: 'postgres', url });
  try {
    const projections = await loadProjections();
    await projectAllToHead({ db: ledger.db, store: ledger.store, log: createLogger('warn'), projections });
    const written = await streamExport({
      db: ledger.db,
      postgresUrl: url,
      schema: 'read',
      target: resolveExport(projections, 'player-weapon-stats'),
      format,
      csvSafe: false,
      sessionGapMin: 45,
      out,
    });
    await out.flush();
    if (written !== rows) throw new Error(`in-process ${format}: ${written} rows, ${rows} expected`);
  } finally {
    await ledger.close();
  }
  const seconds = ms() / 1000;
  return {
    what: `PostgreSQL: in-process after start-up, ${format}`,
    rows,
    s: seconds,
    'rows/s': Math.round(rows / seconds),
    'first byte ms': Math.round(firstByteMs),
    'MB out': '',
    'peak RSS MB': '',
  };
}

/** Bare COPY … TO STDOUT through pg-copy-streams into /dev/null: what the database and the driver alone cost. */
async function bareCopy(url: string, label: string, sql: string, rows: number) {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    let firstByteMs = -1;
    const t0 = process.hrtime.bigint();
    const { ms } = await timed(
      () =>
        new Promise<void>((resolve, reject) => {
          const stream = client.query(copyTo(`copy (${sql}) to stdout with (format csv, header)`));
          const sink = createWriteStream('/dev/null');
          stream.once('data', () => {
            firstByteMs = Number(process.hrtime.bigint() - t0) / 1e6;
          });
          stream.on('error', reject);
          sink.on('error', reject);
          sink.on('finish', resolve);
          stream.pipe(sink);
        }),
    );
    return {
      what: `baseline: ${label}`,
      rows,
      s: ms / 1000,
      'rows/s': Math.round(rows / (ms / 1000)),
      'first byte ms': Math.round(firstByteMs),
      'MB out': '',
      'peak RSS MB': '',
    };
  } finally {
    await client.end();
  }
}

export async function run(): Promise<void> {
  const startup = await runCli(['--version'], 'pglite:/nonexistent');
  const rows: Record<string, string | number>[] = [
    {
      what: 'et-ledger --version (start-up alone)',
      rows: 0,
      s: startup.seconds,
      'rows/s': '',
      'first byte ms': Math.round(startup.firstByteMs),
      'MB out': '',
      'peak RSS MB': Math.round(startup.maxRssMb),
    },
  ];
  const tenth = Math.round(ROWS / 10);
  const db = withBenchDatabase();
  if (db) {
    const store = `postgres:${db.url}`;
    try {
      const prepared = await prepare({ kind: 'postgres', url: db.url });
      try {
        await fill(prepared.db, prepared.schema, 0, tenth);
        rows.push(...(await exportRows('PostgreSQL', tenth, store)));
        await fill(prepared.db, prepared.schema, tenth, ROWS);
      } finally {
        await prepared.close();
      }
      rows.push(...(await exportRows('PostgreSQL', ROWS, store)));
      rows.push(await inProcess(db.url, 'csv', ROWS), await inProcess(db.url, 'ndjson', ROWS));
      const t = `"${prepared.schema}".player_weapon_stats`;
      rows.push(await bareCopy(db.url, 'COPY table TO STDOUT (csv) → /dev/null', `select * from ${t}`, ROWS));
      rows.push(
        await bareCopy(
          db.url,
          'COPY in export order (csv) → /dev/null',
          `select t.* from ${t} t left join "${prepared.schema}".rounds o on o.round_id = t.round_id
            order by o.file_time_unix, t.round_id, t.line, t.weapon_id`,
          ROWS,
        ),
      );
    } finally {
      db.drop();
    }
  }
  if (process.env.BENCH_EXPORT_PGLITE === '1') {
    const dir = tempDir('export');
    try {
      const prepared = await prepare({ kind: 'pglite', dir: dir.dir });
      try {
        await fill(prepared.db, prepared.schema, 0, tenth);
      } finally {
        await prepared.close();
      }
      rows.push(...(await exportRows('PGlite', tenth, `pglite:${dir.dir}`)));
      const again = await prepare({ kind: 'pglite', dir: dir.dir });
      try {
        await fill(again.db, again.schema, tenth, ROWS);
      } finally {
        await again.close();
      }
      rows.push(...(await exportRows('PGlite', ROWS, `pglite:${dir.dir}`)));
    } finally {
      dir.remove();
    }
  }
  table(rows);
  console.log(
    '\net-ledger rows: first byte and seconds from spawn (start-up included: see --version), peak RSS the\n' +
      'exporting process’ own (process.resourceUsage().maxRSS as it exits); in-process rows: from opening the\n' +
      'store; baselines: the bare COPY statement alone.',
  );
}
