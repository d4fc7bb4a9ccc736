// `et-ledger run`'s GET /healthz while a source cannot do its work: `degraded` (HTTP 200) with one
// reason per source and server — a watched folder that is missing, an SFTP host that refuses our
// key, an SFTP host whose key we refuse (a real OpenSSH sshd) — while the service goes on taking
// reports; `ok` again once the cause is gone.
import { execFileSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { signReport } from '../../../src/sources/reportSignature.ts';
import { freshPgliteDir } from '../../support/databases.ts';
import { startRun } from './runProcess.ts';
import { type Sshd, sshdUnavailable, startSshd } from './sshd.ts';
import { ownRoundReport, waitFor } from './support.ts';

const SECRET = 'health-secret-0123456789abcdef';
const dirs: string[] = [];
let sshd: Sshd | null = null;
afterAll(async () => {
  await sshd?.stop();
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

type Reason = { source: string; server: string; reason: string; detail: string; path?: string; since: string };
type Health = { status: string; ok: boolean; reasons: Reason[]; sftp: Record<string, { connected: boolean }> };

async function health(port: number): Promise<{ status: number; body: Health }> {
  const r = await fetch(`http://127.0.0.1:${port}/healthz`);
  return { status: r.status, body: (await r.json()) as Health };
}

async function postReport(port: number, server: string): Promise<number> {
  const body = ownRoundReport(server, 1787168493);
  const r = await fetch(`http://127.0.0.1:${port}/v1/reports`, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      'x-et-ledger-signature': signReport(SECRET, body, Math.floor(Date.now() / 1000)),
    },
    body,
  });
  await r.arrayBuffer();
  return r.status;
}

describe('GET /healthz of et-ledger run', () => {
  it('is degraded, with the folder and the reason, while a watched folder is missing; ok once it exists', async () => {
    const root = mkdtempSync(join(tmpdir(), 'etl-health-'));
    dirs.push(root);
    const present = join(root, 'gamestats');
    const missing = join(root, 'et-ledger-spool');
    mkdirSync(present);
    const run = startRun(
      {
        ET_LEDGER_SERVER_ID: 'eu1',
        ET_LEDGER_TZ: 'Europe/Ljubljana',
        ET_LEDGER_REPORT_SECRET: SECRET,
        ET_LEDGER_WATCH_DIR: `${present}:${missing}`,
        ET_LEDGER_HTTP_PORT: '0',
      },
      ['--store', `pglite:${freshPgliteDir()}`],
    );
    try {
      const port = Number((await run.line('HTTP receiver listening')).port);
      // The start-up line says it too, and why Discord is off.
      const summary = (await run.line('sources and sinks')) as {
        sinks: Record<string, string>;
        servers: Record<string, { folders: Record<string, string> }>;
      };
      expect(summary.sinks.discord).toBe('off: no DISCORD_TOKEN');
      expect(summary.servers.eu1!.folders).toEqual({
        [present]: 'on',
        [missing]: 'on, but missing: /healthz says degraded until it can',
      });
      const degraded = await waitFor('degraded', async () => {
        const h = await health(port);
        return h.body.status === 'degraded' ? h : undefined;
      });
      expect(degraded.status).toBe(200);
      expect(degraded.body.ok).toBe(true);
      expect(degraded.body.reasons).toEqual([
        expect.objectContaining({ source: 'dir', server: 'eu1', reason: 'folder_missing', path: missing }),
      ]);
      expect(degraded.body.reasons[0]!.detail).toContain('ENOENT');
      expect(Date.parse(degraded.body.reasons[0]!.since)).toBeLessThanOrEqual(Date.now());

      // It keeps serving: a report is taken while degraded.
      expect(await postReport(port, 'eu1')).toBe(200);

      mkdirSync(missing);
      const ok = await waitFor('ok again', async () => {
        const h = await health(port);
        return h.body.status === 'ok' ? h : undefined;
      });
      expect(ok.status).toBe(200);
      expect(ok.body.reasons).toEqual([]);
      expect(await run.stop(), run.stderr()).toBe(0);
    } finally {
      run.kill();
    }
  });

  it.skipIf(sshdUnavailable !== null)(
    'is degraded per SFTP server when the host refuses our key or we refuse the host key; a good host and a folder are fine',
    async () => {
      sshd = await startSshd();
      const root = mkdtempSync(join(tmpdir(), 'etl-health-sftp-'));
      dirs.push(root);
      chmodSync(root, 0o755);
      const remote = join(root, 'gamestats');
      mkdirSync(remote, { mode: 0o755 });
      const goodKey = join(root, 'id_good');
      writeFileSync(goodKey, sshd.privateKey, { mode: 0o600 });
      // A key sshd does not know, and (its public half) a host key that is not sshd's.
      const strangerKey = join(root, 'id_stranger');
      execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', 'stranger', '-f', strangerKey]);
      const strangerPublic = readFileSync(`${strangerKey}.pub`, 'utf8').trim();
      const sftp = (privateKeyPath: string, knownHostKey: string) => ({
        host: '127.0.0.1',
        port: sshd!.port,
        user: sshd!.user,
        privateKeyPath,
        knownHostKey,
        paths: { stats: remote },
        pollSec: 1,
      });
      const watched = join(root, 'local');
      mkdirSync(watched);
      const config = join(root, 'run.json');
      writeFileSync(
        config,
        JSON.stringify({
          http: { port: 0 },
          servers: [
            { id: 'eu1', tz: 'Europe/Ljubljana', reportSecret: SECRET, watchDirs: [watched] },
            { id: 'eu2', tz: 'Europe/Ljubljana', sftp: sftp(strangerKey, sshd.hostPublicKey) },
            { id: 'eu3', tz: 'Europe/Ljubljana', sftp: sftp(goodKey, strangerPublic) },
            { id: 'eu4', tz: 'Europe/Ljubljana', sftp: sftp(goodKey, sshd.hostPublicKey) },
          ],
        }),
      );
      const run = startRun({}, ['--config', config, '--store', `pglite:${freshPgliteDir()}`]);
      try {
        const port = Number((await run.line('HTTP receiver listening')).port);
        const h = await waitFor(
          'both SFTP refusals and the good connection',
          async () => {
            const r = await health(port);
            const servers = new Set(r.body.reasons.map((x) => x.server));
            return servers.has('eu2') && servers.has('eu3') && r.body.sftp.eu4?.connected ? r : undefined;
          },
          60_000,
        );
        expect(h.status).toBe(200);
        expect(h.body.status).toBe('degraded');
        expect(h.body.ok).toBe(true);
        const byServer = Object.fromEntries(h.body.reasons.map((r) => [r.server, r]));
        expect(Object.keys(byServer).sort()).toEqual(['eu2', 'eu3']);
        expect(byServer.eu2).toMatchObject({ source: 'sftp', reason: 'auth_failed' });
        expect(byServer.eu2!.detail).toContain('refused our key');
        expect(byServer.eu3).toMatchObject({ source: 'sftp', reason: 'host_key_mismatch' });
        expect(byServer.eu3!.detail).toContain('SHA256:');
        expect(h.body.sftp.eu2?.connected).toBe(false);
        expect(h.body.sftp.eu3?.connected).toBe(false);

        // The service goes on: a report of eu1 is taken, /healthz keeps answering.
        expect(await postReport(port, 'eu1')).toBe(200);
        expect((await health(port)).body.status).toBe('degraded');
        // The refusals are counted by reason as well.
        const metrics = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
        expect(metrics).toMatch(
          /et_ledger_source_errors_total\{source="sftp",server="eu2",reason="auth_failed"\} [1-9]/,
        );
        expect(metrics).toMatch(
          /et_ledger_source_errors_total\{source="sftp",server="eu3",reason="host_key_mismatch"\} [1-9]/,
        );
        expect(await run.stop(), run.stderr()).toBe(0);
      } finally {
        run.kill();
      }
    },
    120_000,
  );
});
