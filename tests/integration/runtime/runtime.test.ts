import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { describe, expect, it, onTestFinished } from 'vitest';
import { createLogger } from '../../../src/logger.ts';
import { activeBuild, listBuilds } from '../../../src/runtime/catalog.ts';
import { listDeadLetters, POISON_ATTEMPTS } from '../../../src/runtime/deadLetters.ts';
import { diffBuilds } from '../../../src/runtime/diffBuilds.ts';
import {
  buildAndSwap,
  buildScratch,
  catchUp,
  ensureServing,
  prepareRuntime,
  projectAllToHead,
  type RuntimeDeps,
  runLive,
} from '../../../src/runtime/ledgerRuntime.ts';
import { type Ledger, openLedger } from '../../../src/store/openStore.ts';
import { freshPostgresUrl, postgresAvailable } from '../../support/databases.ts';
import { tallyProjection, ticks } from '../../support/tallyProjection.ts';

const worker = fileURLToPath(new URL('../../support/projectWorker.ts', import.meta.url));
const silent = createLogger(process.env.TEST_LOG ?? 'silent');

function deps(ledger: Ledger, projection = tallyProjection(), batchSize = 100): RuntimeDeps {
  return { db: ledger.db, store: ledger.store, log: silent, projections: [projection], batchSize };
}

async function tableRows(ledger: Ledger, table: string, key: string) {
  return (await ledger.db.query(`select * from read.${table} order by ${key}`)).rows;
}

async function appendTicks(ledger: Ledger, servers: string[], perServer: number) {
  for (const s of servers)
    for (let i = 0; i < perServer; i += 1000)
      await ledger.store.appendFacts(ticks(s, 1_700_000_000 + i, Math.min(1000, perServer - i)));
}

