// The live tail reads only the event types a projection handles (issue 17): raw stats bytes never
// reach a projection that counts ticks; a projection whose types never occur still moves its
// checkpoint to the head instead of reading the log again; and a projection followed live ends with
// the same rows and checkpoint as one caught up in one go.
import { describe, expect, it, onTestFinished } from 'vitest';
import { createLogger } from '../../../src/logger.ts';
import { activeBuild } from '../../../src/runtime/catalog.ts';
import { prepareRuntime, projectAllToHead, type RuntimeDeps, runLive } from '../../../src/runtime/ledgerRuntime.ts';
import { defineProjection, type Projection } from '../../../src/runtime/projection.ts';
import type { EventStore, NewEvent } from '../../../src/store/eventStore.ts';
import type { Ledger } from '../../../src/store/openStore.ts';
import { postgresAvailable } from '../../support/databases.ts';
import {
  body,
  file,
  identify,
  localUnix,
  openTestLedger,
  ownReport,
  pauseRecord,
  projections,
  readModel,
  statsFile,
} from '../../support/factBuilders.ts';
import { tallyProjection, ticks } from '../../support/tallyProjection.ts';

const KIND = postgresAvailable() ? 'postgres' : 'pglite';
const silent = createLogger('silent');

/** The store as the runners see it, counting what each read hands over. */
function countingStore(store: EventStore) {
  const seen = { readAllCalls: 0, rawBytes: 0, types: new Set<string>(), afters: [] as number[] };
  const counted: EventStore = Object.create(store);
  counted.readAll = async (after, limit) => {
    seen.readAllCalls++;
    const events = await store.readAll(after, limit);
    for (const e of events) seen.rawBytes += e.raw?.byteLength ?? 0;
    return events;
  };
  counted.readTypes = async (after, through, types, limit) => {
    seen.afters.push(after);
    for (const t of types) seen.types.add(t);
    const events = await store.readTypes!(after, through, types, limit);
    for (const e of events) seen.rawBytes += e.raw?.byteLength ?? 0;
    return events;
  };
  return { counted, seen };
}

/** An evening's worth of facts of every kind: stats files (bytes), reports, pauses, ticks. */
function facts(part: number): NewEvent[] {
  const out: NewEvent[] = [];
  for (let i = 0; i < 12; i++) {
    const local = `2026-09-0${part} 20:${String(i * 4).padStart(2, '0')}:03`;
    const f = statsFile({ local, map: i % 2 ? 'supply' : 'radar', round: 1, playtimeMs: 200_000 });
    out.push(...identify(file(f.fileName, f.bytes)));
    const end = localUnix(local) - 3;
    const pause = { startUnix: end - 100, endUnix: end - 90, sec: 10 };
    out.push(
      ...identify(
        body(
          ownReport({ map: i % 2 ? 'supply' : 'radar', round: 1, startUnix: end - 200, endUnix: end, pauses: [pause] }),
        ),
      ),
      ...identify(
        body(pauseRecord({ map: i % 2 ? 'supply' : 'radar', round: 1, roundStartUnix: end - 200, ...pause })),
      ),
    );
  }
  out.push(...ticks('eu1', localUnix(`2026-09-0${part} 23:00:00`), 5));
  return out;
}

const never = defineProjection({
  name: 'never-linked',
  version: 1,
  schemaSql: async () => 'create table links (id text primary key);',
  tables: { links: { key: ['id'] } },
  on: { AccountLinked: async () => {} },
});

async function position(ledger: Ledger, name: string) {
  return (await activeBuild(ledger.db, name))?.position ?? -1;
}

