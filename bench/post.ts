// npm run bench -- post: latency from a fact appended to the Discord request leaving, against the
// FAKE Discord of tests/support/discordFake.ts on loopback. Rounds cycle through 12 maps, 8 an
// evening (session summaries are posted in between, as in production). Each round: its Lua report is appended,
// then its stats file (the fact that completes the pair: the clock starts here); the clock stops
// when the fake has read the POST of the timing check and of the round summary. Rounds go one
// after another (an idle service, one round at a time), on PGlite and (when a server answers) PostgreSQL.
// Two drivers of the projections:
//   live   — runLive per projection, as `et-ledger run` does (each polls the head every 250 ms idle)
//   notify — one catch-up of all projections on every append notification (what LISTEN-driven
//            projections would give); the baseline the live figure is compared with.
// BENCH_POST_ROUNDS sets the rounds per driver (default 500).
import { readFileSync } from 'node:fs';
import { createLogger } from '../src/logger.ts';
import type { Build } from '../src/runtime/catalog.ts';
import { catchUp, ensureServing, projectAllToHead, runLive } from '../src/runtime/ledgerRuntime.ts';
import { loadProjections } from '../src/runtime/registry.ts';
import { startDiscordSink } from '../src/sinks/discord/discordSink.ts';
import { postRef } from '../src/sinks/discord/renderFormat.ts';
import { identifyFact } from '../src/sources/identifyFact.ts';
import { type Ledger, openLedger, type StoreSpec } from '../src/store/openStore.ts';
import { openPostgresDatabase } from '../src/store/postgresDatabase.ts';
import { openSqlEventStore } from '../src/store/sqlEventStore.ts';
import { startDiscordFake } from '../tests/support/discordFake.ts';
import { table, tempDir, withBenchDatabase } from './support.ts';

const statsTemplate = readFileSync(new URL('../samples/stats/2026-08-19-214136-supply-round-1.txt', import.meta.url));
const luaTemplate = readFileSync(
  new URL('../samples/lua-legacy/01-supply-R1-objective-two-pauses.json', import.meta.url),
  'utf8',
);
const templateEnd = 1787168493;
const rounds = Number(process.env.BENCH_POST_ROUNDS ?? 500);
const roundsChannel = '1012345678901234568';
const timingChannel = '1012345678901234569';

const maps = [
  'supply',
  'te_escape2',
  'etl_adlernest',
  'etl_frostbite',
  'sp_delivery_te',
  'etl_ice',
  'bremen_b3',
  'missile_b3',
  'decay_sw',
  'erdenberg_t2',
  'karsiah_te2',
  'braundorf_b4',
];
const roundsPerEvening = 8;

/**
 * Round i: the sample supply R1 on map i mod 12, the (i mod 8)th round of an evening 15 min apart,
 * one evening a day (so sessions end and their summaries are posted too); the file is written 3 s
 * after the Lua end, zone UTC.
 */
function roundFacts(i: number) {
  const map = maps[i % maps.length]!;
  const shift = Math.floor(i / roundsPerEvening) * 86_400 + (i % roundsPerEvening) * 900;
  const lua = luaTemplate.replace(/1787\d{6}/g, (t) => String(Number(t) + shift)).replace(/supply/g, map);
  const stats = new TextEncoder().encode(
    new TextDecoder('latin1').decode(statsTemplate).replace('\\supply\\', `\\${map}\\`),
  );
  const fileTime = new Date((templateEnd + shift + 3) * 1000).toISOString();
  const fileName = `${fileTime.slice(0, 10)}-${fileTime.slice(11, 19).replace(/:/g, '')}-${map}-round-1.txt`;
  const arrival = { serverId: 'bench', tz: 'UTC', receivedAt: fileTime, maxBytes: 1 << 20 };
  const luaFact = identifyFact({
    ...arrival,
    bytes: new TextEncoder().encode(lua),
    fileName: `lua-${i}.json`,
    source: { kind: 'http', ref: `/lua/${i}` },
  });
  const statsFact = identifyFact({ ...arrival, bytes: stats, fileName, source: { kind: 'dir', ref: fileName } });
  return { lua: luaFact.events, stats: statsFact.events, statsKey: statsFact.events[0].eventId };
}

const percentile = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)] ?? Number.NaN;
};

/** PostgreSQL with a pool that fits 6 runLive lock sessions, the sink's 2 connections and the work. */
async function openBenchLedger(spec: StoreSpec): Promise<Ledger> {
  if (spec.kind !== 'postgres') return openLedger(spec);
  const db = await openPostgresDatabase(spec.url, { max: 20 });
  const store = await openSqlEventStore(db);
  return { db, store, spec, close: () => store.close() };
}