describe.skipIf(!postgresAvailable())('projection runtime on PostgreSQL', () => {
  it('a projection killed with SIGKILL at 50 random instants while facts keep arriving ends equal, row for row, to one clean run', async () => {
    const url = await freshPostgresUrl('crash');
    const ledger = await openLedger({ kind: 'postgres', url });
    try {
      await appendTicks(ledger, ['eu1', 'eu2'], 10_000);
      let seed = 42;
      const random = () => {
        seed = (seed * 1103515245 + 12345) % 2 ** 31;
        return seed / 2 ** 31;
      };
      let killedMidWork = 0;
      for (let k = 0; k < 50; k++) {
        // New facts before every start, so each child has work to be killed in (not only its start-up).
        await ledger.store.appendFacts(ticks('eu3', 1_700_000_000 + k * 200, 200));
        const child = spawn(process.execPath, ['--import', 'tsx', worker, url, 'catch-up', '10'], { stdio: 'ignore' });
        const exited = once(child, 'exit');
        await new Promise((r) => setTimeout(r, 300 + random() * 900));
        if (child.exitCode === null) {
          child.kill('SIGKILL');
          killedMidWork++;
        }
        await exited;
      }
      const finish = spawn(process.execPath, ['--import', 'tsx', worker, url, 'catch-up', '50'], { stdio: 'inherit' });
      const [code] = await once(finish, 'exit');
      expect(code).toBe(0);
      expect(killedMidWork, `${killedMidWork} of 50 children were still running when killed`).toBeGreaterThan(10);
      const d = deps(ledger);
      const scratch = await buildScratch(d, tallyProjection(), {});
      const active = (await activeBuild(ledger.db, 'tally'))!;
      expect(active.position).toBe(await ledger.store.headPosition());
      const diff = await diffBuilds(ledger.db, tallyProjection(), scratch.build.schemaName, active.schemaName);
      expect(diff.map((t) => [t.table, t.added, t.removed, t.changed])).toEqual([
        ['ticks', 0, 0, 0],
        ['tallies', 0, 0, 0],
      ]);
      expect(await tableRows(ledger, 'tallies', 'server_id')).toEqual([
        { server_id: 'eu1', n: 10_000, sum_at: 10_000 * 1_700_000_000 + (9_999 * 10_000) / 2, last_position: 10_000 },
        { server_id: 'eu2', n: 10_000, sum_at: 10_000 * 1_700_000_000 + (9_999 * 10_000) / 2, last_position: 20_000 },
        { server_id: 'eu3', n: 10_000, sum_at: 10_000 * 1_700_000_000 + (9_999 * 10_000) / 2, last_position: 30_000 },
      ]);
      await scratch.drop();
    } finally {
      await ledger.close();
    }
  }, 300_000);

  it('two runner processes: one leads, the other waits and takes over when the leader dies', async () => {
    const url = await freshPostgresUrl('leader');
    const ledger = await openLedger({ kind: 'postgres', url });
    const children: ReturnType<typeof spawn>[] = [];
    try {
      await appendTicks(ledger, ['eu1'], 2_000);
      const start = () => {
        const child = spawn(process.execPath, ['--import', 'tsx', worker, url, 'live'], {
          stdio: ['ignore', 'pipe', 'inherit'],
        });
        let out = '';
        child.stdout!.on('data', (b) => {
          out += b;
        });
        children.push(child);
        return { child, leads: () => out.includes('leading projection') };
      };
      const a = start();
      await expect.poll(() => a.leads(), { timeout: 30_000 }).toBe(true);
      const b = start();
      await expect.poll(async () => (await activeBuild(ledger.db, 'tally'))?.position, { timeout: 30_000 }).toBe(2_000);
      await new Promise((r) => setTimeout(r, 2_000));
      expect(b.leads()).toBe(false);
      a.child.kill('SIGKILL');
      await expect.poll(() => b.leads(), { timeout: 30_000 }).toBe(true);
      await appendTicks(ledger, ['eu2'], 1_000);
      await expect.poll(async () => (await activeBuild(ledger.db, 'tally'))?.position, { timeout: 30_000 }).toBe(3_000);
      expect(await tableRows(ledger, 'tallies', 'server_id')).toMatchObject([
        { server_id: 'eu1', n: 2_000 },
        { server_id: 'eu2', n: 1_000 },
      ]);
    } finally {
      for (const c of children) if (c.exitCode === null) c.kill('SIGKILL');
      await ledger.close();
    }
  }, 120_000);

  it('a rebuild while appends continue: readers never see an empty or shrinking table, and the new version has every event', async () => {
    const url = await freshPostgresUrl('rebuild');
    const ledger = await openLedger({ kind: 'postgres', url });
    try {
      await appendTicks(ledger, ['eu1'], 5_000);
      const v1 = deps(ledger, tallyProjection(1));
      await prepareRuntime(v1);
      await ensureServing(v1, tallyProjection(1));
      let stop = false;
      const counts: number[] = [];
      const reader = (async () => {
        while (!stop)
          counts.push(
            Number((await ledger.db.query<{ n: number }>('select count(*)::int as n from read.ticks')).rows[0]!.n),
          );
      })();
      let appended = 5_000;
      const writer = (async () => {
        while (!stop) {
          await ledger.store.appendFacts(ticks('eu2', 1_800_000_000 + appended, 100));
          appended += 100;
          await new Promise((r) => setTimeout(r, 20));
        }
      })();
      const v2 = deps(ledger, tallyProjection(2));
      const result = await buildAndSwap(v2, tallyProjection(2), { report: true });
      stop = true;
      await Promise.all([reader, writer]);
      expect(counts.length).toBeGreaterThan(10);
      expect(Math.min(...counts)).toBeGreaterThanOrEqual(5_000);
      for (let i = 1; i < counts.length; i++) expect(counts[i]!).toBeGreaterThanOrEqual(counts[i - 1]!);
      expect(result.previous?.version).toBe(1);
      expect(result.diff?.find((t) => t.table === 'ticks')?.removed).toBe(0);
      const active = (await activeBuild(ledger.db, 'tally'))!;
      expect(active.version).toBe(2);
      await catchUp(v2, tallyProjection(2), active);
      expect(
        Number((await ledger.db.query<{ n: number }>('select count(*)::int as n from read.ticks')).rows[0]!.n),
      ).toBe(await ledger.store.headPosition());
      // The old version's schema is gone; only one build remains.
      expect((await listBuilds(ledger.db)).map((b) => b.status)).toEqual(['active']);
    } finally {
      await ledger.close();
    }
  }, 120_000);

  it('an interrupted rebuild leaves the old version serving and is resumed by the next rebuild', async () => {
    const url = await freshPostgresUrl('resume');
    const ledger = await openLedger({ kind: 'postgres', url });
    try {
      await appendTicks(ledger, ['eu1'], 3_000);
      const v1 = deps(ledger, tallyProjection(1));
      await prepareRuntime(v1);
      await ensureServing(v1, tallyProjection(1));
      const failing = deps(ledger, tallyProjection(2, { failOnAtUnix: 1_700_001_500 }));
      await expect(
        buildAndSwap(failing, tallyProjection(2, { failOnAtUnix: 1_700_001_500 }), { report: false }),
      ).rejects.toThrow(/simulated bug/);
      expect((await activeBuild(ledger.db, 'tally'))!.version).toBe(1);
      const builds = await listBuilds(ledger.db);
      const interrupted = builds.find((b) => b.status === 'building')!;
      expect(interrupted.position).toBeGreaterThan(0);
      expect(interrupted.position).toBeLessThan(3_000);
      const fixed = await buildAndSwap(deps(ledger, tallyProjection(2)), tallyProjection(2), { report: false });
      expect(fixed.build.schemaName).toBe(interrupted.schemaName);
      expect(fixed.applied).toBe(3_000 - interrupted.position);
      expect(await tableRows(ledger, 'tallies', 'server_id')).toMatchObject([{ server_id: 'eu1', n: 3_000 }]);
    } finally {
      await ledger.close();
    }
  }, 120_000);

  it('projecting the same log twice gives identical tables', async () => {
    const url = await freshPostgresUrl('determinism');
    const ledger = await openLedger({ kind: 'postgres', url });
    try {
      await appendTicks(ledger, ['eu1', 'eu2', 'eu3'], 700);
      const d = deps(ledger, tallyProjection(), 77);
      const a = await buildScratch(d, tallyProjection(), {});
      const b = await buildScratch({ ...d, batchSize: 1000 }, tallyProjection(), {});
      const diff = await diffBuilds(ledger.db, tallyProjection(), a.build.schemaName, b.build.schemaName);
      expect(diff.every((t) => t.added + t.removed + t.changed === 0)).toBe(true);
      expect(diff.map((t) => t.table)).toEqual(['ticks', 'tallies']);
      await a.drop();
      await b.drop();
    } finally {
      await ledger.close();
    }
  }, 60_000);

  it('a transient failure is retried with back-off, never skipped, and does not stop another projection', async () => {
    const url = await freshPostgresUrl('failing');
    const ledger = await openLedger({ kind: 'postgres', url });
    try {
      await appendTicks(ledger, ['eu1'], 500);
      const broken = { ...tallyProjection(1, { failOnAtUnix: 1_700_000_100, transient: true }) };
      const healthy = { ...tallyProjection(1), name: 'tally-healthy', tables: {} };
      const d: RuntimeDeps = { ...deps(ledger), projections: [broken, healthy] };
      await prepareRuntime(d);
      const runners = [
        runLive(d, broken as never, { retryInitialMs: 20, retryMaxMs: 100 }),
        runLive(d, healthy as never),
      ];
      onTestFinished(() => Promise.all(runners.map((r) => r.stop())).then(() => {}));
      await expect
        .poll(async () => (await activeBuild(ledger.db, 'tally-healthy'))?.position ?? 0, { timeout: 30_000 })
        .toBe(500);
      await expect
        .poll(async () => (await listBuilds(ledger.db)).find((b) => b.name === 'tally')?.failures ?? 0, {
          timeout: 30_000,
        })
        .toBeGreaterThan(2);
      const brokenBuild = (await listBuilds(ledger.db)).find((b) => b.name === 'tally')!;
      // The batches before the failing event are kept; the failing one is retried, never skipped.
      expect(brokenBuild.position).toBe(100);
      expect(brokenBuild.status).toBe('building');
      expect(brokenBuild.lastError).toMatch(/simulated serialization failure/);
      expect(await listDeadLetters(ledger.db)).toEqual([]);
      await Promise.all(runners.map((r) => r.stop()));
    } finally {
      await ledger.close();
    }
  }, 60_000);

  it('a poison event is retried a bounded number of times, recorded as a dead letter and skipped', async () => {
    const url = await freshPostgresUrl('poison');
    const ledger = await openLedger({ kind: 'postgres', url });
    try {
      await appendTicks(ledger, ['eu1'], 500);
      const poisoned = tallyProjection(1, { failOnAtUnix: 1_700_000_100 });
      const d: RuntimeDeps = { ...deps(ledger), projections: [poisoned] };
      await prepareRuntime(d);
      const runner = runLive(d, poisoned, { retryInitialMs: 20, retryMaxMs: 100 });
      onTestFinished(() => runner.stop());
      await expect
        .poll(async () => (await activeBuild(ledger.db, 'tally'))?.position ?? 0, { timeout: 30_000 })
        .toBe(500);
      const dead = await listDeadLetters(ledger.db);
      expect(dead.map((x) => [x.projection, x.version, x.eventType, x.state, x.attempts])).toEqual([
        ['tally', 1, 'ClockTicked', 'skipped', POISON_ATTEMPTS],
      ]);
      expect(dead[0]!.error).toBe('tally: simulated bug');
      // Only the poison event is missing: every other tick counted exactly once.
      const t = await ledger.db.query<{ n: string }>('select n from read.tallies');
      expect(Number(t.rows[0]!.n)).toBe(499);
      // A rebuild with the same bug fails fast, naming the event; the serving build stays.
      await expect(
        buildAndSwap(d, tallyProjection(2, { failOnAtUnix: 1_700_000_100 }), { report: false }),
      ).rejects.toThrow(new RegExp(`ClockTicked ${dead[0]!.eventId} at position ${dead[0]!.position}`));
      expect((await activeBuild(ledger.db, 'tally'))?.version).toBe(1);
      // New code that meets the same poison by itself (ingest, run): the new version stops, the
      // old one keeps serving, and every other projection goes on.
      const healthy = { ...tallyProjection(1), name: 'tally-healthy', tables: {} };
      const bumped = { ...d, projections: [tallyProjection(2, { failOnAtUnix: 1_700_000_100 }), healthy] };
      await runner.stop();
      await projectAllToHead(bumped);
      expect((await activeBuild(ledger.db, 'tally'))?.version).toBe(1);
      expect((await activeBuild(ledger.db, 'tally-healthy'))?.position).toBe(500);
      // Fixed: the rebuild applies the event, and the dead letter goes with the old build.
      await buildAndSwap(d, tallyProjection(2), { report: false });
      expect(await listDeadLetters(ledger.db)).toEqual([]);
      expect(Number((await ledger.db.query<{ n: string }>('select n from read.tallies')).rows[0]!.n)).toBe(500);
    } finally {
      await ledger.close();
    }
  }, 60_000);
});
