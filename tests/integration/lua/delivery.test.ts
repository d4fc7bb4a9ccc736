// Delivery with real curl (spec/lua-report.md, steps 1-3): the receiver is a real node:http server on 127.0.0.1.
// First it is down: the report stays spooled and every attempt leaves a failed exit marker. Then it is up:
// the next map's sweep delivers the report once, signed, and only then removes it from the spool.
import { once } from 'node:events';
import { readdirSync, readFileSync } from 'node:fs';
import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { verifyReportSignature } from '../../../src/sources/reportSignature.ts';
import { hasLua, linesMatching, newServerDir, removeServerDirs, runScenario, writeConfig } from './luaHarness.ts';

const SECRET = 'delivery-test-secret';
type Received = { method: string; url: string; headers: IncomingHttpHeaders; body: Buffer; verdict: unknown };

function receiver(statuses: number[] = []) {
  const received: Received[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      let reportServer: string | undefined;
      try {
        reportServer = (JSON.parse(body.toString('utf8')) as { server?: string }).server;
      } catch {}
      const verdict = verifyReportSignature({
        header: req.headers['x-et-ledger-signature'],
        body,
        server: reportServer,
        secretFor: (s) => (s === 'eu1' ? SECRET : undefined),
        nowUnix: Math.floor(Date.now() / 1000),
      });
      received.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers, body, verdict });
      res.writeHead(statuses.shift() ?? ((verdict as { ok: boolean }).ok ? 200 : 401)).end();
    });
  });
  return { server, received };
}

async function freePort(): Promise<number> {
  const probe = createServer();
  probe.listen(0, '127.0.0.1');
  await once(probe, 'listening');
  const { port } = probe.address() as AddressInfo;
  probe.close();
  await once(probe, 'close');
  return port;
}

afterAll(removeServerDirs);

describe.skipIf(!hasLua)('et-ledger.lua delivery with curl', () => {
  it('keeps a report while the receiver is down, then the sweep delivers it once when it is up', async () => {
    const port = await freePort();
    const dir = newServerDir();
    writeConfig(
      dir,
      `return { server = "eu1", secret = "${SECRET}", urls = { "http://127.0.0.1:${port}/v1/reports" }, timeoutSec = 5 }`,
    );
    // The simulated clock runs ahead of the wall clock; starting it in the past keeps signatures within 300 s.
    const base = Math.floor(Date.now() / 1000) - 200;

    const down = await runScenario('delivery-down', { dir, args: [String(base)] });
    expect(down.exitCode, down.log).toBe(0);
    expect(down.files).toHaveLength(1);
    const spooled = down.files[0]!;
    expect(linesMatching(down.log, /sending .* failed \(attempt 1, curl exit 7, HTTP 000\)/)).toHaveLength(1);
    expect(down.harness.launches).toBe(2);
    // attempt 2's marker waits on disk for the next script state's sweep
    const markers = readdirSync(down.spoolDir).filter((n) => n.endsWith('.exit'));
    expect(markers).toEqual([
      expect.stringMatching(new RegExp(`^${spooled.name.replace(/\./g, '\\.')}\\.[0-9a-f]{8}\\.2\\.exit$`)),
    ]);
    expect(readFileSync(join(down.spoolDir, markers[0]!), 'utf8')).toBe('7 000\n');

    const { server, received } = receiver();
    server.listen(port, '127.0.0.1');
    await once(server, 'listening');
    try {
      const clock = Number(readFileSync(join(dir, '.clock'), 'utf8'));
      const up = await runScenario('delivery-up', { dir, args: [String(clock + 5)] });
      expect(up.exitCode, up.log).toBe(0);
      expect(linesMatching(up.log, /sending .* failed \(attempt 2, curl exit 7, HTTP 000\)/)).toHaveLength(1);
      expect(received).toHaveLength(1);
      const [req] = received;
      expect(req).toMatchObject({ method: 'POST', url: '/v1/reports', verdict: { ok: true } });
      expect(req!.headers['content-type']).toBe('application/json');
      expect(req!.body.equals(spooled.bytes)).toBe(true);
      expect(
        linesMatching(up.log, new RegExp(`delivered ${spooled.name.replace(/\./g, '\\.')}; removed`)),
      ).toHaveLength(1);
      expect(up.harness.launches).toBe(1);
      const left = readdirSync(up.spoolDir);
      expect(left.filter((n) => n.endsWith('.lua.json') || n.endsWith('.exit'))).toEqual([]);
      expect(readFileSync(join(up.spoolDir, '.queue-27960'), 'utf8')).toBe('');
    } finally {
      server.close();
    }
  });
});

describe.skipIf(!hasLua)('et-ledger.lua delivery answers', () => {
  it('retries after an HTTP 401 and takes an HTTP 422 (kept, quarantined) as delivered', async () => {
    const { server, received } = receiver([401, 422]);
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    try {
      const { port } = server.address() as AddressInfo;
      const dir = newServerDir();
      writeConfig(
        dir,
        `return { server = "eu1", secret = "${SECRET}", urls = { "http://127.0.0.1:${port}/v1/reports" } }`,
      );
      const run = await runScenario('delivery-down', {
        dir,
        args: [String(Math.floor(Date.now() / 1000) - 100), '300'],
      });
      expect(run.exitCode, run.log).toBe(0);
      expect(received).toHaveLength(2);
      expect(received.map((r) => r.verdict)).toEqual([{ ok: true }, { ok: true }]);
      expect(linesMatching(run.log, /failed \(attempt 1, curl exit 22, HTTP 401\)/)).toHaveLength(1);
      expect(linesMatching(run.log, /was kept by .* as authentic but off-schema \(HTTP 422\)/)).toHaveLength(1);
      expect(linesMatching(run.log, /delivered .*; removed from the spool/)).toHaveLength(1);
      expect(run.files).toEqual([]);
    } finally {
      server.close();
    }
  });
});
