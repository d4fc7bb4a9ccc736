// A SQL fold has two feeders: in place over ledger.events (the log shares the read models'
// database) and from decoded events (another store, a replay filter, or events stored in an older
// schema version, upcast first). Both must give the same rows, in the same order, as the log order
// across TypeScript handlers and SQL folds of one projection.
import { rmSync } from 'node:fs';
import { describe, expect, it, onTestFinished } from 'vitest';
import { luaRounds } from '../../../projections/luaRounds.ts';
import { clockTickIdentity, pauseIdentity } from '../../../src/events/ids.ts';
import { createLogger } from '../../../src/logger.ts';
import { sharesDatabase } from '../../../src/runtime/applyRange.ts';
import { ensureServing, prepareRuntime, type RuntimeDeps } from '../../../src/runtime/ledgerRuntime.ts';
import { defineProjection, sqlFold } from '../../../src/runtime/projection.ts';
import type { EventStore, NewEvent } from '../../../src/store/eventStore.ts';
import { type Ledger, openLedger } from '../../../src/store/openStore.ts';
import { freshPgliteDir, freshPostgresUrl, postgresAvailable } from '../../support/databases.ts';

// `seq` numbers rows in the order they were written: equal to log order only if runs are applied in order.
const mixed = defineProjection({
  name: 'mixed',
  version: 1,
  schemaSql: async () => `create table seq (
      n bigserial primary key, position bigint not null, kind text not null, server_id text not null, at_unix bigint not null)`,
  tables: { seq: { key: ['n'] } },
  on: {
    ClockTicked: sqlFold(`
      insert into seq (position, kind, server_id, at_unix)
      select position, 'tick', data->>'serverId', (data->>'atUnix')::bigint from events order by position`),
    PauseRecorded: async (items, { tx }) => {
      for (const { event, meta } of items)
        await tx.query('insert into seq (position, kind, server_id, at_unix) values ($1, $2, $3, $4)', [
          meta.position,
          'pause',
          event.data.serverId,
          event.data.startUnix,
        ]);
    },
  },
});

const T = 1_787_000_000;
function tick(i: number, version: 1 | 2): NewEvent {
  const at = T + i * 30;
  return {
    ...clockTickIdentity('eu1', at),
    type: 'ClockTicked',
    schemaVersion: version,
    data: version === 2 ? { serverId: 'eu1', atUnix: at } : { server: 'eu1', at: new Date(at * 1000).toISOString() },
  };
}
function pause(i: number): NewEvent {
  const start = T + i * 30 + 1;
  const data = {
    serverId: 'eu1',
    map: 'supply',
    round: 1,
    roundStartUnix: null,
    roundEndUnix: null,
    startUnix: start,
    endUnix: start + 10,
    sec: 10,
    source: { kind: 'http', ref: '/v1/reports' },
    receivedAt: '2026-08-19T19:00:00.000Z',
  };
  return { ...pauseIdentity('eu1', 'supply', 1, start), type: 'PauseRecorded', schemaVersion: 1, data };
}

/** Interleaved types, long runs, and an old-version stretch in the middle. */
const history = (): NewEvent[] =>
  Array.from({ length: 600 }, (_, i) => {
    if (i % 7 === 3 || (i > 300 && i < 320)) return pause(i);
    return tick(i, i >= 200 && i < 260 ? 1 : 2);
  });

async function project(ledger: Ledger, store: EventStore = ledger.store) {
  const deps: RuntimeDeps = {
    db: ledger.db,
    store,
    log: createLogger('silent'),
    projections: [mixed],
    batchSize: 16,
  };
  await prepareRuntime(deps);
  await ensureServing(deps, mixed);
  return (
    await ledger.db.query<Record<string, unknown>>('select position, kind, server_id, at_unix from read.seq order by n')
  ).rows;
}

/** The same store without its database handle: the runtime cannot tell it shares one. */
const opaque = (store: EventStore): EventStore => ({
  kind: store.kind,
  append: store.append.bind(store),
  appendFacts: store.appendFacts.bind(store),
  readStream: store.readStream.bind(store),
  readAll: store.readAll.bind(store),
  headPosition: store.headPosition.bind(store),
  subscribe: store.subscribe.bind(store),
  close: store.close.bind(store),
});

