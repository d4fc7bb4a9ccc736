// The folder watcher on real folders, appending to a real PostgreSQL log.
import { execFileSync } from 'node:child_process';
import {
  appendFileSync,
  mkdirSync,
  mkdtempSync,
  renameSync,
  rmSync,
  symlinkSync,
  utimesSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { LedgerError } from '../../../src/errors.ts';
import { createMetrics, type LedgerMetrics } from '../../../src/metrics.ts';
import { createDirWatcher, type DirWatcherOptions } from '../../../src/sources/dirWatcher.ts';
import { openSqlCursorStore } from '../../../src/sources/fileCursor.ts';
import type { NewEvent } from '../../../src/store/eventStore.ts';
import type { Ledger } from '../../../src/store/openStore.ts';
import { postgresAvailable } from '../../support/databases.ts';
import {
  captureLog,
  expectNoFactHolds,
  facts,
  openPostgresLedger,
  ownRoundReport,
  sleep,
  statsFile,
  waitFor,
} from './support.ts';

const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

function folder(): string {
  const d = mkdtempSync(join(tmpdir(), 'etl-watch-'));
  dirs.push(d);
  return d;
}

async function harness(label: string, watched: string[], o: Partial<DirWatcherOptions> = {}) {
  const ledger = await openPostgresLedger(label);
  const cursors = await openSqlCursorStore(ledger.db);
  const appendCalls: NewEvent[][] = [];
  const log = captureLog();
  const options = (more: Partial<DirWatcherOptions> = {}): DirWatcherOptions => ({
    append: (events) => {
      appendCalls.push(events);
      return ledger.store.appendFacts(events);
    },
    log: log.log,
    metrics: createMetrics(),
    serverId: 'eu1',
    tz: 'Europe/Ljubljana',
    dirs: watched,
    cursors,
    maxFileBytes: 16 * 1024 * 1024,
    stableMs: 400,
    scanIntervalMs: 100,
    ...o,
    ...more,
  });
  return { ledger, appendCalls, log, options };
}

const count = async (ledger: Ledger, type?: string) => (await facts(ledger, type)).length;

const skippedCount = async (m: LedgerMetrics, reason: string) =>
  (await m.sourceSkipped.get()).values.find((v) => v.labels.reason === reason && v.labels.source === 'dir')?.value ?? 0;

describe.skipIf(!postgresAvailable())('folder watcher', () => {
  it('catches up at start on files that arrived while it was down, then appends new ones', async () => {
    const dir = folder();
    const old = Date.now() / 1000 - 3600;
    for (let i = 0; i < 3; i++) {
      const f = join(dir, `2026-08-19-2100${i}0-supply-round-1.txt`);
      writeFileSync(f, statsFile(`old${i}`));
      utimesSync(f, old, old);
    }
    const h = await harness('dir_catchup', [dir]);
    const watcher = createDirWatcher(h.options());
    try {
      await watcher.start();
      expect(await count(h.ledger, 'StatsFileArrived')).toBe(3); // the first listing took them: their mtime is old
      writeFileSync(join(dir, '2026-08-19-220000-supply-round-2.txt'), statsFile('new'));
      await waitFor('the new file', async () => (await count(h.ledger)) === 4);
      const names = (await facts(h.ledger)).map((f) => f.data.fileName);
      expect(names).toContain('2026-08-19-220000-supply-round-2.txt');
    } finally {
      await watcher.stop();
      await h.ledger.close();
    }
  });

  it('after a restart reads only what is new (cursor), and re-reads a file that changed', async () => {
    const dir = folder();
    const old = Date.now() / 1000 - 3600;
    const a = join(dir, '2026-08-19-210000-supply-round-1.txt');
    writeFileSync(a, statsFile('a'));
    utimesSync(a, old, old);
    const h = await harness('dir_restart', [dir]);
    const first = createDirWatcher(h.options());
    await first.start();
    await first.stop();
    expect(h.appendCalls).toHaveLength(1);

    const b = join(dir, '2026-08-19-211000-supply-round-2.txt');
    writeFileSync(b, statsFile('b'));
    utimesSync(b, old, old);
    const second = createDirWatcher(h.options());
    try {
      await second.start();
      expect(h.appendCalls).toHaveLength(2);
      expect(h.appendCalls[1]![0]!.data).toMatchObject({ fileName: '2026-08-19-211000-supply-round-2.txt' });
      writeFileSync(a, statsFile('a, rewritten'));
      await waitFor('the changed file', async () => (await count(h.ledger)) === 3);
    } finally {
      await second.stop();
      await h.ledger.close();
    }
  });

  it('does not take a half-written file until its size has been still for the stable time', async () => {
    const dir = folder();
    const h = await harness('dir_half', [dir]);
    const watcher = createDirWatcher(h.options());
    await watcher.start();
    try {
      const name = join(dir, '2026-08-19-223000-supply-round-1.txt');
      const full = statsFile('half', 100_000);
      writeFileSync(name, full.subarray(0, 2000));
      for (let at = 2000; at < full.length; at += 5000) {
        await sleep(60); // well inside the 400 ms stable time, while the watcher lists every 100 ms
        appendFileSync(name, full.subarray(at, Math.min(full.length, at + 5000)));
      }
      expect(h.appendCalls).toHaveLength(0);
      await waitFor('the finished file', async () => (await count(h.ledger)) === 1);
      const [fact] = await facts(h.ledger);
      expect(fact!.raw!.equals(full)).toBe(true);
      await sleep(500);
      expect(h.appendCalls).toHaveLength(1);
    } finally {
      await watcher.stop();
      await h.ledger.close();
    }
  });

  it('takes a file renamed into place, never the temporary name or curl exit markers', async () => {
    const spool = folder();
    const h = await harness('dir_rename', [spool]);
    const watcher = createDirWatcher(h.options());
    await watcher.start();
    try {
      const tmp = join(spool, '2026-08-19-214737-supply-round-1.lua.json.tmp');
      writeFileSync(tmp, ownRoundReport('eu1', 1787168493));
      await sleep(600);
      expect(h.appendCalls).toHaveLength(0);
      renameSync(tmp, join(spool, '2026-08-19-214737-supply-round-1.lua.json'));
      writeFileSync(join(spool, '2026-08-19-214737-supply-round-1.lua.json.1a2b3c4d.1.exit'), '0 200\n');
      writeFileSync(join(spool, '.hidden-editor-file'), 'x');
      await waitFor('the report', async () => (await count(h.ledger)) === 1);
      await sleep(600);
      const all = await facts(h.ledger);
      expect(all.map((f) => f.type)).toEqual(['LuaRoundEnded']);
      expect(all[0]!.data).toMatchObject({ serverId: 'eu1', roundEndUnix: 1787168493 });
    } finally {
      await watcher.stop();
      await h.ledger.close();
    }
  });

  it('keeps an unknown file in quarantine with its reason, and a name that is not UTF-8', async () => {
    const dir = folder();
    const h = await harness('dir_odd', [dir]);
    const old = Date.now() / 1000 - 3600;
    const latin1Name = Buffer.concat([
      Buffer.from(`${dir}/notes-`),
      Buffer.from([0xe9]),
      Buffer.from('t\xe9.txt', 'latin1'),
    ]);
    writeFileSync(latin1Name, 'not a stats file\n');
    utimesSync(latin1Name, old, old);
    const watcher = createDirWatcher(h.options());
    try {
      await watcher.start();
      const [fact] = await facts(h.ledger, 'UnrecognizedFactArrived');
      expect(fact!.data.reason).toMatch(/^unknown_kind/);
      expect(fact!.data.fileName).toBe('notes-été.txt'); // Windows-1252 bytes, decoded as names.ts does
      expect(h.log.lines.some((l) => l.msg === 'fact quarantined')).toBe(true);
    } finally {
      await watcher.stop();
      await h.ledger.close();
    }
  });

  it('retries with back-off when the log refuses, and delivers once it takes facts again', async () => {
    const dir = folder();
    const h = await harness('dir_store_down', [dir]);
    let refuse = 2;
    const watcher = createDirWatcher(
      h.options({
        append: async (events) => {
          // transient (classifyFailure): a permanent refusal would quarantine the file instead of retrying
          if (refuse-- > 0) throw new LedgerError('STORE_UNAVAILABLE', 'store unavailable (simulated)');
          return h.ledger.store.appendFacts(events);
        },
        backOff: { initialMs: 50, maxMs: 100 },
      }),
    );
    const old = Date.now() / 1000 - 3600;
    const f = join(dir, '2026-08-19-230000-supply-round-1.txt');
    writeFileSync(f, statsFile('retry'));
    utimesSync(f, old, old);
    try {
      await watcher.start();
      await waitFor('the file, after two refusals', async () => (await count(h.ledger)) === 1);
      expect(h.log.messages(50).filter((m) => m.startsWith('could not hand a file'))).toHaveLength(2);
    } finally {
      await watcher.stop();
      await h.ledger.close();
    }
  });

  it('never follows a symbolic link, in or out of the folder: skipped, logged once, counted once', async () => {
    const dir = folder();
    const outside = folder();
    const secret = `ETL-SECRET-${process.pid}-${Date.now()}`;
    const secretFile = join(outside, 'shadow');
    writeFileSync(secretFile, `root:${secret}:19000:0:99999:7:::\n`);
    const old = Date.now() / 1000 - 3600;
    const real = join(dir, '2026-08-19-210000-supply-round-1.txt');
    writeFileSync(real, statsFile('real'));
    utimesSync(real, old, old);
    symlinkSync(secretFile, join(dir, 'x.txt'));
    symlinkSync(real, join(dir, '2026-08-19-210500-supply-round-1.txt')); // a link inside the folder
    const metrics = createMetrics();
    const h = await harness('dir_symlink', [dir], { metrics });
    const watcher = createDirWatcher(h.options());
    try {
      await watcher.start();
      expect(await count(h.ledger)).toBe(1);
      // A link appearing while it runs, next to a new real file.
      symlinkSync(secretFile, join(dir, '2026-08-19-220000-supply-round-2.txt'));
      writeFileSync(join(dir, '2026-08-19-221000-supply-round-3.txt'), statsFile('later'));
      await waitFor('the later real file', async () => (await count(h.ledger)) === 2);
      await sleep(600); // several listings: each link is logged and counted once
      const all = await facts(h.ledger);
      expect(all.map((f) => f.data.fileName).sort()).toEqual([
        '2026-08-19-210000-supply-round-1.txt',
        '2026-08-19-221000-supply-round-3.txt',
      ]);
      expectNoFactHolds(all, secret);
      const lines = h.log.lines.filter((l) => l.msg === 'skipped: a symbolic link, not followed');
      expect(lines.map((l) => String(l.path)).sort()).toEqual(
        [
          join(dir, '2026-08-19-210500-supply-round-1.txt'),
          join(dir, '2026-08-19-220000-supply-round-2.txt'),
          join(dir, 'x.txt'),
        ].sort(),
      );
      expect(lines.find((l) => String(l.path).endsWith('/x.txt'))).toMatchObject({
        level: 40,
        reason: 'symlink',
        target: secretFile,
      });
      expect(await skippedCount(metrics, 'symlink')).toBe(3);
      expect(await skippedCount(metrics, 'not_a_file')).toBe(0);
    } finally {
      await watcher.stop();
      await h.ledger.close();
    }
  });

  it('skips a FIFO without opening it for a read, and goes on with the next file', async () => {
    const dir = folder();
    const fifo = join(dir, '2026-08-19-210000-supply-round-1.txt');
    execFileSync('mkfifo', [fifo]);
    const metrics = createMetrics();
    const h = await harness('dir_fifo', [dir], { metrics });
    const watcher = createDirWatcher(h.options());
    try {
      await watcher.start();
      writeFileSync(join(dir, '2026-08-19-211000-supply-round-2.txt'), statsFile('after-fifo'));
      await waitFor('the file after the FIFO', async () => (await count(h.ledger)) === 1);
      await sleep(400);
      expect((await facts(h.ledger)).map((f) => f.data.fileName)).toEqual(['2026-08-19-211000-supply-round-2.txt']);
      const lines = h.log.lines.filter((l) => l.msg === 'skipped: not a regular file (FIFO, device or socket)');
      expect(lines).toHaveLength(1);
      expect(lines[0]).toMatchObject({ path: fifo, reason: 'not_a_file' });
      expect(await skippedCount(metrics, 'not_a_file')).toBe(1);
    } finally {
      await watcher.stop();
      await h.ledger.close();
    }
  });

  it('keeps going when a watched folder is missing, and picks it up once it exists', async () => {
    const parent = folder();
    const later = join(parent, 'gamestats');
    const h = await harness('dir_missing', [later]);
    const watcher = createDirWatcher(h.options());
    try {
      await watcher.start();
      expect(h.log.messages(40)).toContain('cannot list the folder; will keep trying');
      mkdirSync(later);
      writeFileSync(join(later, '2026-08-19-233000-supply-round-1.txt'), statsFile('later'));
      await waitFor('the file in the new folder', async () => (await count(h.ledger)) === 1);
    } finally {
      await watcher.stop();
      await h.ledger.close();
    }
  });
});

describe.skipIf(!postgresAvailable())('folder watcher: files that grow (issue 15, item 4)', () => {
  it('a stats file written in chunks is taken once, whole', async () => {
    const dir = folder();
    const h = await harness('dir_chunks', [dir], { stableMs: 300, cutLineWaitMs: 3000 });
    const watcher = createDirWatcher(h.options());
    const whole = Buffer.from(statsFile('chunks'));
    const name = join(dir, '2026-08-19-214136-supply-round-1.txt');
    try {
      await watcher.start();
      // Five chunks 450 ms apart, each cut inside a line: each stays still longer than the stable
      // time (the repro gave five facts), but a cut last line waits for the rest.
      const cuts = [1, 2, 3, 4].map((i) => {
        const c = Math.floor((whole.length * i) / 5);
        return whole[c - 1] === 0x0a ? c - 1 : c;
      });
      let at = 0;
      for (const cut of [...cuts, whole.length]) {
        appendFileSync(name, whole.subarray(at, cut));
        at = cut;
        await new Promise((r) => setTimeout(r, 450));
      }
      await waitFor('the whole file', async () => (await count(h.ledger, 'StatsFileArrived')) >= 1);
      await new Promise((r) => setTimeout(r, 1500));
      const got = await facts(h.ledger, 'StatsFileArrived');
      expect(got).toHaveLength(1);
      expect(got[0]!.data).toMatchObject({ sizeBytes: whole.length });
    } finally {
      await watcher.stop();
      await h.ledger.close();
    }
  });

  it('a stats file cut inside its last line waits longer than the stable time for the rest', async () => {
    const dir = folder();
    const h = await harness('dir_cut', [dir], { stableMs: 300, cutLineWaitMs: 4000 });
    const watcher = createDirWatcher(h.options());
    const whole = Buffer.from(statsFile('cut'));
    const name = join(dir, '2026-08-19-214737-supply-round-2.txt');
    const cut = whole.lastIndexOf(0x0a, whole.length - 2) + 10;
    try {
      await watcher.start();
      writeFileSync(name, whole.subarray(0, cut));
      // Still for 4 × the stable time: a complete-looking file would have been taken by now.
      await new Promise((r) => setTimeout(r, 1200));
      appendFileSync(name, whole.subarray(cut));
      await waitFor('the file', async () => (await count(h.ledger, 'StatsFileArrived')) >= 1);
      const got = await facts(h.ledger, 'StatsFileArrived');
      expect(got.map((g) => g.data.sizeBytes)).toEqual([whole.length]);
    } finally {
      await watcher.stop();
      await h.ledger.close();
    }
  });
});
