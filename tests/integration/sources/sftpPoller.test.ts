// The SFTP poller against a real OpenSSH sshd (started per file by .ci/start-sshd.sh on a free port)
// and a real PostgreSQL log. Remote folders are local folders the test user can read.
import { execFileSync } from 'node:child_process';
import {
  appendFileSync,
  chmodSync,
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
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sha256Hex } from '../../../src/events/ids.ts';
import { createMetrics } from '../../../src/metrics.ts';
import { type CursorStore, openSqlCursorStore } from '../../../src/sources/fileCursor.ts';
import { type KnownHostKey, parseKnownHostKey } from '../../../src/sources/hostKey.ts';
import { createSftpPoller, type SftpPollerOptions } from '../../../src/sources/sftpPoller.ts';
import type { NewEvent } from '../../../src/store/eventStore.ts';
import type { Ledger } from '../../../src/store/openStore.ts';
import { postgresAvailable } from '../../support/databases.ts';
import { type Sshd, sshdUnavailable, startCuttingProxy, startSshd } from './sshd.ts';
import {
  captureLog,
  expectNoFactHolds,
  facts,
  legacyBody,
  openPostgresLedger,
  ownRoundReport,
  sleep,
  statsFile,
  waitFor,
} from './support.ts';

const skip = sshdUnavailable ?? (postgresAvailable() ? null : 'SFTP tests skipped: no PostgreSQL for the log');
if (skip) console.warn(skip);

let sshd: Sshd;
const roots: string[] = [];

beforeAll(async () => {
  if (!skip) sshd = await startSshd();
});
afterAll(async () => {
  await sshd?.stop();
  for (const r of roots) rmSync(r, { recursive: true, force: true });
});

/** Remote folders: readable by the sshd test user (tmp folders are 700 by default). */
function remoteFolders() {
  const root = mkdtempSync(join(tmpdir(), 'etl-sftp-remote-'));
  chmodSync(root, 0o755);
  roots.push(root);
  const stats = join(root, 'gamestats');
  const spool = join(root, 'et-ledger');
  const gametimes = join(root, 'gametimes');
  for (const d of [stats, spool, gametimes]) mkdirSync(d, { mode: 0o755 });
  return { root, stats, spool, gametimes };
}

type Harness = {
  ledger: Ledger;
  cursors: CursorStore;
  appendCalls: NewEvent[][];
  log: ReturnType<typeof captureLog>;
  options: (o?: Partial<SftpPollerOptions>) => SftpPollerOptions;
};

async function harness(label: string, folders: ReturnType<typeof remoteFolders>, knownHostKey?: KnownHostKey) {
  const ledger = await openPostgresLedger(label);
  const cursors = await openSqlCursorStore(ledger.db);
  const appendCalls: NewEvent[][] = [];
  const log = captureLog();
  const h: Harness = {
    ledger,
    cursors,
    appendCalls,
    log,
    options: (o = {}) => ({
      append: (events) => {
        appendCalls.push(events);
        return ledger.store.appendFacts(events);
      },
      log: log.log,
      metrics: createMetrics(),
      serverId: 'eu1',
      tz: 'Europe/Ljubljana',
      host: '127.0.0.1',
      port: sshd.port,
      username: sshd.user,
      privateKey: sshd.privateKey,
      knownHostKey: knownHostKey ?? (parseKnownHostKey(sshd.hostPublicKey) as KnownHostKey),
      folders: [
        { path: folders.stats, settle: 'stable' },
        { path: folders.spool, settle: 'rename' },
        { path: folders.gametimes, settle: 'stable' },
      ],
      cursors,
      maxFileBytes: 16 * 1024 * 1024,
      pollMs: 150,
      backOff: { initialMs: 100, maxMs: 400 },
      opTimeoutMs: 5000,
      ...o,
    }),
  };
  return h;
}

const sizesOf = async (ledger: Ledger, type: string) =>
  (await facts(ledger, type)).map((f) => Number(f.data.sizeBytes)).sort((a, b) => a - b);

