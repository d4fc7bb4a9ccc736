// npm run bench -- ingest: rounds/s for ingesting a generated history (12 players a round, R1 + R2
// pairs) through identifyFact → append → every projection and the correlator, into PostgreSQL
// and PGlite; next to the parser alone over the same files. Target: 20 000 rounds in ≤ 30 s on
// PostgreSQL. BENCH_INGEST_ROUNDS sets the count (default 20 000; PGlite gets a tenth).
import { createLogger } from '../src/logger.ts';
import { parseStatsFile } from '../src/parser/statsFile.ts';
import { projectAllToHead } from '../src/runtime/ledgerRuntime.ts';
import { createProgress } from '../src/runtime/progress.ts';
import { loadProjections } from '../src/runtime/registry.ts';
import { identifyFact } from '../src/sources/identifyFact.ts';
import { openLedger, type StoreSpec } from '../src/store/openStore.ts';
import { generateStatsPair } from '../tests/support/statsFileGenerator.ts';
import { table, tempDir, timed, withBenchDatabase } from './support.ts';

type File = { fileName: string; bytes: Uint8Array };

function history(rounds: number): File[] {
  const files: File[] = [];
  const start = Date.UTC(2026, 0, 1, 18, 0, 0);
  for (let i = 0; i < rounds / 2; i++) {
    const pair = generateStatsPair({ seed: i + 1, players: 12 });
    const t1 = new Date(start + i * 25 * 60_000);
    const t2 = new Date(t1.getTime() + 12 * 60_000);
    const name = (t: Date, map: string, n: number) =>
      `${t
        .toISOString()
        .slice(0, 19)
        .replace('T', '-')
        .replace(/:/g, '')
        .replace(/-(\d{2})(\d{2})(\d{2})$/, '-$1$2$3')}-${map}-round-${n}.txt`;
    const map = pair.r1.fileName.replace(/^\d{4}-\d{2}-\d{2}-\d{6}-/, '').replace(/-round-\d\.txt$/, '');
    files.push(
      { fileName: name(t1, map, 1), bytes: pair.r1.bytes },
      { fileName: name(t2, map, 2), bytes: pair.r2.bytes },
    );
  }
  return files;
}

async function ingest(spec: StoreSpec, files: File[]): Promise<number> {
  const ledger = await openLedger(spec);
  try {
    const { ms } = await timed(async () => {
      for (let i = 0; i < files.length; i += 500) {
        const events = files.slice(i, i + 500).flatMap(
          (f) =>
            identifyFact({
              bytes: f.bytes,
              fileName: f.fileName,
              serverId: 'bench',
              tz: 'UTC',
              source: { kind: 'dir', ref: f.fileName },
              receivedAt: '2026-01-01T00:00:00.000Z',
              maxBytes: 1 << 20,
            }).events,
        );
        await ledger.store.appendFacts(events);
      }
      await projectAllToHead({
        db: ledger.db,
        store: ledger.store,
        log: createLogger('warn'),
        projections: (await loadProjections()).filter(
          (p) => !process.env.BENCH_PROJECTIONS || process.env.BENCH_PROJECTIONS.split(',').includes(p.name),
        ),
        progress: (l, t) => createProgress(l, t),
      });
    });
    const r = await ledger.db
      .query<{ n: number }>('select count(*)::int as n from read.rounds')
      .catch(() => ({ rows: [] as { n: number }[] }));
    if (r.rows[0] && r.rows[0].n !== files.length)
      console.error(`expected ${files.length} rounds, read model has ${r.rows[0]!.n}`);
    return ms;
  } finally {
    await ledger.close();
  }
}

export async function run(): Promise<void> {
  const count = Number(process.env.BENCH_INGEST_ROUNDS ?? 20_000);
  const files = history(count);
  const parse = await timed(async () => {
    for (const f of files) parseStatsFile(f.bytes, f.fileName);
  });
  const rows: Record<string, string | number>[] = [
    {
      what: 'parser alone',
      rounds: count,
      seconds: parse.ms / 1000,
      'rounds/s': Math.round((count / parse.ms) * 1000),
    },
  ];
  const pgdb = withBenchDatabase();
  if (pgdb) {
    try {
      const ms = await ingest({ kind: 'postgres', url: pgdb.url }, files);
      rows.push({
        what: 'ingest → PostgreSQL (all projections + correlator)',
        rounds: count,
        seconds: ms / 1000,
        'rounds/s': Math.round((count / ms) * 1000),
      });
    } finally {
      pgdb.drop();
    }
  }
  const small = files.slice(0, Math.max(2, Math.floor(count / 10 / 2) * 2));
  const folder = tempDir('ingest');
  try {
    const ms = await ingest({ kind: 'pglite', dir: folder.dir }, small);
    rows.push({
      what: 'ingest → PGlite (all projections + correlator)',
      rounds: small.length,
      seconds: ms / 1000,
      'rounds/s': Math.round((small.length / ms) * 1000),
    });
  } finally {
    folder.remove();
  }
  console.log(`\ningest of a generated history (12 players a round)\n`);
  table(rows);
  console.log('\ntarget: 20 000 rounds in ≤ 30 s on PostgreSQL');
}
