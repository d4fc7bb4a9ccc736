// Deterministic under crashes (DESIGN invariant 3 on EventStoreDB, catalog.sql pending_through): with
// the log outside the read-model database there is no shared transaction, so a batch's verdicts are
// appended before its checkpoint commits. A crash in between must leave no verdict that nothing
// supersedes: the retry re-reads the batch up to the same end, decides the same, appends the same ids.
// The log is the ESDB protocol double (tests/support/esdbDouble.ts) behind the real adapter; the
// read models are in PostgreSQL. The crash: the correlator's verdicts are really appended, then the
// append "fails" (the process dies) before the checkpoint transaction commits.
import { describe, expect, it } from 'vitest';
import { LedgerError } from '../../../src/errors.ts';
import { createLogger } from '../../../src/logger.ts';
import { activeBuild } from '../../../src/runtime/catalog.ts';
import { projectAllToHead } from '../../../src/runtime/ledgerRuntime.ts';
import type { EventStore, NewEvent, StoredEvent } from '../../../src/store/eventStore.ts';
import { type Ledger, openLedger } from '../../../src/store/openStore.ts';
import { freshPostgresUrl, postgresAvailable } from '../../support/databases.ts';
import { startEsdbDouble } from '../../support/esdbDouble.ts';
import {
  body,
  clockTick,
  eventsOf,
  file,
  localUnix,
  ownReport,
  projections,
  readVerdicts,
  statsFile,
} from '../../support/factBuilders.ts';

const silent = createLogger('silent');
const at = (t: string) => localUnix(`2026-08-19 ${t}`);
const fileOf = (f: { fileName: string; bytes: Uint8Array }) => file(f.fileName, f.bytes);

// Batch 1 (the one that crashes): two early ticks, report A (supply R1, no stats file yet) and stats
// file B of another round whose time carries the watermark past A's grace, so the StatsFileArrived
// run decides A LUA_ONLY. Batch 2, appended after the crash and before the retry: A's stats file
// (it joins A) and a late tick. A retry that read past batch 1's end would put B and A's file in one
// StatsFileArrived run and join A at once: the LUA_ONLY appended before the crash would stand nowhere
// and nothing would supersede it.
const BATCH_1: NewEvent[] = eventsOf([
  clockTick(at('21:00:00')),
  clockTick(at('21:10:00')),
  body(ownReport({ map: 'supply', round: 1, startUnix: at('21:30:00'), endUnix: at('21:40:00') })),
  fileOf(statsFile({ local: '2026-08-19 21:50:03', map: 'radar', round: 1, limit: '10:00', playtimeMs: 480_000 })),
]);
const BATCH_2: NewEvent[] = eventsOf([
  fileOf(statsFile({ local: '2026-08-19 21:40:03', map: 'supply', round: 1, playtimeMs: 600_000 })),
  clockTick(at('22:30:00')),
]);

type Crash = { thrown: number; appendedIds: string[] };

/** Delegates everything; the first append of verdicts is really made, then the process "dies". */
function crashingStore(store: EventStore, crash: Crash): EventStore {
  return {
    ...store,
    async appendFacts(events) {
      const out = await store.appendFacts(events);
      if (crash.thrown === 0 && events.some((e) => e.type === 'RoundTimingReconciled')) {
        crash.thrown++;
        crash.appendedIds = events.filter((e) => e.type === 'RoundTimingReconciled').map((e) => e.eventId);
        throw new LedgerError('STORE_UNAVAILABLE', 'simulated crash after the append, before the checkpoint', {
          retriable: true,
        });
      }
      return out;
    },
  };
}

const project = async (ledger: Pick<Ledger, 'db' | 'store'>, batchSize: number, names?: string[]) => {
  const all = await projections();
  await projectAllToHead({
    db: ledger.db,
    store: ledger.store,
    log: silent,
    batchSize,
    projections: names ? all.filter((p) => names.includes(p.name)) : all,
  });
};

const comparable = (rows: Awaited<ReturnType<typeof readVerdicts>>) =>
  rows.map(({ eventId: _e, position: _p, watermarkUnix: _w, supersedes: _s, ...v }) => v);

async function readLog(store: EventStore): Promise<StoredEvent[]> {
  return store.readAll(0, 10_000);
}

type Run = {
  verdicts: Awaited<ReturnType<typeof readVerdicts>>;
  log: StoredEvent[];
  generation: number;
  /** The correlator's own standing verdict per round key (its schema's `standing`, tombstones left out). */
  standing: Map<string, string>;
};