describe('the live tail reads only the types each projection handles (issue 17)', () => {
  it(`reaches the head with the same rows and checkpoint, reading no bytes it does not need (${KIND})`, async () => {
    const live = await openTestLedger(KIND, 'livetypes');
    const once = await openTestLedger(KIND, 'livetypes');
    onTestFinished(async () => {
      await live.close();
      await once.close();
    });
    const luaRounds = (await projections()).find((p) => p.name === 'lua-rounds')!;
    const tally = tallyProjection();
    const { counted, seen } = countingStore(live.store);
    const deps: RuntimeDeps = {
      db: live.db,
      store: counted,
      log: silent,
      projections: [luaRounds, tally, never],
      batchSize: 7,
    };
    await prepareRuntime(deps);
    const runners = [luaRounds, tally, never].map((p) => runLive(deps, p as Projection));
    onTestFinished(() => Promise.all(runners.map((r) => r.stop())).then(() => {}));

    // Serving before the first fact: everything after it is the live tail's to read.
    for (const name of ['lua-rounds', 'tally', 'never-linked'])
      await expect.poll(() => position(live, name), { timeout: 30_000 }).toBe(0);
    for (let part = 1; part <= 3; part++) {
      await live.store.appendFacts(facts(part));
      await once.store.appendFacts(facts(part));
      const head = await live.store.headPosition();
      for (const name of ['lua-rounds', 'tally', 'never-linked'])
        await expect.poll(() => position(live, name), { timeout: 30_000 }).toBe(head);
    }
    await Promise.all(runners.map((r) => r.stop()));

    // No live read of the whole log: each projection asked for its own types, stats bytes for none.
    expect(seen.readAllCalls).toBe(0);
    expect([...seen.types].sort()).toEqual(['AccountLinked', 'ClockTicked', 'LuaRoundEnded', 'PauseRecorded']);
    const logged = await live.store.readAll(0, 10_000);
    const needed = logged.filter((e) => e.type === 'LuaRoundEnded' || e.type === 'PauseRecorded');
    expect(logged.some((e) => e.type === 'StatsFileArrived')).toBe(true);
    expect(seen.rawBytes).toBe(needed.reduce((n, e) => n + (e.raw?.byteLength ?? 0), 0));
    // The projection whose type never occurs read each stretch of the log once, never from the start again.
    const restarts = seen.afters.filter((a) => a === 0).length;
    expect(restarts).toBeLessThanOrEqual(3);

    await projectAllToHead({ db: once.db, store: once.store, log: silent, projections: [luaRounds, tally, never] });
    expect(await position(once, 'lua-rounds')).toBe(await position(live, 'lua-rounds'));
    for (const table of ['lua_round_teams', 'lua_round_players', 'pauses'])
      expect(await readModel(live.db, table)).toEqual(await readModel(once.db, table));
    const tallies = async (l: Ledger) => (await l.db.query('select server_id, n, sum_at from read.tallies')).rows;
    expect(await tallies(live)).toEqual(await tallies(once));
  }, 120_000);

  it(`caught up, every follower of the process shares one head reading (${KIND})`, async () => {
    const ledger = await openTestLedger(KIND, 'sharedhead');
    onTestFinished(() => ledger.close());
    const all = [...(await projections()), tallyProjection(), never] as Projection[];
    let headReads = 0;
    const counted: EventStore = Object.create(ledger.store);
    counted.headPosition = () => {
      headReads++;
      return ledger.store.headPosition();
    };
    const deps: RuntimeDeps = { db: ledger.db, store: counted, log: silent, projections: all };
    await prepareRuntime(deps);
    await ledger.store.appendFacts(facts(1));
    const head = await ledger.store.headPosition();
    const runners = all.map((p) => runLive(deps, p));
    onTestFinished(() => Promise.all(runners.map((r) => r.stop())).then(() => {}));
    for (const p of all) await expect.poll(() => position(ledger, p.name), { timeout: 60_000 }).toBeGreaterThan(0);

    // Idle: each follower polls every 250 ms; on its own, each would read the head itself.
    const before = headReads;
    const t0 = Date.now();
    await new Promise((r) => setTimeout(r, 1500));
    const reads = headReads - before;
    const elapsed = Date.now() - t0;
    expect(all.length).toBeGreaterThanOrEqual(7);
    expect(reads).toBeLessThanOrEqual(Math.ceil(elapsed / 200) + 2);

    // And news still reaches every one of them.
    await ledger.store.appendFacts(facts(2));
    const after = await ledger.store.headPosition();
    expect(after).toBeGreaterThan(head);
    for (const name of ['lua-rounds', 'tally', 'never-linked'])
      await expect.poll(() => position(ledger, name), { timeout: 30_000 }).toBe(after);
  }, 120_000);
});
