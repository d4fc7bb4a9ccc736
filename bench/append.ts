// npm run bench -- append: facts/s appended (idempotent, commit-ordered) for batches of 1, 100 and
// 1 000, for PGlite and PostgreSQL, next to a bare COPY of the same rows into a plain table on the
// same engine in the same run; then readAll reads/s. Target: ≥ 20 000 facts/s batched into
// PostgreSQL and ≥ 40 % of bare COPY.
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { PGlite } from '@electric-sql/pglite';
import pg from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import { deterministicUuid } from '../src/events/ids.ts';
import type { EventStore, NewEvent } from '../src/store/eventStore.ts';
import { openLedger } from '../src/store/openStore.ts';
import { table, tempDir, timed, withBenchDatabase } from './support.ts';

const rawFile = new Uint8Array(Buffer.from(`${'Vektor\\0\\1\\2108 2 8 1 0 0 '.repeat(40)}\n`.slice(0, 1300)));

function facts(run: string, count: number): NewEvent[] {
  return Array.from({ length: count }, (_, i) => ({
    eventId: deterministicUuid('bench', `${run}/${i}`),
    streamId: `stats-bench/${run}/${i}`,
    type: 'StatsFileArrived',
    schemaVersion: 1,
    data: {
      serverId: 'bench',
      fileName: `2026-08-19-2141${String(i % 60).padStart(2, '0')}-supply-round-1.txt`,
      sizeBytes: rawFile.length,
    },
    raw: rawFile,
  }));
}

async function appendRate(store: EventStore, run: string, count: number, batch: number): Promise<number> {
  const all = facts(run, count);
  const { ms } = await timed(async () => {
    for (let i = 0; i < all.length; i += batch) await store.appendFacts(all.slice(i, i + batch));
  });
  return (count / ms) * 1000;
}

function copyText(run: string, count: number): string {
  const hex = `\\\\x${Buffer.from(rawFile).toString('hex')}`;
  return facts(run, count)
    .map((f, i) =>
      [i + 1, f.eventId, f.streamId, 0, f.type, 1, JSON.stringify(f.data).replace(/\\/g, '\\\\'), hex].join('\t'),
    )
    .join('\n')
    .concat('\n');
}

const plainTable =
  'create table copy_baseline (position bigint, event_id uuid, stream_id text, stream_version int, type text, schema_version int, data jsonb, raw bytea)';

async function postgresCopyRate(url: string, count: number): Promise<number> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query(plainTable);
    const text = copyText('copy', count);
    const { ms } = await timed(() =>
      pipeline(Readable.from([text]), client.query(copyFrom('copy copy_baseline from stdin'))),
    );
    return (count / ms) * 1000;
  } finally {
    await client.end();
  }
}

async function pgliteCopyRate(count: number): Promise<number> {
  const db = await PGlite.create();
  try {
    await db.exec(plainTable);
    const blob = new Blob([copyText('copy', count)]);
    const { ms } = await timed(() => db.query("copy copy_baseline from '/dev/blob'", [], { blob }));
    return (count / ms) * 1000;
  } finally {
    await db.close();
  }
}

export async function run(): Promise<void> {
  const rows: Record<string, string | number>[] = [];
  const sizes: [number, number][] = [
    [1, 1_000],
    [100, 20_000],
    [1000, 50_000],
  ];
  const engines: {
    name: string;
    open: () => Promise<{ store: EventStore; close: () => Promise<void>; copy: (n: number) => Promise<number> }>;
  }[] = [];
  const pgdb = withBenchDatabase();
  if (pgdb) {
    engines.push({
      name: 'postgres',
      open: async () => {
        const ledger = await openLedger({ kind: 'postgres', url: pgdb.url });
        return { store: ledger.store, close: () => ledger.close(), copy: (n) => postgresCopyRate(pgdb.url, n) };
      },
    });
  }
  const folder = tempDir('append');
  engines.push({
    name: 'pglite',
    open: async () => {
      const ledger = await openLedger({ kind: 'pglite', dir: folder.dir });
      return { store: ledger.store, close: () => ledger.close(), copy: pgliteCopyRate };
    },
  });
  const reads: Record<string, string | number>[] = [];
  try {
    for (const engine of engines) {
      const { store, close, copy } = await engine.open();
      try {
        await appendRate(store, 'warmup', 2_000, 500);
        const copyPerSec = await copy(50_000);
        for (const [batch, count] of sizes) {
          const perSec = await appendRate(store, `b${batch}`, count, batch);
          rows.push({
            engine: engine.name,
            batch,
            facts: count,
            'facts/s': Math.round(perSec),
            'bare COPY/s': Math.round(copyPerSec),
            'ratio to COPY': `${((perSec / copyPerSec) * 100).toFixed(1)} %`,
          });
        }
        const head = await store.headPosition();
        const { ms } = await timed(async () => {
          for (let after = 0; after < head; ) {
            const batch = await store.readAll(after, 1000);
            if (batch.length === 0) break;
            after = batch[batch.length - 1]!.position;
          }
        });
        reads.push({
          engine: engine.name,
          events: head,
          'readAll events/s': Math.round((head / ms) * 1000),
          'MB/s': ((head * rawFile.length) / 1e6 / (ms / 1000)).toFixed(1),
        });
      } finally {
        await close();
      }
    }
  } finally {
    folder.remove();
    pgdb?.drop();
  }
  console.log(`\nappend: ${rawFile.length}-byte raw facts, idempotent by event id, positions in commit order\n`);
  table(rows);
  console.log('\nreadAll in batches of 1 000\n');
  table(reads);
  console.log('\ntarget: ≥ 20 000 facts/s batched into PostgreSQL, ≥ 40 % of bare COPY');
}
