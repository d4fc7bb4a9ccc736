// Stopping the SFTP poller while a listing is in flight returns at once. When the close cuts a READDIR
// short, ssh2's readdir(path) sends a CLOSE of the handle and waits for its answer, which never comes
// on the closed channel, so the listing used to wait for its 60 s operation timeout; `et-ledger run` stops its sources one after the other, so one such
// poller held up the whole shutdown past a supervisor's patience. A slow link (each chunk from the
// server 15 ms late) and a folder of 3 000 names keep the poller inside a listing most of the time.
import { once } from 'node:events';
import { chmodSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { connect, createServer, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createMetrics } from '../../../src/metrics.ts';
import { createMemoryCursorStore } from '../../../src/sources/fileCursor.ts';
import { type KnownHostKey, parseKnownHostKey } from '../../../src/sources/hostKey.ts';
import { createSftpPoller } from '../../../src/sources/sftpPoller.ts';
import { type Sshd, sshdUnavailable, startSshd } from './sshd.ts';
import { captureLog, sleep, waitFor } from './support.ts';

let sshd: Sshd | null = null;
const dirs: string[] = [];
afterAll(async () => {
  await sshd?.stop();
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

/** Forwards to 127.0.0.1:`target`, each chunk from the server `delayMs` late: a slow link (round trips cost time). */
async function startSlowProxy(target: number, delayMs: number) {
  const sockets = new Set<Socket>();
  const server = createServer((client) => {
    const upstream = connect(target, '127.0.0.1');
    sockets.add(client).add(upstream);
    let last = Promise.resolve();
    const later = (work: () => void) => {
      last = last.then(() => new Promise<void>((r) => setTimeout(r, delayMs))).then(work);
    };
    upstream.on('data', (chunk: Buffer) => later(() => client.write(chunk)));
    client.pipe(upstream);
    const end = () => later(() => client.destroy());
    client.on('error', () => upstream.destroy()).on('close', () => upstream.destroy());
    upstream.on('error', end).on('close', end);
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return {
    port: (server.address() as AddressInfo).port,
    async close() {
      for (const s of sockets) s.destroy();
      server.close();
      await once(server, 'close');
    },
  };
}

describe.skipIf(sshdUnavailable !== null)('SFTP poller stop', () => {
  it('returns at once while a listing is in flight, not after the operation timeout', async () => {
    sshd = await startSshd();
    const root = mkdtempSync(join(tmpdir(), 'etl-sftp-stop-'));
    dirs.push(root);
    chmodSync(root, 0o755);
    // A folder whose listing takes many round trips (OpenSSH answers ~100 names per READDIR), none
    // of them a file to download: most of the poller's time is spent inside a listing.
    const remote = join(root, 'gamestats');
    mkdirSync(remote, { mode: 0o755 });
    for (let i = 0; i < 3000; i++) mkdirSync(join(remote, `d${i}`));
    const proxy = await startSlowProxy(sshd.port, 15);
    const log = captureLog();
    const poller = createSftpPoller({
      append: async () => [],
      log: log.log,
      metrics: createMetrics(),
      serverId: 'eu1',
      tz: 'Europe/Ljubljana',
      host: '127.0.0.1',
      port: proxy.port,
      username: sshd.user,
      privateKey: sshd.privateKey,
      knownHostKey: parseKnownHostKey(sshd.hostPublicKey) as KnownHostKey,
      folders: [{ path: remote, settle: 'stable' }],
      cursors: createMemoryCursorStore(),
      maxFileBytes: 1024 * 1024,
      pollMs: 1,
      opTimeoutMs: 60_000,
    });
    try {
      poller.start();
      await waitFor('a first listing', () => poller.state().lastPollAt !== null, 30_000);
      await sleep(150); // inside the next listing, after its OPENDIR
      const t0 = Date.now();
      await poller.stop();
      expect(Date.now() - t0, 'stop waited for the listing in flight to time out').toBeLessThan(3000);
      expect(poller.state().connected).toBe(false);
    } finally {
      await poller.stop();
      await proxy.close();
    }
  }, 120_000);
});