describe('SQL folds', () => {
  it.runIf(postgresAvailable())(
    'lua-rounds pauses: every field from the fact, the same through both feeders',
    async () => {
      const facts = [
        pause(1),
        {
          ...pause(2),
          data: { ...(pause(2).data as object), roundStartUnix: T - 600, roundEndUnix: T + 900, sec: 12.5 },
        },
      ];
      const tables = [];
      for (const feed of ['in place', 'decoded'] as const) {
        const ledger = await openLedger({
          kind: 'postgres',
          url: await freshPostgresUrl(`pauses_${feed.replace(' ', '_')}`),
        });
        onTestFinished(() => ledger.close());
        await ledger.store.appendFacts(facts);
        const deps: RuntimeDeps = {
          db: ledger.db,
          store: feed === 'in place' ? ledger.store : opaque(ledger.store),
          log: createLogger('silent'),
          projections: [luaRounds],
        };
        await prepareRuntime(deps);
        await ensureServing(deps, luaRounds);
        tables.push((await ledger.db.query('select * from read.pauses order by start_unix')).rows);
      }
      expect(tables[0]).toEqual(tables[1]);
      expect(tables[0]).toEqual([
        {
          pause_id: facts[0]!.streamId,
          server_id: 'eu1',
          map: 'supply',
          round: 1,
          round_start_unix: null,
          round_end_unix: null,
          start_unix: T + 31,
          end_unix: T + 41,
          sec: 10,
        },
        {
          pause_id: facts[1]!.streamId,
          server_id: 'eu1',
          map: 'supply',
          round: 1,
          round_start_unix: T - 600,
          round_end_unix: T + 900,
          start_unix: T + 61,
          end_unix: T + 71,
          sec: 12.5,
        },
      ]);
    },
  );

  it.runIf(postgresAvailable())(
    'in place and from decoded events give the same rows in log order (PostgreSQL)',
    async () => {
      const results = [];
      for (const feed of ['in place', 'decoded'] as const) {
        const ledger = await openLedger({
          kind: 'postgres',
          url: await freshPostgresUrl(`fold_${feed.replace(' ', '_')}`),
        });
        onTestFinished(() => ledger.close());
        await ledger.store.appendFacts(history());
        const store = feed === 'in place' ? ledger.store : opaque(ledger.store);
        expect(sharesDatabase(store, ledger.db)).toBe(feed === 'in place');
        results.push(await project(ledger, store));
      }
      const [inPlace, decoded] = results;
      expect(inPlace).toHaveLength(600);
      expect(inPlace).toEqual(decoded);
      const positions = inPlace!.map((r) => Number(r.position));
      expect(positions).toEqual([...positions].sort((a, b) => a - b));
      // The v1 ticks were upcast: same server and time as a v2 tick would carry.
      const v1 = inPlace!.filter(
        (r) => r.kind === 'tick' && Number(r.at_unix) >= T + 200 * 30 && Number(r.at_unix) < T + 260 * 30,
      );
      const oldTicks = Array.from({ length: 60 }, (_, k) => 200 + k).filter((i) => i % 7 !== 3).length;
      expect(v1).toHaveLength(oldTicks);
      expect(v1.every((r) => r.server_id === 'eu1')).toBe(true);
    },
  );

  it('in place on PGlite (one session: the run reads happen inside the transaction)', async () => {
    const dir = freshPgliteDir();
    const ledger = await openLedger({ kind: 'pglite', dir });
    onTestFinished(async () => {
      await ledger.close();
      rmSync(dir, { recursive: true, force: true });
    });
    await ledger.store.appendFacts(history());
    const rows = await project(ledger);
    expect(rows).toHaveLength(600);
    expect(rows.map((r) => Number(r.position))).toEqual(
      Array.from({ length: 600 }, (_, i) => (rows[0]!.position as number) + i).map(Number),
    );
  });
});
