// A report the log cannot store as text (U+0000, a lone surrogate) is authentic and permanent: it
// is kept raw in quarantine with the reason, answered 422 (never 503 "retry" forever), and as a
// spool file it never blocks the valid files behind it (issue 15, item 2). Real HTTP over loopback,
// a real watched folder, real PostgreSQL; `ingest` on PGlite and PostgreSQL.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createMetrics } from '../../../src/metrics.ts';
import { createDirWatcher } from '../../../src/sources/dirWatcher.ts';
import { openSqlCursorStore } from '../../../src/sources/fileCursor.ts';
import { createReportReceiver } from '../../../src/sources/reportReceiver.ts';
import { signReport } from '../../../src/sources/reportSignature.ts';
import { runCli } from '../../support/cli.ts';
import { freshPgliteDir, freshPostgresUrl, postgresAvailable } from '../../support/databases.ts';
import { captureLog, facts, openPostgresLedger, ownRoundReport, statsFile, waitFor } from './support.ts';

const SECRET = 'poison-test-secret-0123456789';

/** A signed report whose first player's raw name holds `jsonEscape` (such as \\u0000). */
const poisoned = (endUnix: number, jsonEscape: string) => {
  const text = ownRoundReport('eu1', endUnix).toString('utf8');
  const out = text.replace(/"rawName":"([^"]*)"/, `"rawName":"Bad${jsonEscape}Name"`);
  if (out === text) throw new Error('the fixture has no rawName to poison');
  return Buffer.from(out);
};

function post(port: number, body: Buffer): Promise<{ status: number; json: Record<string, unknown> }> {
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: '127.0.0.1',
        port,
        path: '/v1/reports',
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'x-et-ledger-signature': signReport(SECRET, body, Math.floor(Date.now() / 1000)),
        },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () =>
          resolve({ status: res.statusCode ?? 0, json: JSON.parse(Buffer.concat(chunks).toString('utf8')) }),
        );
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

describe.skipIf(!postgresAvailable())('reports the log cannot store as text', () => {
  it.each([
    ['a NUL', '\\u0000'],
    ['a lone surrogate', '\\ud800'],
  ])(
    'a signed report with %s in a name: 422, kept raw in quarantine, and the next report is taken',
    async (_n, esc) => {
      const ledger = await openPostgresLedger('poison_http');
      const receiver = createReportReceiver({
        append: (e) => ledger.store.appendFacts(e),
        log: captureLog().log,
        metrics: createMetrics(),
        servers: [{ id: 'eu1', tz: 'Europe/Ljubljana', reportSecret: SECRET }],
        host: '127.0.0.1',
        port: 0,
        maxFileBytes: 1024 * 1024,
        health: async () => ({ ok: true }),
      });
      const { port } = await receiver.start();
      try {
        const body = poisoned(1787160000, esc);
        const reply = await post(port, body);
        expect(reply.status).toBe(422);
        expect(reply.json).toMatchObject({ error: 'schema', quarantined: true });
        expect(String(reply.json.detail)).toMatch(/^invalid_text: \S+ contains U\+0000 or an unpaired surrogate/);
        // Sent again (our Lua script retries what is not 2xx/4xx): the same fact, not a new one.
        expect((await post(port, body)).status).toBe(422);
        const kept = await facts(ledger, 'UnrecognizedFactArrived');
        expect(kept).toHaveLength(1);
        expect(Buffer.from(kept[0]!.raw!).equals(body)).toBe(true);
        expect((await post(port, ownRoundReport('eu1', 1787160600))).status).toBe(200);
      } finally {
        await receiver.stop();
        await ledger.close();
      }
    },
  );

  it('as a spool file in a watched folder it is quarantined and the valid file behind it lands', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'etl-poison-spool-'));
    writeFileSync(join(dir, 'a-report.lua.json'), poisoned(1787160000, '\\u0000'));
    writeFileSync(join(dir, 'b-2026-08-19-214737-supply-round-2.txt'), statsFile('valid'));
    const ledger = await openPostgresLedger('poison_spool');
    const watcher = createDirWatcher({
      append: (e) => ledger.store.appendFacts(e),
      log: captureLog().log,
      metrics: createMetrics(),
      serverId: 'eu1',
      tz: 'Europe/Ljubljana',
      dirs: [dir],
      cursors: await openSqlCursorStore(ledger.db),
      maxFileBytes: 1024 * 1024,
      stableMs: 100,
      scanIntervalMs: 100,
    });
    try {
      await watcher.start();
      await waitFor('both files', async () => (await facts(ledger)).length === 2);
      expect((await facts(ledger)).map((f) => f.type).sort()).toEqual(['StatsFileArrived', 'UnrecognizedFactArrived']);
    } finally {
      await watcher.stop();
      await ledger.close();
    }
  });
});

describe('ingest of such a report', () => {
  it.each([
    ['PGlite', false, async () => `pglite:${freshPgliteDir()}`],
    ['PostgreSQL', !postgresAvailable(), async () => `postgres:${await freshPostgresUrl('poison_ingest')}`],
  ] as const)(
    'exits 0 with it quarantined (%s)',
    async (_kind, skip, store) => {
      if (skip) return;
      const dir = mkdtempSync(join(tmpdir(), 'etl-poison-ingest-'));
      writeFileSync(join(dir, 'report.lua.json'), poisoned(1787160000, '\\u0000'));
      const r = await runCli(['ingest', dir], { ET_LEDGER_STORE: await store(), ET_LEDGER_TZ: 'Europe/Ljubljana' });
      expect(r.code, r.stderr).toBe(0);
      expect(r.stdout).toMatch(/1 quarantined/);
      expect(r.stdout).toMatch(/invalid_text/);
      expect(r.stderr).not.toMatch(/\n\s+at /);
    },
    60_000,
  );
});