describe.skipIf(skip)('SFTP poller against OpenSSH', () => {
  it('appends stats files, spool reports and legacy gametimes as they arrive, never a temp file', async () => {
    const remote = remoteFolders();
    const h = await harness('sftp_arrive', remote);
    writeFileSync(join(remote.stats, '2026-08-19-214136-supply-round-1.txt'), statsFile('before'));
    const poller = createSftpPoller(h.options());
    poller.start();
    try {
      await waitFor(
        'the file that was there at start',
        async () => (await facts(h.ledger, 'StatsFileArrived')).length === 1,
      );
      writeFileSync(join(remote.stats, '2026-08-19-214737-supply-round-2.txt'), statsFile('while'));
      // our script: write a temporary name, then rename into place
      const tmp = join(remote.spool, '2026-08-19-214737-supply-round-1.lua.json.tmp');
      writeFileSync(tmp, ownRoundReport('eu1', 1787168493));
      await sleep(400);
      renameSync(tmp, join(remote.spool, '2026-08-19-214737-supply-round-1.lua.json'));
      writeFileSync(join(remote.spool, '2026-08-19-214737-supply-round-1.lua.json.0badc0de.1.exit'), '7 000\n');
      // the legacy script's fallback file: {meta, payload} around the webhook body
      const gametime = { meta: { version: '1.7.2' }, payload: JSON.parse(legacyBody().toString('utf8')) };
      writeFileSync(join(remote.gametimes, 'gametime-supply-R1-1787168493.json'), JSON.stringify(gametime));
      await waitFor('all of them', () => h.appendCalls.length === 4);
      await sleep(500);
      const all = await facts(h.ledger);
      // The legacy file reports the same round as our script (eu1:supply:1:1787168493): one report,
      // two facts, one per script (readers take ours: src/correlator/luaDeliveries.ts), neither lost.
      expect(all.map((f) => f.type).sort()).toEqual([
        'LuaRoundEnded',
        'LuaRoundEnded',
        'StatsFileArrived',
        'StatsFileArrived',
      ]);
      expect(all.filter((f) => f.type === 'LuaRoundEnded').map((f) => f.data.shape)).toEqual(
        expect.arrayContaining(['et-ledger.round/1', 'legacy.gametime']),
      );
      expect(h.appendCalls).toHaveLength(4);
      const sources = all.map((f) => String((f.data.source as { kind: string; ref: string } | undefined)?.ref ?? ''));
      expect(sources.every((s) => s.startsWith(`sftp://sftptest@127.0.0.1:${sshd.port}/`))).toBe(true);
      expect(await facts(h.ledger, 'UnrecognizedFactArrived')).toEqual([]);
    } finally {
      await poller.stop();
      await h.ledger.close();
    }
  });

  it('does not take a file that grows across listings, then takes it whole, once', async () => {
    const remote = remoteFolders();
    const h = await harness('sftp_grow', remote);
    const name = join(remote.stats, '2026-08-19-220005-etl_adlernest-round-1.txt');
    const full = statsFile('grow', 200_000);
    writeFileSync(name, full.subarray(0, 1000));
    const poller = createSftpPoller(h.options());
    poller.start();
    try {
      for (let at = 1000; at < full.length; at += 4000) {
        appendFileSync(name, full.subarray(at, Math.min(full.length, at + 4000)));
        await sleep(30);
      }
      await waitFor('the whole file', async () => (await facts(h.ledger, 'StatsFileArrived')).length === 1);
      await sleep(600);
      expect(await sizesOf(h.ledger, 'StatsFileArrived')).toEqual([full.length]);
      expect((await facts(h.ledger, 'StatsFileArrived'))[0]!.raw!.equals(full)).toBe(true);
      expect(h.appendCalls).toHaveLength(1);
    } finally {
      await poller.stop();
      await h.ledger.close();
    }
  });

  it('a remote file over the cap is never held whole: a small too_large fact with its size and sha256', async () => {
    const remote = remoteFolders();
    const h = await harness('sftp_large', remote);
    const big = statsFile('big', 3 * 1024 * 1024);
    const name = join(remote.stats, '2026-08-19-220005-etl_adlernest-round-1.txt');
    writeFileSync(name, big);
    utimesSync(name, Date.now() / 1000 - 3600, Date.now() / 1000 - 3600);
    writeFileSync(join(remote.stats, '2026-08-19-220523-etl_adlernest-round-2.txt'), statsFile('small'));
    const poller = createSftpPoller(h.options({ maxFileBytes: 1024 * 1024 }));
    poller.start();
    try {
      await waitFor('both files', async () => (await facts(h.ledger)).length === 2);
      const [kept] = await facts(h.ledger, 'UnrecognizedFactArrived');
      expect(kept!.data).toMatchObject({ sizeBytes: big.length, sha256: sha256Hex(big) });
      expect(kept!.raw!.length).toBe(0);
      expect((kept!.data as { reason: string }).reason).toMatch(/^too_large: /);
      expect(await facts(h.ledger, 'StatsFileArrived')).toHaveLength(1);
    } finally {
      await poller.stop();
      await h.ledger.close();
    }
  });

  it('survives the connection being cut mid-download: reconnects, retries, appends one whole fact', async () => {
    const remote = remoteFolders();
    const h = await harness('sftp_cut', remote);
    const big = statsFile('cut', 4 * 1024 * 1024);
    writeFileSync(join(remote.stats, '2026-08-19-221500-supply-round-1.txt'), big);
    const proxy = await startCuttingProxy(sshd.port, 1024 * 1024);
    const poller = createSftpPoller(h.options({ port: proxy.port }));
    poller.start();
    try {
      await waitFor('the file after the cut', async () => (await facts(h.ledger, 'StatsFileArrived')).length === 1);
      expect(proxy.cuts()).toBe(1);
      expect(h.log.messages()).toContain('SFTP connection failed; reconnecting');
      const [fact] = await facts(h.ledger, 'StatsFileArrived');
      expect(fact!.raw!.equals(big)).toBe(true);
      expect(h.appendCalls).toHaveLength(1);
      expect(poller.state().connected).toBe(true);
    } finally {
      await poller.stop();
      await proxy.close();
      await h.ledger.close();
    }
  });

  it('after a restart keeps its cursor: nothing already appended is downloaded or appended again', async () => {
    const remote = remoteFolders();
    const h = await harness('sftp_restart', remote);
    for (let i = 0; i < 3; i++)
      writeFileSync(join(remote.stats, `2026-08-19-2200${i}0-supply-round-1.txt`), statsFile(`restart${i}`));
    const first = createSftpPoller(h.options());
    first.start();
    await waitFor('three files', async () => (await facts(h.ledger, 'StatsFileArrived')).length === 3);
    await first.stop();
    expect(h.appendCalls).toHaveLength(3);

    const second = createSftpPoller(h.options());
    second.start();
    try {
      await sleep(800); // several listings
      expect(h.appendCalls).toHaveLength(3);
      writeFileSync(join(remote.stats, '2026-08-19-223000-supply-round-2.txt'), statsFile('after-restart'));
      await waitFor('the new file', async () => (await facts(h.ledger, 'StatsFileArrived')).length === 4);
      expect(h.appendCalls).toHaveLength(4);
      expect(h.log.messages()).not.toContain('fact already in the log');
    } finally {
      await second.stop();
      await h.ledger.close();
    }
  });

  it('refuses loudly when the host key changes, and appends nothing from that host', async () => {
    const remote = remoteFolders();
    const own = await startSshd();
    const h = await harness('sftp_hostkey', remote, parseKnownHostKey(own.hostPublicKey) as KnownHostKey);
    writeFileSync(join(remote.stats, '2026-08-19-230000-supply-round-1.txt'), statsFile('trusted'));
    const poller = createSftpPoller(h.options({ port: own.port, privateKey: own.privateKey }));
    poller.start();
    let impostor: Sshd | null = null;
    try {
      await waitFor('the file from the trusted host', async () => (await facts(h.ledger)).length === 1);
      // Same address, same client key, another host key.
      await own.stop();
      impostor = await startSshd({ port: own.port, sameClientKeyAs: own });
      writeFileSync(join(remote.stats, '2026-08-19-231000-supply-round-2.txt'), statsFile('impostor'));
      const refusal = await waitFor('the refusal', () =>
        h.log.lines.find((l) => l.msg === 'host key refused: not connecting'),
      );
      expect(refusal.level).toBe(50); // error
      expect(refusal.code).toBe('HOST_KEY_MISMATCH');
      expect(String(refusal.err)).toContain('SHA256:');
      await waitFor(
        'a second refusal',
        () => h.log.messages().filter((m) => m === 'host key refused: not connecting').length >= 2,
      );
      expect(await facts(h.ledger)).toHaveLength(1);
      expect(poller.state().connected).toBe(false);
    } finally {
      await poller.stop();
      await impostor?.stop();
      await h.ledger.close();
    }
  });

  it('never downloads a remote symbolic link or FIFO: skipped, logged and counted once each', async () => {
    const remote = remoteFolders();
    const secret = `ETL-SECRET-${process.pid}-${Date.now()}`;
    const secretFile = join(remote.root, 'secret.txt'); // outside the served folders, readable by the user
    writeFileSync(secretFile, `root:${secret}:19000:0:99999:7:::\n`);
    chmodSync(secretFile, 0o644);
    symlinkSync(secretFile, join(remote.stats, 'x.txt'));
    symlinkSync(secretFile, join(remote.spool, '2026-08-19-214737-supply-round-1.lua.json'));
    execFileSync('mkfifo', ['-m', '644', join(remote.gametimes, 'gametime-supply-R1-1787168493.json')]);
    const real = join(remote.stats, '2026-08-19-214136-supply-round-1.txt');
    writeFileSync(real, statsFile('beside-links'));
    symlinkSync(real, join(remote.stats, '2026-08-19-215000-supply-round-2.txt')); // a link inside the folder
    const metrics = createMetrics();
    const h = await harness('sftp_symlink', remote);
    const poller = createSftpPoller(h.options({ metrics }));
    poller.start();
    try {
      await waitFor('the real file', async () => (await facts(h.ledger)).length === 1);
      writeFileSync(join(remote.stats, '2026-08-19-220000-supply-round-3.txt'), statsFile('after-links'));
      await waitFor('the file after the links', async () => (await facts(h.ledger)).length === 2);
      await sleep(600); // several polls
      const all = await facts(h.ledger);
      expect(all.map((f) => f.data.fileName).sort()).toEqual([
        '2026-08-19-214136-supply-round-1.txt',
        '2026-08-19-220000-supply-round-3.txt',
      ]);
      expectNoFactHolds(all, secret);
      const links = h.log.lines.filter((l) => l.msg === 'skipped: a symbolic link, not followed');
      expect(links.map((l) => String(l.path)).sort()).toEqual(
        [
          join(remote.spool, '2026-08-19-214737-supply-round-1.lua.json'),
          join(remote.stats, '2026-08-19-215000-supply-round-2.txt'),
          join(remote.stats, 'x.txt'),
        ].sort(),
      );
      expect(links[0]).toMatchObject({ level: 40, reason: 'symlink', source: 'sftp', server: 'eu1' });
      const fifos = h.log.lines.filter((l) => l.msg === 'skipped: not a regular file (FIFO, device or socket)');
      expect(fifos.map((l) => l.path)).toEqual([join(remote.gametimes, 'gametime-supply-R1-1787168493.json')]);
      const skipped = (await metrics.sourceSkipped.get()).values;
      expect(skipped.find((v) => v.labels.reason === 'symlink')).toMatchObject({
        labels: { source: 'sftp', server: 'eu1' },
        value: 3,
      });
      expect(skipped.find((v) => v.labels.reason === 'not_a_file')?.value).toBe(1);
      expect(poller.state()).toMatchObject({ connected: true, lastError: null });
    } finally {
      await poller.stop();
      await h.ledger.close();
    }
  });

  it('keeps polling the other folders when one is missing, and says so once', async () => {
    const remote = remoteFolders();
    rmSync(remote.gametimes, { recursive: true });
    const h = await harness('sftp_missing', remote);
    writeFileSync(join(remote.stats, '2026-08-19-232000-supply-round-1.txt'), statsFile('other'));
    const poller = createSftpPoller(h.options());
    poller.start();
    try {
      await waitFor('the file', async () => (await facts(h.ledger)).length === 1);
      await sleep(500);
      expect(h.log.messages().filter((m) => m.startsWith('cannot list the remote folder'))).toHaveLength(1);
      expect(poller.state().connected).toBe(true);
    } finally {
      await poller.stop();
      await h.ledger.close();
    }
  });
});
