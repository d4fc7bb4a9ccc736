// A group rebuild (a processor and its followers, side by side on PostgreSQL's connections) that
// fails must not return while a member is still folding: that member would race the next attempt
// on the same build (its checkpoint moving under it), as scenario 17 once showed in CI.
import { expect, it } from 'vitest';
import { createLogger } from '../../../src/logger.ts';
import { buildAndSwap, ensureServing, prepareRuntime, type RuntimeDeps } from '../../../src/runtime/ledgerRuntime.ts';
import { defineProjection } from '../../../src/runtime/projection.ts';
import { openLedger } from '../../../src/store/openStore.ts';
import { freshPostgresUrl, postgresAvailable } from '../../support/databases.ts';
import { tallyProjection, ticks } from '../../support/tallyProjection.ts';

it.skipIf(!postgresAvailable())(
  'a failed group rebuild returns only once every member has stopped: nothing keeps folding behind the caller',
  async () => {
    const ledger = await openLedger({ kind: 'postgres', url: await freshPostgresUrl('group') });
    let inFlight = 0;
    let batches = 0;
    const lead = (version: number, failOnAtUnix?: number) => ({
      ...tallyProjection(version, failOnAtUnix === undefined ? {} : { failOnAtUnix }),
      name: 'lead',
      emits: ['RoundTimingReconciled'] as const,
    });
    const slowFollower = defineProjection({
      name: 'slow-follower',
      version: 1,
      follows: 'lead',
      schemaSql: async () => 'create table slow_seen (n int);',
      tables: { slow_seen: { key: [] } },
      on: {
        ClockTicked: async () => {
          inFlight++;
          batches++;
          // Long enough that the leader's failure comes while this batch is still being folded.
          await new Promise((resolve) => setTimeout(resolve, 300));
          inFlight--;
        },
      },
    });
    const deps = (leader: ReturnType<typeof lead>): RuntimeDeps => ({
      db: ledger.db,
      store: ledger.store,
      log: createLogger('silent'),
      projections: [leader, slowFollower],
      batchSize: 50,
    });
    try {
      await ledger.store.appendFacts(ticks('eu1', 1_700_000_000, 100));
      await prepareRuntime(deps(lead(1)));
      await ensureServing(deps(lead(1)), lead(1));
      await ensureServing(deps(lead(1)), slowFollower);
      batches = 0;
      const failing = lead(2, 1_700_000_000);
      await expect(buildAndSwap(deps(failing), failing, { report: false })).rejects.toThrow(/simulated bug/);
      expect(batches).toBeGreaterThan(0); // the follower was building beside the leader
      expect(inFlight).toBe(0);
    } finally {
      await ledger.close();
    }
  },
);