async function run(opts: { crash?: Crash; retryBatchSize: number }): Promise<Run & { pendingThrough: unknown }> {
  const double = await startEsdbDouble();
  const spec = { kind: 'eventstoredb' as const, url: double.url, readModelsUrl: await freshPostgresUrl('esdbcrash') };
  let pendingThrough: unknown = null;
  try {
    // Every projection active first: the crash hits the serving correlator build, as in production.
    let ledger = await openLedger(spec);
    try {
      await project(ledger, 1000);
      await ledger.store.appendFacts(BATCH_1);
      if (opts.crash) {
        const crashing = { db: ledger.db, store: crashingStore(ledger.store, opts.crash) };
        await expect(project(crashing, 1000, ['correlator'])).rejects.toThrow(/simulated crash/);
        const r = await ledger.db.query<{ pending_through: string | null }>(
          "select pending_through from ledger.projection_builds where name = 'correlator' and status = 'active'",
        );
        pendingThrough = r.rows[0]?.pending_through === null ? null : Number(r.rows[0]?.pending_through);
      } else await project(ledger, 1000);
    } finally {
      await ledger.close();
    }
    // The process restarts; more facts arrived meanwhile.
    ledger = await openLedger(spec);
    try {
      await ledger.store.appendFacts(BATCH_2);
      await project(ledger, opts.retryBatchSize);
      const build = (await activeBuild(ledger.db, 'correlator'))!;
      const rows = await ledger.db.query<{ round_key: string; event_id: string }>(
        `select round_key, event_id from "${build.schemaName}".standing where verdict is not null`,
      );
      return {
        verdicts: await readVerdicts(ledger.db),
        log: await readLog(ledger.store),
        generation: build.generation,
        standing: new Map(rows.rows.map((r) => [r.round_key, r.event_id])),
        pendingThrough,
      };
    } finally {
      await ledger.close();
    }
  } finally {
    await double.close();
  }
}

type Derived = { eventId: string; position: number; type: string; roundKey: string; supersedes: string[] };

/**
 * Verdicts of `generation` in the log that nothing supersedes (no later verdict or retraction of it
 * names them) and that are not the standing verdict of their round key, both in read.verdicts and
 * for the correlator itself (a verdict only read.verdicts shows is one the correlator never decided).
 */
function orphans({ verdicts, log, generation, standing: decided }: Run): Derived[] {
  const derived: Derived[] = log
    .filter((e) => e.type === 'RoundTimingReconciled' || e.type === 'RoundVerdictRetracted')
    .map((e) => ({ e, d: e.data as { generation: number; roundKey: string; supersedes: string[] } }))
    .filter(({ d }) => d.generation === generation)
    .map(({ e, d }) => ({
      eventId: e.eventId,
      position: e.position,
      type: e.type,
      roundKey: d.roundKey,
      supersedes: d.supersedes,
    }));
  const standing = new Map(verdicts.map((v) => [v.roundKey, v.eventId]));
  return derived.filter(
    (v) =>
      v.type === 'RoundTimingReconciled' &&
      (standing.get(v.roundKey) !== v.eventId || decided.get(v.roundKey) !== v.eventId) &&
      !derived.some((later) => later.position > v.position && later.supersedes.includes(v.eventId)),
  );
}

describe.skipIf(!postgresAvailable())('a crash between the verdicts append and the checkpoint (eventstoredb)', () => {
  // The verdicts a run without any crash ends with (batch 1 projected, then batch 2).
  let clean: Promise<Run> | null = null;
  const reference = () => (clean ??= run({ retryBatchSize: 1000 }));

  it('the clean run decides A LUA_ONLY, then joins it, and leaves no orphan', async () => {
    const ref = await reference();
    const supply = ref.verdicts.find((v) => v.map === 'supply')!;
    expect(supply).toMatchObject({
      status: 'ALIGNED',
      luaReportId: expect.any(String),
      statsFactId: expect.any(String),
    });
    const luaOnly = ref.log.filter(
      (e) => e.type === 'RoundTimingReconciled' && (e.data as { status: string }).status === 'LUA_ONLY',
    );
    expect(luaOnly).toHaveLength(1);
    expect(supply.supersedes).toContain(luaOnly[0]!.eventId);
    expect(orphans(ref)).toEqual([]);
  });

  // The crashed batch is 4 events (read with batch size 1000). The retry reads with a larger batch
  // (100) and with a smaller one (3: a first sub-batch ends inside the pinned range).
  // The retry reads the pinned range whole, whatever its batch size: positions on EventStoreDB are
  // sparse byte offsets, so only the position (not a count) bounds it.
  it.each([100, 3])(
    'the retry (batch size %i) re-decides batch 1 as it was: no orphan, same verdicts as the clean run',
    async (retryBatchSize) => {
      const crash: Crash = { thrown: 0, appendedIds: [] };
      const crashed = await run({ crash, retryBatchSize });
      // (3) The crash happened, after a real append, with the batch's end recorded.
      expect(crash.thrown).toBe(1);
      expect(crash.appendedIds).toHaveLength(1);
      const appended = crashed.log.find((e) => e.eventId === crash.appendedIds[0]);
      expect(appended?.data).toMatchObject({ status: 'LUA_ONLY', map: 'supply' });
      const batch1End = crashed.log.filter((e) => BATCH_1.some((b) => b.eventId === e.eventId)).at(-1)!.position;
      expect(crashed.pendingThrough).toBe(batch1End);
      // (1) Nothing appended before the crash is left standing nowhere.
      expect(orphans(crashed)).toEqual([]);
      // (2) The read model is the clean run's.
      expect(comparable(crashed.verdicts)).toEqual(comparable((await reference()).verdicts));
    },
  );
});