async function measure(driver: 'live' | 'notify', spec: StoreSpec, count: number) {
  const fake = await startDiscordFake();
  fake.addChannel(roundsChannel);
  fake.addChannel(timingChannel);
  const ledger = await openBenchLedger(spec);
  const log = createLogger('warn');
  const deps = { db: ledger.db, store: ledger.store, log, projections: await loadProjections() };
  await projectAllToHead(deps);
  const arrived = new Map<string, number>();
  fake.hook = (req) => {
    const footer = JSON.stringify(req.body?.embeds ?? '');
    const ref = /ref ([0-9a-f]{20})/.exec(footer)?.[1];
    if (req.method === 'POST' && ref) arrived.set(ref, req.atMs);
    return 'answer';
  };
  const sink = startDiscordSink({
    db: ledger.db,
    config: {
      token: fake.token,
      guildId: null,
      channels: { rounds: roundsChannel, timing: timingChannel },
      api: fake.api,
      postMaxAgeSec: 0,
    },
    log,
  });
  let stopDriver: () => Promise<void>;
  if (driver === 'live') {
    const runners = deps.projections.map((p) => runLive(deps, p));
    stopDriver = async () => {
      for (const r of runners) await r.stop();
    };
  } else {
    const builds = new Map<string, Build>();
    for (const p of deps.projections) builds.set(p.name, await ensureServing(deps, p));
    // Every projection to the head, again while appends (verdicts, new facts) keep coming.
    const catchUpAll = async () => {
      let head: number;
      do {
        head = await ledger.store.headPosition();
        for (const p of deps.projections) await catchUp(deps, p, builds.get(p.name)!);
      } while ((await ledger.store.headPosition()) !== head);
    };
    let running = Promise.resolve();
    let again = false;
    let busy = false;
    const kick = () => {
      if (busy) {
        again = true;
        return;
      }
      busy = true;
      running = (async () => {
        do {
          again = false;
          await catchUpAll().catch((e) => console.error(`catch-up failed: ${(e as Error).message}`));
        } while (again);
        busy = false;
      })();
    };
    const unlisten = await ledger.db.listen('ledger_events', kick);
    stopDriver = async () => {
      await unlisten();
      await running;
    };
  }
  const timing: number[] = [];
  const summary: number[] = [];
  let missed = 0;
  try {
    for (let i = 0; i < count; i++) {
      const f = roundFacts(i + 1);
      await ledger.store.appendFacts(f.lua);
      await new Promise((r) => setTimeout(r, 20));
      const t0 = Number(process.hrtime.bigint()) / 1e6;
      await ledger.store.appendFacts(f.stats);
      const refs = [postRef(f.statsKey, 'timing-check'), postRef(f.statsKey, 'round-summary')];
      const deadline = Date.now() + 10_000;
      while (!refs.every((r) => arrived.has(r)) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 2));
      if (!refs.every((r) => arrived.has(r))) missed++;
      if (arrived.has(refs[0]!)) timing.push(arrived.get(refs[0]!)! - t0);
      if (arrived.has(refs[1]!)) summary.push(arrived.get(refs[1]!)! - t0);
    }
  } finally {
    await stopDriver();
    await sink.stop();
    await ledger.close();
    await fake.close();
  }
  return { timing, summary, missed };
}

export async function run(): Promise<void> {
  const rows: Record<string, string | number>[] = [];
  const stores: { name: string; open: () => { spec: StoreSpec; drop: () => void } | null }[] = [
    {
      name: 'pglite',
      open: () => {
        const t = tempDir('post');
        return { spec: { kind: 'pglite', dir: t.dir }, drop: t.remove };
      },
    },
    {
      name: 'postgres',
      open: () => {
        const db = withBenchDatabase();
        return db && { spec: { kind: 'postgres', url: db.url }, drop: db.drop };
      },
    },
  ];
  for (const store of stores)
    for (const driver of ['notify', 'live'] as const) {
      const opened = store.open();
      if (!opened) continue;
      let r: Awaited<ReturnType<typeof measure>>;
      try {
        r = await measure(driver, opened.spec, rounds);
      } finally {
        opened.drop();
      }
      for (const [what, xs] of [
        ['timing check', r.timing],
        ['round summary', r.summary],
      ] as const)
        rows.push({
          store: store.name,
          driver,
          post: what,
          rounds: xs.length,
          'p50 ms': percentile(xs, 50),
          'p99 ms': percentile(xs, 99),
          'max ms': Math.max(...xs),
          missed: r.missed,
        });
    }
  table(rows);
  console.log('target: p99 ≤ 200 ms from the fact appended to the request leaving');
}
