// The same runtime guarantees on the embedded store: rebuild with swap, resume, determinism.
import { rmSync } from 'node:fs';
import { expect, it } from 'vitest';
import { createLogger } from '../../../src/logger.ts';
import { activeBuild, listBuilds } from '../../../src/runtime/catalog.ts';
import { diffBuilds } from '../../../src/runtime/diffBuilds.ts';
import {
  buildAndSwap,
  buildScratch,
  ensureServing,
  prepareRuntime,
  type RuntimeDeps,
} from '../../../src/runtime/ledgerRuntime.ts';
import { openLedger } from '../../../src/store/openStore.ts';
import { freshPgliteDir } from '../../support/databases.ts';
import { tallyProjection, ticks } from '../../support/tallyProjection.ts';

it('pglite: builds, rebuilds with an atomic swap, resumes an interrupted build, and projects deterministically', async () => {
  const dir = freshPgliteDir();
  const ledger = await openLedger({ kind: 'pglite', dir });
  const deps = (version: number, opts = {}): RuntimeDeps => ({
    db: ledger.db,
    store: ledger.store,
    log: createLogger('silent'),
    projections: [tallyProjection(version, opts)],
    batchSize: 100,
  });
  try {
    await ledger.store.appendFacts(ticks('eu1', 1_700_000_000, 1_000));
    await prepareRuntime(deps(1));
    await ensureServing(deps(1), tallyProjection(1));
    expect((await ledger.db.query('select n from read.tallies')).rows).toEqual([{ n: 1_000 }]);

    const failing = tallyProjection(2, { failOnAtUnix: 1_700_000_500 });
    await expect(buildAndSwap(deps(2), failing, { report: false })).rejects.toThrow(/simulated bug/);
    expect((await activeBuild(ledger.db, 'tally'))!.version).toBe(1);
    expect((await ledger.db.query('select n from read.tallies')).rows).toEqual([{ n: 1_000 }]);

    await ledger.store.appendFacts(ticks('eu2', 1_800_000_000, 200));
    const result = await buildAndSwap(deps(2), tallyProjection(2), { report: true });
    expect(result.build.position).toBe(1_200);
    expect(result.diff?.find((t) => t.table === 'tallies')).toMatchObject({ added: 1, removed: 0, changed: 0 });
    expect((await ledger.db.query('select server_id, n from read.tallies order by server_id')).rows).toEqual([
      { server_id: 'eu1', n: 1_000 },
      { server_id: 'eu2', n: 200 },
    ]);
    expect((await listBuilds(ledger.db)).map((b) => [b.version, b.status])).toEqual([[2, 'active']]);

    const a = await buildScratch(deps(2), tallyProjection(2), {});
    const diff = await diffBuilds(ledger.db, tallyProjection(2), a.build.schemaName, result.build.schemaName);
    expect(diff.every((t) => t.added + t.removed + t.changed === 0)).toBe(true);
    await a.drop();
  } finally {
    await ledger.close();
    rmSync(dir, { recursive: true, force: true });
  }
}, 120_000);
