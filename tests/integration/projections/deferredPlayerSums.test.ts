// A build catching up defers its player sums and sums every round once at the log's head
// (projections/support/deferredPlayerSums.ts, src/runtime/caughtUp.ts). Those sums must be the ones
// the batches keep, to the last row, along the change path: the same facts ingested in several
// runs in another order (each round's sums kept batch by batch, verdicts correcting times after
// their rounds), a build stopped short of the head (its sums still deferred, its rounds readable),
// and a crash inside the bulk work (nothing of it kept, done again by the next catch-up).
import { describe, expect, it, onTestFinished } from 'vitest';
import { createLogger } from '../../../src/logger.ts';
import { activeBuild, type Build, createBuild } from '../../../src/runtime/catalog.ts';
import { settle } from '../../../src/runtime/caughtUp.ts';
import { buildScratch, catchUp } from '../../../src/runtime/ledgerRuntime.ts';
import type { Projection } from '../../../src/runtime/projection.ts';
import { findProjection } from '../../../src/runtime/registry.ts';
import type { Ledger } from '../../../src/store/openStore.ts';
import { ident, type SqlDatabase, type SqlExecutor } from '../../../src/store/sqlDatabase.ts';
import { postgresAvailable } from '../../support/databases.ts';
import {
  appendFacts,
  type Fact,
  feed,
  GUIDS,
  openTestLedger,
  project,
  projections,
  type StatsPlayerSpec,
  sampleEvening,
  statsFile,
} from '../../support/factBuilders.ts';

const SUMS = ['player_round_sums', 'player_days', 'player_totals'] as const;

/** Three more evenings around the sample's: a player renamed from day to day and within a day, one with two lines in a round. */
function otherDays(): Fact[] {
  const players = (name: string, extra: Partial<StatsPlayerSpec> = {}): StatsPlayerSpec[] => [
    { guid8: GUIDS.Vektor.slice(0, 8), name, team: 1, damage: 1200, timeSec: 540, kills: 7, deaths: 3, ...extra },
    { guid8: GUIDS.n0va.slice(0, 8), name: 'n0va', team: 1, damage: 800, timeSec: 534, kills: 4, deaths: 5 },
    { guid8: GUIDS.Oskar.slice(0, 8), name: 'Oskar', team: 2, damage: 950, timeSec: 540, kills: 5, deaths: 6 },
  ];
  return [
    statsFile({ local: '2026-08-12 21:10:00', map: 'supply', round: 1, players: players('Vektor') }),
    statsFile({ local: '2026-08-12 21:25:00', map: 'supply', round: 2, players: players('^1Vek^7tor') }),
    statsFile({ local: '2026-08-12 23:58:00', map: 'radar', round: 1, players: players('Vek') }),
    statsFile({
      local: '2026-08-26 20:40:00',
      map: 'te_escape2',
      round: 1,
      players: [...players('Vektor*'), { ...players('Vektor*')[0]!, name: 'Vektor again', damage: 40, timeSec: 60 }],
    }),
  ];
}

const facts = (): Fact[] => [...sampleEvening(), ...otherDays()];

/** Every row of the three sum tables of a schema, as text, in key order. */
async function sumsIn(db: SqlExecutor, schema: string): Promise<Record<string, string[]>> {
  const out: Record<string, string[]> = {};
  for (const table of SUMS)
    out[table] = (
      await db.query<{ row: string }>(`select to_jsonb(t)::text as row from ${ident(schema)}.${table} t order by 1`)
    ).rows.map((r) => r.row);
  return out;
}

async function deferred(db: SqlExecutor, schema: string): Promise<boolean> {
  return (await db.query(`select 1 from ${ident(schema)}.player_sums_deferred`)).rows.length > 0;
}

async function roundsOf(): Promise<Projection> {
  return findProjection(await projections(), 'rounds');
}

/** A second rounds build beside the active one, reading the active correlator generation's verdicts. */
async function newRoundsBuild(ledger: Ledger): Promise<Build> {
  const correlator = (await activeBuild(ledger.db, 'correlator'))!;
  return createBuild(ledger.db, await roundsOf(), 'building', correlator.generation);
}

const deps = async (ledger: Ledger, db: SqlDatabase = ledger.db) => ({
  db,
  store: ledger.store,
  log: createLogger('silent'),
  projections: await projections(),
  batchSize: 7,
});

/** The database, with every statement `fails` picks inside a transaction rejected as a lost connection. */
function failingOn(db: SqlDatabase, fails: (sql: string) => boolean): SqlDatabase {
  const bound = <T extends object>(target: T, overrides: Partial<T>): T =>
    new Proxy(target, {
      get: (t, key) => {
        if (key in overrides) return overrides[key as keyof T];
        const v = Reflect.get(t, key);
        return typeof v === 'function' ? v.bind(t) : v;
      },
    });
  return bound(db, {
    transaction: <T>(work: (tx: SqlExecutor) => Promise<T>) =>
      db.transaction((tx) =>
        work(
          bound(tx, {
            query: ((sql: string, params?: readonly unknown[]) =>
              fails(sql)
                ? Promise.reject(new Error('connection lost'))
                : tx.query(sql, params)) as SqlExecutor['query'],
          }),
        ),
      ),
  });
}

async function opened(label: string): Promise<Ledger> {
  const ledger = await openTestLedger('postgres', label);
  onTestFinished(() => ledger.close());
  return ledger;
}

