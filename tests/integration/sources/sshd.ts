// A real OpenSSH sshd per test file, through .ci/start-sshd.sh (own host key, client key and
// config; never /etc/ssh), on a free port; and a TCP proxy in front of it that can cut a connection
// after a number of bytes (a dropped connection mid-transfer, deterministic).
import { execFileSync } from 'node:child_process';
import { once } from 'node:events';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { connect, createServer, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePort, sleep } from './support.ts';

const script = fileURLToPath(new URL('../../../.ci/start-sshd.sh', import.meta.url));

/** Why the sshd tests cannot run here, or null. */
export const sshdUnavailable: string | null = !existsSync('/usr/sbin/sshd')
  ? 'SFTP tests skipped: /usr/sbin/sshd is absent (apt-get install -y --no-install-recommends openssh-server)'
  : process.getuid?.() !== 0
    ? 'SFTP tests skipped: sshd must run as root to log in as the test user'
    : null;

export type Sshd = {
  dir: string;
  port: number;
  user: string;
  pid: number;
  privateKey: Buffer;
  clientPublicKey: string;
  /** The host's public key line, as an operator would configure it. */
  hostPublicKey: string;
  stop(): Promise<void>;
};

/** Starts sshd; with `sameClientKeyAs`, the new one accepts the old client key (a host key change only). */
export async function startSshd(opts: { port?: number; sameClientKeyAs?: Sshd } = {}): Promise<Sshd> {
  const dir = mkdtempSync(join(tmpdir(), 'etl-sshd-'));
  if (opts.sameClientKeyAs) {
    writeFileSync(join(dir, 'client_ed25519'), opts.sameClientKeyAs.privateKey, { mode: 0o600 });
    writeFileSync(join(dir, 'client_ed25519.pub'), `${opts.sameClientKeyAs.clientPublicKey}\n`);
  }
  const port = opts.port ?? (await freePort());
  const out = execFileSync('bash', [script, dir, String(port), 'sftptest'], { encoding: 'utf8' });
  const pid = Number(/SSH_TEST_PID=(\d+)/.exec(out)?.[1]);
  return {
    dir,
    port,
    user: 'sftptest',
    pid,
    privateKey: readFileSync(join(dir, 'client_ed25519')),
    clientPublicKey: readFileSync(join(dir, 'client_ed25519.pub'), 'utf8').trim(),
    hostPublicKey: readFileSync(join(dir, 'host_ed25519.pub'), 'utf8').trim(),
    async stop() {
      // The listener and its per-connection children (sessions outlive a killed listener).
      for (const child of childrenOf(pid)) killQuietly(child);
      killQuietly(pid);
      await waitPortClosed(port);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

function childrenOf(pid: number): number[] {
  try {
    return execFileSync('ps', ['-o', 'pid=', '--ppid', String(pid)], { encoding: 'utf8' })
      .split('\n')
      .map((l) => Number(l.trim()))
      .filter((n) => n > 0);
  } catch {
    return [];
  }
}

function killQuietly(pid: number) {
  try {
    process.kill(pid, 'SIGTERM');
  } catch {}
}

/** After kill, PID 1 may keep the sshd as a zombie for a while: wait for the port, not the PID. */
async function waitPortClosed(port: number): Promise<void> {
  for (let i = 0; i < 100; i++) {
    const open = await new Promise<boolean>((resolve) => {
      const s = connect(port, '127.0.0.1');
      s.once('connect', () => {
        s.destroy();
        resolve(true);
      });
      s.once('error', () => resolve(false));
    });
    if (!open) return;
    await sleep(50);
  }
}

export type CuttingProxy = { port: number; cuts: () => number; close(): Promise<void> };

/** Forwards to 127.0.0.1:`target`; the first `cutCount` connections are dropped after `cutAfterBytes` from the server. */
export async function startCuttingProxy(target: number, cutAfterBytes: number, cutCount = 1): Promise<CuttingProxy> {
  let cuts = 0;
  const sockets = new Set<Socket>();
  const server = createServer((client) => {
    const upstream = connect(target, '127.0.0.1');
    sockets.add(client).add(upstream);
    const cutThis = cuts < cutCount;
    let fromServer = 0;
    upstream.on('data', (chunk: Buffer) => {
      fromServer += chunk.length;
      if (cutThis && fromServer > cutAfterBytes && !client.destroyed) {
        cuts++;
        client.destroy();
        upstream.destroy();
        return;
      }
      client.write(chunk);
    });
    client.pipe(upstream);
    const end = () => {
      client.destroy();
      upstream.destroy();
      sockets.delete(client);
      sockets.delete(upstream);
    };
    client.on('error', end).on('close', end);
    upstream.on('error', end).on('close', end);
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return {
    port: (server.address() as AddressInfo).port,
    cuts: () => cuts,
    async close() {
      for (const s of sockets) s.destroy();
      server.close();
      await once(server, 'close');
    },
  };
}
