// npm run bench -- rebuild: events/s when rebuilding a real projection (lua-rounds' pauses table,
// a SQL fold the runtime runs in place over ledger.events) from 200 000 synthetic PauseRecorded
// facts in PostgreSQL, next to a bare COPY of the same rows in the same run: into a table shaped
// like the read model's (its primary key included — what any loader of these rows pays), and into
// a plain table without a key (the floor). Target: ≥ 50 % of COPY.
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import pg from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import { luaRounds } from '../projections/luaRounds.ts';
import { pauseIdentity } from '../src/events/ids.ts';
import { createLogger } from '../src/logger.ts';
import { activeBuild } from '../src/runtime/catalog.ts';
import { buildAndSwap, prepareRuntime } from '../src/runtime/ledgerRuntime.ts';
import { createProgress } from '../src/runtime/progress.ts';
import type { NewEvent } from '../src/store/eventStore.ts';
import { openLedger } from '../src/store/openStore.ts';
import { table, timed, withBenchDatabase } from './support.ts';

const COUNT = Number(process.env.BENCH_REBUILD_FACTS ?? 200_000);

function pauseFact(i: number): NewEvent {
  const startUnix = 1_787_000_000 + i * 60;
  const data = {
    serverId: `srv${i % 8}`,
    map: 'supply',
    round: 1 as const,
    roundStartUnix: startUnix - 100,
    roundEndUnix: null,
    startUnix,
    endUnix: startUnix + 30,
    sec: 30,
    source: { kind: 'http' as const, ref: '/v1/reports' },
    receivedAt: '2026-08-19T19:00:00.000Z',
  };
  return {
    ...pauseIdentity(data.serverId, 'supply', 1, startUnix),
    type: 'PauseRecorded',
    schemaVersion: 1,
    data,
    raw: new Uint8Array(Buffer.from(JSON.stringify(data))),
  };
}

export async function run(): Promise<void> {
  const db = withBenchDatabase();
  if (!db) return;
  const ledger = await openLedger({ kind: 'postgres', url: db.url });
  try {
    const facts = Array.from({ length: COUNT }, (_, i) => pauseFact(i));
    for (let i = 0; i < facts.length; i += 2000) await ledger.store.appendFacts(facts.slice(i, i + 2000));
    const deps = {
      db: ledger.db,
      store: ledger.store,
      log: createLogger('warn'),
      projections: [luaRounds],
      batchSize: 2000,
      progress: (l: string, t: number) => createProgress(l, t),
    };
    await prepareRuntime(deps);
    const rebuild = await timed(() => buildAndSwap(deps, luaRounds, { report: false, fresh: true }));
    const rows = await ledger.db.query<{ n: number }>('select count(*)::int as n from read.pauses');
    const client = new pg.Client({ connectionString: db.url });
    await client.connect();
    // The read model's own table (read.pauses is a view over it), so the copy pays for the same key.
    const own = (await activeBuild(ledger.db, luaRounds.name))!.schemaName;
    await client.query(`create table copy_keyed (like "${own}".pauses including all)`);
    await client.query('create table copy_plain (like read.pauses)');
    const text = `${facts
      .map((f) => {
        const d = f.data as {
          serverId: string;
          roundStartUnix: number;
          startUnix: number;
          endUnix: number;
          sec: number;
        };
        return [f.streamId, d.serverId, 'supply', 1, d.roundStartUnix, '\\N', d.startUnix, d.endUnix, d.sec].join('\t');
      })
      .join('\n')}\n`;
    const copyInto = (t: string) =>
      timed(() => pipeline(Readable.from([text]), client.query(copyFrom(`copy ${t} from stdin`))));
    const keyed = await copyInto('copy_keyed');
    const plain = await copyInto('copy_plain');
    await client.end();
    const rate = (ms: number) => (COUNT / ms) * 1000;
    console.log(`\nrebuild of lua-rounds from ${COUNT} PauseRecorded facts (PostgreSQL, in place)\n`);
    table([
      {
        what: 'rebuild (SQL fold over ledger.events, checkpoints)',
        rows: rows.rows[0]!.n,
        seconds: rebuild.ms / 1000,
        'events/s': Math.round(rate(rebuild.ms)),
      },
      {
        what: 'COPY of the same rows, keyed like the read model',
        rows: COUNT,
        seconds: keyed.ms / 1000,
        'events/s': Math.round(rate(keyed.ms)),
      },
      {
        what: 'COPY of the same rows, plain table (no key)',
        rows: COUNT,
        seconds: plain.ms / 1000,
        'events/s': Math.round(rate(plain.ms)),
      },
    ]);
    const pct = (ms: number) => ((rate(rebuild.ms) / rate(ms)) * 100).toFixed(1);
    console.log(
      `\nratio rebuild / keyed COPY: ${pct(keyed.ms)} %   (target ≥ 50 %)   rebuild / plain COPY: ${pct(plain.ms)} %`,
    );
  } finally {
    await ledger.close();
    db.drop();
  }
}