describe.runIf(postgresAvailable())('player sums deferred while a build catches up (postgres)', () => {
  it('summed once at the head, they equal the sums kept batch by batch over several ingests in another order', async () => {
    const bulk = await opened('sums_bulk');
    await appendFacts(bulk.store, facts());
    await project(bulk); // one catch-up: nothing summed until the head, then everything at once

    const batches = await opened('sums_batches');
    await project(batches); // the builds reach the head of an empty log: their sums are kept from here on
    const reversed = facts().reverse();
    for (let i = 0; i < reversed.length; i += 4) await feed(batches, reversed.slice(i, i + 4));

    const schemaOf = async (l: Ledger) => (await activeBuild(l.db, 'rounds'))!.schemaName;
    const [bulkSchema, batchSchema] = [await schemaOf(bulk), await schemaOf(batches)];
    expect(await deferred(bulk.db, bulkSchema)).toBe(false);
    expect(await deferred(batches.db, batchSchema)).toBe(false);
    const want = await sumsIn(batches.db, batchSchema);
    expect(await sumsIn(bulk.db, bulkSchema)).toEqual(want);

    // What the comparison covers: every sum table filled, names that changed, the verdicts' corrected times.
    expect(want.player_round_sums!.length).toBeGreaterThan(40);
    const vektor = want.player_totals!.map((r) => JSON.parse(r)).find((r) => r.guid8 === GUIDS.Vektor.slice(0, 8));
    expect(vektor.last_name).toBe('Vektor*');
    const days = want.player_days!.map((r) => JSON.parse(r)).filter((r) => r.guid8 === GUIDS.Vektor.slice(0, 8));
    expect(days.map((d) => d.last_name)).toContain('Vek');
    const corrected = await bulk.db.query<{ n: number }>(
      `select count(*)::int as n from ${ident(bulkSchema)}.guid_links where corrected_time_sec is not null`,
    );
    expect(corrected.rows[0]!.n).toBeGreaterThan(10);
  });

  it('a build stopped short of the head keeps its sums deferred; the next catch-up to the head sums them', async () => {
    const ledger = await opened('sums_short');
    await feed(ledger, facts());
    const active = (await activeBuild(ledger.db, 'rounds'))!;
    const build = await newRoundsBuild(ledger);
    const half = Math.floor((await ledger.store.headPosition()) / 2);
    await catchUp(await deps(ledger), await roundsOf(), build, { until: half });

    expect(build.position).toBe(half);
    expect(await deferred(ledger.db, build.schemaName)).toBe(true);
    const rows = await ledger.db.query(`select count(*)::int as n from ${ident(build.schemaName)}.player_rows`);
    expect(rows.rows[0]!.n).toBeGreaterThan(0);
    for (const [table, got] of Object.entries(await sumsIn(ledger.db, build.schemaName)))
      expect(got, table).toEqual([]);

    await catchUp(await deps(ledger), await roundsOf(), build);
    expect(await deferred(ledger.db, build.schemaName)).toBe(false);
    expect(await sumsIn(ledger.db, build.schemaName)).toEqual(await sumsIn(ledger.db, active.schemaName));
  });

  it('a scratch build as of a position (export --as-of) holds the sums of that position', async () => {
    const ledger = await opened('sums_as_of');
    await feed(ledger, facts());
    const half = Math.floor((await ledger.store.headPosition()) / 2);
    const scratch = await buildScratch(await deps(ledger), await roundsOf(), { until: half });
    onTestFinished(scratch.drop);
    expect(await deferred(ledger.db, scratch.build.schemaName)).toBe(false);
    const got = await sumsIn(ledger.db, scratch.build.schemaName);
    expect(got.player_totals!.length).toBeGreaterThan(0);

    // The same position reached by a build that then went on batch by batch: its sums as they stood there.
    const build = await newRoundsBuild(ledger);
    await catchUp(await deps(ledger), await roundsOf(), build, { until: 0 });
    await settle(ledger.db, await roundsOf(), build); // at position 0: nothing to sum, kept batch by batch from here
    await catchUp(await deps(ledger), await roundsOf(), build, { until: half });
    expect(await deferred(ledger.db, build.schemaName)).toBe(false);
    expect(got).toEqual(await sumsIn(ledger.db, build.schemaName));
  });

  it('a crash inside the bulk work keeps none of it; the next catch-up sums them all', async () => {
    const ledger = await opened('sums_crash');
    await feed(ledger, facts());
    const active = (await activeBuild(ledger.db, 'rounds'))!;
    const build = await newRoundsBuild(ledger);
    // The database fails the totals' insert, after the contributions and days were written.
    const failing = failingOn(ledger.db, (sql) => sql.trimStart().startsWith('insert into player_totals'));
    await expect(catchUp(await deps(ledger, failing), await roundsOf(), build)).rejects.toThrow('connection lost');
    expect(build.position).toBe(await ledger.store.headPosition());
    expect(await deferred(ledger.db, build.schemaName)).toBe(true);
    for (const [table, got] of Object.entries(await sumsIn(ledger.db, build.schemaName)))
      expect(got, table).toEqual([]);

    await catchUp(await deps(ledger), await roundsOf(), build);
    expect(await deferred(ledger.db, build.schemaName)).toBe(false);
    expect(await sumsIn(ledger.db, build.schemaName)).toEqual(await sumsIn(ledger.db, active.schemaName));
  });
});
