// One store option of `npm run bench -- embedded`, in its own process (so no other option's heap
// or WebAssembly memory counts here): first start into an empty folder (openLedger done: schema
// ready; for `embedded`, openLedger({ kind: 'embedded', dir }) as the product opens it: initdb,
// the database, the server started as our child through setpriv, the schema), idle footprint, an
// ingest of generated rounds through the production path as bench/ingest.ts does it (identifyFact →
// append in batches of 500 → a ClockTicked per server → projectAllToHead with every projection and
// the correlator; generating the files is not timed), its peak footprint, and the idle footprint
// after it. A footprint is this process's tree (bench/embedded/processTree.ts ownGroups: node, and
// for `embedded` the postmaster and its backends; not tsx's esbuild helper). Prints one
// `RESULT {…}` line. Started by bench/embedded.ts with BENCH_EMBEDDED_CASE=OPTION:ROUNDS,
// BENCH_EMBEDDED_DIR (an empty folder) and, for the machine's server, BENCH_EMBEDDED_URL.
import { setTimeout as sleep } from 'node:timers/promises';
import { clockTickIdentity } from '../../src/events/ids.ts';
import { createLogger } from '../../src/logger.ts';
import { projectAllToHead } from '../../src/runtime/ledgerRuntime.ts';
import { loadProjections } from '../../src/runtime/registry.ts';
import type { NewEvent } from '../../src/store/eventStore.ts';
import { openLedger, type StoreSpec } from '../../src/store/openStore.ts';
import { factsOfFiles, filesInTimeOrder, type HistoryFile } from '../histories.ts';
import { buildHistory } from '../historyShapes.ts';
import { PGLITE_TUNED, pgliteGrowth, pgliteMemoryMb, wrapPgliteCreate } from './pgliteTuning.ts';
import { ownGroups, type Split, splitFootprint, watchPeak } from './processTree.ts';

export const OPTIONS = ['pglite', 'pglite-tuned', 'embedded', 'postgres'] as const;
export type Option = (typeof OPTIONS)[number];

export type StoreResult = {
  option: Option;
  rounds: number;
  firstStartS: number;
  idleOpen: Split;
  ingestS: number;
  peak: Split;
  idleAfter: Split;
  wasmMb: { open: number | null; after: number | null };
  wasmGrowth: { sql: string; mb: number; times: number }[];
  readRounds: number;
};

const BATCH = 500;

export async function measureStore(option: Option, rounds: number, dir: string, idleS: number): Promise<StoreResult> {
  if (option === 'pglite') wrapPgliteCreate({});
  if (option === 'pglite-tuned') wrapPgliteCreate(PGLITE_TUNED, { initdbApart: true });
  const spec: StoreSpec =
    option === 'embedded'
      ? { kind: 'embedded', dir }
      : option === 'postgres'
        ? { kind: 'postgres', url: process.env.BENCH_EMBEDDED_URL ?? '' }
        : { kind: 'pglite', dir };
  const t0 = performance.now();
  const ledger = await openLedger(spec);
  const firstStartS = (performance.now() - t0) / 1000;
  const groups = () => ownGroups(process.pid);
  const now = () => {
    const g = groups();
    return splitFootprint(g.node, g.server);
  };
  try {
    await sleep(idleS * 1000);
    const idleOpen = now();
    const wasmOpen = pgliteMemoryMb();

    const nowMs = Date.now();
    const history = buildHistory('weekly', rounds, nowMs);
    const files = filesInTimeOrder(history.plays, history.servers, history.pool);
    const receivedAt = new Date(nowMs).toISOString();
    const peak = watchPeak(groups, 200);
    let ingestMs = 0;
    for (;;) {
      const batch: HistoryFile[] = [];
      for (let f = files.next(); !f.done; f = files.next()) {
        batch.push(f.value);
        if (batch.length === BATCH) break;
      }
      if (batch.length === 0) break;
      const t = performance.now();
      const facts = factsOfFiles(batch, receivedAt);
      await ledger.store.appendFacts(facts);
      ingestMs += performance.now() - t;
    }
    const t = performance.now();
    const atUnix = Math.floor(nowMs / 1000);
    await ledger.store.appendFacts(
      history.servers.map(
        (s): NewEvent => ({
          ...clockTickIdentity(s.id, atUnix),
          type: 'ClockTicked',
          schemaVersion: 2,
          data: { serverId: s.id, atUnix },
        }),
      ),
    );
    await projectAllToHead({
      db: ledger.db,
      store: ledger.store,
      log: createLogger('warn'),
      projections: await loadProjections(),
    });
    ingestMs += performance.now() - t;
    const peakFootprint = peak.stop();
    const r = await ledger.db.query<{ n: number }>('select count(*)::int as n from read.rounds');

    await sleep(idleS * 1000);
    return {
      option,
      rounds,
      firstStartS,
      idleOpen,
      ingestS: ingestMs / 1000,
      peak: peakFootprint,
      idleAfter: now(),
      wasmMb: { open: wasmOpen, after: pgliteMemoryMb() },
      wasmGrowth: pgliteGrowth().slice(0, 4),
      readRounds: Number(r.rows[0]?.n ?? 0),
    };
  } finally {
    await ledger.close(); // for `embedded`: the pool, then the server (a fast shutdown)
  }
}

if (process.env.BENCH_EMBEDDED_CASE) {
  const [option, rounds] = process.env.BENCH_EMBEDDED_CASE.split(':');
  const result = await measureStore(
    option as Option,
    Number(rounds),
    process.env.BENCH_EMBEDDED_DIR ?? '',
    Number(process.env.BENCH_EMBEDDED_IDLE_S ?? 5),
  );
  console.log(`RESULT ${JSON.stringify(result)}`);
  process.exit(0); // whatever a driver left scheduled
}
