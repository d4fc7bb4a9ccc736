// `et-ledger run` serving HTTPS (ET_LEDGER_HTTP_TLS_CERT / _KEY), checked with the real curl and
// openssl binaries: a self-signed certificate made here with `openssl req -x509`, GET /healthz and a
// signed Lua report over HTTPS, then a new certificate put in place and SIGHUP: the same process
// serves the new one (serial and fingerprint as `openssl s_client` sees them); a broken file on
// SIGHUP is logged and the certificate in use stays. A bad setting at start is a configuration error.
import { spawn } from 'node:child_process';
import { copyFileSync, mkdtempSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { signReport } from '../../../src/sources/reportSignature.ts';
import { runCli } from '../../support/cli.ts';
import { freshPgliteDir } from '../../support/databases.ts';
import { startRun } from './runProcess.ts';
import { ownRoundReport } from './support.ts';

const SECRET = 'tls-e2e-secret-0123456789abcdef';
const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

type Ran = { code: number; stdout: string; stderr: string };

/** A real binary, its stdin closed or fed `input`. */
function sh(cmd: string, args: string[], input = ''): Promise<Ran> {
  return new Promise((resolve, reject) => {
    const p = spawn(cmd, args, { stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    p.stdout.on('data', (d: Buffer) => {
      stdout += d.toString();
    });
    p.stderr.on('data', (d: Buffer) => {
      stderr += d.toString();
    });
    p.on('error', reject);
    p.on('close', (code) => resolve({ code: code ?? -1, stdout, stderr }));
    p.stdin.on('error', () => {}); // the child may exit before reading: its exit code says why
    p.stdin.end(input);
  });
}

/** A self-signed certificate for 127.0.0.1 with this serial; files written to `<name>.crt` / `<name>.key`. */
async function selfSigned(dir: string, name: string, serialHex: string) {
  const r = await sh('openssl', [
    'req',
    '-x509',
    '-newkey',
    'ec',
    '-pkeyopt',
    'ec_paramgen_curve:prime256v1',
    '-nodes',
    '-days',
    '2',
    '-subj',
    '/CN=et-ledger test',
    '-addext',
    'subjectAltName=IP:127.0.0.1,DNS:localhost',
    '-set_serial',
    `0x${serialHex}`,
    '-keyout',
    join(dir, `${name}.key`),
    '-out',
    join(dir, `${name}.crt`),
  ]);
  expect(r.code, r.stderr).toBe(0);
  const fp = await sh('openssl', ['x509', '-in', join(dir, `${name}.crt`), '-noout', '-fingerprint', '-sha256']);
  return { cert: join(dir, `${name}.crt`), key: join(dir, `${name}.key`), sha256: fp.stdout.trim().split('=')[1]! };
}

/** The certificate the server presents, as `openssl s_client` receives it: serial and SHA-256 fingerprint. */
async function servedCertificate(port: number): Promise<{ serial: string; sha256: string }> {
  const hello = await sh('openssl', ['s_client', '-connect', `127.0.0.1:${port}`, '-servername', 'localhost']);
  const x = await sh('openssl', ['x509', '-noout', '-serial', '-fingerprint', '-sha256'], hello.stdout);
  expect(x.code, `${hello.stderr}\n${x.stderr}`).toBe(0);
  return {
    serial: /serial=(\w+)/.exec(x.stdout)![1]!.toUpperCase(),
    sha256: /Fingerprint=([\w:]+)/.exec(x.stdout)![1]!,
  };
}

const curl = (args: string[]) =>
  sh('curl', ['--silent', '--show-error', '--noproxy', '*', '--max-time', '10', ...args]);

describe('et-ledger run over HTTPS', () => {
  it('serves HTTPS with the configured certificate, reloads it on SIGHUP, keeps it when the new files are broken', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'etl-tls-'));
    dirs.push(dir);
    const first = await selfSigned(dir, 'first', 'A1A1');
    const second = await selfSigned(dir, 'second', 'B2B2');
    // What the service is told to read: the paths a renewal job (certbot) replaces.
    const certPath = join(dir, 'fullchain.pem');
    const keyPath = join(dir, 'privkey.pem');
    renameSync(first.cert, certPath);
    renameSync(first.key, keyPath);

    const run = startRun(
      {
        ET_LEDGER_SERVER_ID: 'eu1',
        ET_LEDGER_TZ: 'Europe/Ljubljana',
        ET_LEDGER_REPORT_SECRET: SECRET,
        ET_LEDGER_HTTP_PORT: '0',
        ET_LEDGER_HTTP_TLS_CERT: certPath,
        ET_LEDGER_HTTP_TLS_KEY: keyPath,
      },
      ['--store', `pglite:${freshPgliteDir()}`],
    );
    try {
      const listening = await run.line('HTTP receiver listening');
      expect(listening.protocol).toBe('https');
      const port = Number(listening.port);
      const base = `https://127.0.0.1:${port}`;
      const served = await run.line('serving HTTPS with this certificate');
      expect((served.certificate as { serial: string }).serial).toBe('A1A1');

      // curl trusts exactly the first certificate: GET /healthz and a signed report.
      const health = await curl([
        '--cacert',
        join(dir, 'fullchain.pem'),
        '--write-out',
        '\n%{http_code}',
        `${base}/healthz`,
      ]);
      expect(health.code, health.stderr).toBe(0);
      const [healthBody, healthStatus] = health.stdout.split('\n');
      expect(healthStatus).toBe('200');
      expect(JSON.parse(healthBody!)).toMatchObject({ status: 'ok', ok: true });

      const body = ownRoundReport('eu1', 1787168493);
      writeFileSync(join(dir, 'report.json'), body);
      const post = await curl([
        '--cacert',
        certPath,
        '--header',
        'content-type: application/json',
        '--header',
        `x-et-ledger-signature: ${signReport(SECRET, body, Math.floor(Date.now() / 1000))}`,
        '--data-binary',
        `@${join(dir, 'report.json')}`,
        '--write-out',
        '\n%{http_code}',
        `${base}/v1/reports`,
      ]);
      expect(post.code, post.stderr).toBe(0);
      const [postBody, postStatus] = post.stdout.split('\n');
      expect(postStatus, postBody).toBe('200');
      expect(JSON.parse(postBody!)).toMatchObject({ status: 'appended', kind: 'lua-round' });

      // Plain HTTP to the HTTPS port gets nothing.
      const plain = await curl([`http://127.0.0.1:${port}/healthz`]);
      expect(plain.code).not.toBe(0);

      expect(await servedCertificate(port)).toEqual({ serial: 'A1A1', sha256: first.sha256 });

      // Renewal: the new files are put in place, then SIGHUP.
      const firstCopy = join(dir, 'first-trust.pem');
      renameSync(certPath, firstCopy);
      renameSync(second.cert, certPath);
      renameSync(second.key, keyPath);
      run.child.kill('SIGHUP');
      await run.line('TLS certificate reloaded (SIGHUP)');
      expect(await servedCertificate(port)).toEqual({ serial: 'B2B2', sha256: second.sha256 });
      const oldTrust = await curl(['--cacert', firstCopy, `${base}/healthz`]);
      expect(oldTrust.code, 'the old certificate is no longer served').toBe(60); // peer certificate cannot be authenticated
      const newTrust = await curl(['--cacert', certPath, '-v', `${base}/healthz`]);
      expect(newTrust.code, newTrust.stderr).toBe(0);
      expect(newTrust.stderr).toMatch(/subject: CN=et-ledger test/);
      expect(JSON.parse(newTrust.stdout)).toMatchObject({ ok: true });

      // A broken certificate file on SIGHUP: one error line, the certificate in use stays, the service goes on.
      copyFileSync(certPath, join(dir, 'second-trust.pem'));
      writeFileSync(certPath, '-----BEGIN CERTIFICATE-----\nnot base64 at all\n');
      run.child.kill('SIGHUP');
      const refused = await run.line('TLS certificate not reloaded: keeping the one in use');
      expect(String(refused.err)).toContain('ET_LEDGER_HTTP_TLS_CERT');
      expect(run.child.exitCode).toBeNull();
      expect(await servedCertificate(port)).toEqual({ serial: 'B2B2', sha256: second.sha256 });
      const still = await curl(['--cacert', join(dir, 'second-trust.pem'), `${base}/healthz`]);
      expect(still.code, still.stderr).toBe(0);

      // The certificate's expiry is a metric (alert before it lapses).
      const metrics = await curl(['--cacert', join(dir, 'second-trust.pem'), `${base}/metrics`]);
      expect(metrics.stdout).toMatch(
        /et_ledger_tls_certificate_expiry_timestamp_seconds\{subject="CN=et-ledger test"\} \d{10}/,
      );

      expect(await run.stop(), run.stderr()).toBe(0);
    } finally {
      run.kill();
    }
  });

  it('refuses a certificate without its key, an unreadable file and a key that is not the certificate’s, naming the variable', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'etl-tls-bad-'));
    dirs.push(dir);
    const a = await selfSigned(dir, 'a', '01');
    const b = await selfSigned(dir, 'b', '02');
    const store = ['--store', `pglite:${join(dir, 'never-created')}`];
    const cases: [Record<string, string>, RegExp][] = [
      [
        { ET_LEDGER_HTTP_TLS_CERT: a.cert },
        /ET_LEDGER_HTTP_TLS_KEY = \(unset\): must be set together with ET_LEDGER_HTTP_TLS_CERT[^\n]*\n {4}example: ET_LEDGER_HTTP_TLS_KEY=/,
      ],
      [
        { ET_LEDGER_HTTP_TLS_KEY: a.key },
        /ET_LEDGER_HTTP_TLS_CERT = \(unset\): must be set together with ET_LEDGER_HTTP_TLS_KEY/,
      ],
      [
        { ET_LEDGER_HTTP_TLS_CERT: join(dir, 'missing.pem'), ET_LEDGER_HTTP_TLS_KEY: a.key },
        /ET_LEDGER_HTTP_TLS_CERT = "[^"]*missing\.pem": cannot read the file \(ENOENT/,
      ],
      [
        { ET_LEDGER_HTTP_TLS_CERT: a.key, ET_LEDGER_HTTP_TLS_KEY: a.key },
        /ET_LEDGER_HTTP_TLS_CERT = "[^"]*": is not a PEM certificate/,
      ],
      [
        { ET_LEDGER_HTTP_TLS_CERT: a.cert, ET_LEDGER_HTTP_TLS_KEY: b.key },
        /ET_LEDGER_HTTP_TLS_KEY = "[^"]*b\.key": is not the private key of ET_LEDGER_HTTP_TLS_CERT/,
      ],
    ];
    const results = await Promise.all(
      cases.map(([env]) => runCli(['run', ...store], { ET_LEDGER_SERVER_ID: 'eu1', ET_LEDGER_TZ: 'UTC', ...env })),
    );
    for (const [i, [, message]] of cases.entries()) {
      const r = results[i]!;
      expect(r.code, r.stderr).toBe(2);
      expect(r.stderr).toMatch(/invalid run configuration:/);
      expect(r.stderr).toMatch(message);
      expect(r.stderr).toMatch(/CONFIG_INVALID/);
    }
  });
});
