// The HTTP receiver over real loopback requests, appending to a real PostgreSQL log: what each
// answer is (shared/spec/lua-report.md, delivery step 3), and that every refused request appended nothing.
import { once } from 'node:events';
import { type IncomingHttpHeaders, request } from 'node:http';
import { connect } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createMetrics, type LedgerMetrics } from '../../../src/metrics.ts';
import { createReportReceiver, type ReportReceiver } from '../../../src/sources/reportReceiver.ts';
import { signReport } from '../../../src/sources/reportSignature.ts';
import type { Ledger } from '../../../src/store/openStore.ts';
import { postgresAvailable } from '../../support/databases.ts';
import { captureLog, facts, legacyBody, openPostgresLedger, ownRoundReport } from './support.ts';

const SECRET = 'receiver-test-secret-0123456789';
const TOKEN = 'legacy-token-abcdefghijklmnop';
const nowUnix = () => Math.floor(Date.now() / 1000);

type Reply = { status: number; headers: IncomingHttpHeaders; body: string; json: Record<string, unknown> | null };

function send(
  port: number,
  path: string,
  body: Buffer | string,
  headers: Record<string, string> = {},
  method = 'POST',
): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, method, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        let json: Record<string, unknown> | null = null;
        try {
          json = JSON.parse(text) as Record<string, unknown>;
        } catch {}
        resolve({ status: res.statusCode ?? 0, headers: res.headers, body: text, json });
      });
    });
    req.on('error', reject);
    req.end(body);
  });
}

const signed = (port: number, body: Buffer, t = nowUnix(), secret = SECRET) =>
  send(port, '/v1/reports', body, {
    'content-type': 'application/json',
    'x-et-ledger-signature': signReport(secret, body, t),
  });

/** Writes raw bytes and returns what the server answered before closing, with the time it took. */
async function rawExchange(port: number, bytes: string): Promise<{ text: string; ms: number }> {
  const t0 = Date.now();
  const socket = connect(port, '127.0.0.1');
  await once(socket, 'connect');
  socket.write(bytes);
  let text = '';
  socket.on('data', (d: Buffer) => {
    text += d.toString('latin1');
  });
  await once(socket, 'close');
  return { text, ms: Date.now() - t0 };
}

describe.skipIf(!postgresAvailable())('HTTP report receiver', () => {
  let ledger: Ledger;
  let receiver: ReportReceiver;
  let metrics: LedgerMetrics;
  let port: number;
  const log = captureLog();

  beforeAll(async () => {
    ledger = await openPostgresLedger('http');
    metrics = createMetrics();
    receiver = createReportReceiver({
      append: (events) => ledger.store.appendFacts(events),
      log: log.log,
      metrics,
      servers: [
        { id: 'eu1', tz: 'Europe/Ljubljana', reportSecret: SECRET, legacyToken: TOKEN },
        { id: 'us1', tz: 'America/New_York' },
      ],
      host: '127.0.0.1',
      port: 0,
      maxFileBytes: 1024 * 1024,
      headersTimeoutMs: 300,
      requestTimeoutMs: 600,
      timeoutCheckMs: 50,
      health: async () => ({ ok: true, headPosition: await ledger.store.headPosition() }),
    });
    port = (await receiver.start()).port;
  });
  afterAll(async () => {
    await receiver?.stop();
    await ledger?.close();
  });

  /** Runs `work` and checks the log holds the same events afterwards. */
  async function appendsNothing(work: () => Promise<void>) {
    const before = await ledger.store.headPosition();
    await work();
    expect(await ledger.store.headPosition()).toBe(before);
  }

  const rejectionLogged = (reason: string) =>
    expect(log.lines.some((l) => l.msg === 'request rejected' && l.reason === reason)).toBe(true);

  it('accepts a signed round report: 200, and the LuaRoundEnded fact is in the log', async () => {
    const body = ownRoundReport('eu1', 1787160000, (r) => {
      r.pauses = [{ startUnix: 1787168073, endUnix: 1787168120, sec: 47 }];
    });
    const reply = await signed(port, body);
    expect(reply.status).toBe(200);
    expect(reply.json).toMatchObject({
      status: 'appended',
      kind: 'lua-round',
      reportId: 'lua-eu1:supply:1:1787160000',
    });
    const stored = await ledger.db.query<{ type: string; data: { serverId: string; source: unknown }; raw: Buffer }>(
      'select type, data, raw from ledger.events where event_id = any($1::uuid[]) order by position',
      [reply.json!.eventIds],
    );
    expect(stored.rows.map((r) => r.type)).toEqual(['LuaRoundEnded', 'PauseRecorded']);
    expect(stored.rows[0]!.data).toMatchObject({ serverId: 'eu1', source: { kind: 'http', ref: '/v1/reports' } });
    expect(stored.rows[0]!.raw.equals(body)).toBe(true);
  });

  it('stores a re-sent report once and still answers 200', async () => {
    const body = ownRoundReport('eu1', 1787169000);
    expect((await signed(port, body)).json).toMatchObject({ status: 'appended' });
    await appendsNothing(async () => {
      const again = await signed(port, body, nowUnix() - 5); // a later attempt signs again
      expect(again.status).toBe(200);
      expect(again.json).toMatchObject({ status: 'duplicate' });
    });
  });

  it('accepts a pause record', async () => {
    const body = Buffer.from(
      JSON.stringify({
        schema: 'et-ledger.pause/1',
        id: 'eu1:supply:2:pause:1787170100',
        server: 'eu1',
        map: 'supply',
        round: 2,
        roundStartUnix: 1787170000,
        startUnix: 1787170100,
        endUnix: 1787170130,
        sec: 30,
      }),
    );
    const reply = await signed(port, body);
    expect(reply.status).toBe(200);
    expect(reply.json).toMatchObject({ kind: 'lua-pause', status: 'appended' });
  });

  it('answers 401 to a missing, malformed or wrong signature, an unknown server and a stale timestamp', async () => {
    const body = ownRoundReport('eu1', 1787171000);
    await appendsNothing(async () => {
      const cases: [Promise<Reply>, string][] = [
        [send(port, '/v1/reports', body), 'missing_signature'],
        [send(port, '/v1/reports', body, { 'x-et-ledger-signature': 't=abc,v1=zz' }), 'malformed_signature'],
        [signed(port, body, nowUnix(), 'another-secret-0123456789'), 'bad_signature'],
        [signed(port, ownRoundReport('us1', 1787171000)), 'unknown_server'], // us1 has no secret
        [signed(port, ownRoundReport('xx9', 1787171000)), 'unknown_server'],
        [signed(port, body, nowUnix() - 301), 'stale'],
        // 20 s past the 300 s tolerance: a loaded machine may take seconds between signing and the check
        [signed(port, body, nowUnix() + 320), 'stale'],
      ];
      for (const [reply, reason] of cases) {
        const r = await reply;
        expect(r.status, reason).toBe(401);
        expect(r.json?.error, reason).toBe(reason);
        rejectionLogged(reason);
      }
    });
    // the same report, signed right, within the tolerance (20 s inside it, for the same reason)
    expect((await signed(port, body, nowUnix() - 280)).status).toBe(200);
  });

  it('answers 413 to a body over 64 KiB, declared or chunked', async () => {
    await appendsNothing(async () => {
      const big = Buffer.from(JSON.stringify({ schema: 'et-ledger.round/1', server: 'eu1', pad: 'x'.repeat(70_000) }));
      const declared = await signed(port, big);
      expect(declared.status).toBe(413);
      const chunked = await new Promise<number>((resolve, reject) => {
        const req = request(
          {
            host: '127.0.0.1',
            port,
            path: '/v1/reports',
            method: 'POST',
            headers: { 'x-et-ledger-signature': signReport(SECRET, big, nowUnix()), 'transfer-encoding': 'chunked' },
          },
          (res) => {
            res.resume();
            resolve(res.statusCode ?? 0);
          },
        );
        req.on('error', reject);
        for (let i = 0; i < big.length; i += 8192) req.write(big.subarray(i, i + 8192));
        req.end();
      });
      expect(chunked).toBe(413);
      rejectionLogged('too_large');
    });
  });

  it('answers 400 to malformed JSON', async () => {
    await appendsNothing(async () => {
      const r = await signed(port, Buffer.from('{"schema": "et-ledger.round/1", "server": "eu1",'));
      expect(r.status).toBe(400);
      expect(r.json?.error).toBe('malformed_json');
      rejectionLogged('malformed_json');
    });
  });

  it('keeps a signed report that breaks the schema: 422, appended as a quarantined fact with the reason', async () => {
    const body = ownRoundReport('eu1', 1787172000, (r) => {
      r.round = 7;
    });
    const r = await signed(port, body);
    expect(r.status).toBe(422);
    expect(r.json).toMatchObject({ error: 'schema', quarantined: true, status: 'appended' });
    expect(String(r.json!.detail)).toMatch(/round/);
    const [fact] = (await facts(ledger, 'UnrecognizedFactArrived')).filter((f) => f.raw?.equals(body));
    expect(fact!.data).toMatchObject({ serverId: 'eu1', source: { kind: 'http', ref: '/v1/reports' } });
    expect(String(fact!.data.reason)).toMatch(/^lua_report_bad_field at round/);
    expect(log.lines.some((l) => l.msg === 'report kept in quarantine')).toBe(true);
  });

  it('answers 408 to a client that sends its headers too slowly, and appends nothing', async () => {
    await appendsNothing(async () => {
      const { text } = await rawExchange(port, 'POST /v1/reports HTTP/1.1\r\nHost: x\r\nX-Et-Ledger-Sig');
      expect(text).toMatch(/^HTTP\/1\.1 408 /);
      rejectionLogged('timeout');
    });
  });

  it('answers 408 to a body that stops half way', async () => {
    const body = ownRoundReport('eu1', 1787173000);
    await appendsNothing(async () => {
      const head = `POST /v1/reports HTTP/1.1\r\nHost: x\r\nContent-Length: ${body.length}\r\nX-ET-Ledger-Signature: ${signReport(SECRET, body, nowUnix())}\r\n\r\n`;
      const { text } = await rawExchange(port, head + body.subarray(0, 100).toString('latin1'));
      expect(text).toMatch(/^HTTP\/1\.1 408 /);
    });
  });

  it("takes the legacy STATS_READY body on the token URL for the token's server, and refuses a wrong token", async () => {
    await appendsNothing(async () => {
      const r = await send(port, '/v1/legacy/not-the-token-at-all', legacyBody());
      expect(r.status).toBe(401);
      expect(r.json?.error).toBe('bad_token');
      expect(JSON.stringify(log.lines)).not.toContain('not-the-token-at-all');
    });
    const ok = await send(port, `/v1/legacy/${TOKEN}`, legacyBody(), { 'content-type': 'application/json' });
    expect(ok.status).toBe(204);
    const rounds = (await facts(ledger, 'LuaRoundEnded')).filter((f) => f.data.shape === 'legacy.stats-ready');
    expect(rounds).toHaveLength(1);
    expect(rounds[0]!.data).toMatchObject({ serverId: 'eu1', source: { kind: 'http', ref: '/v1/legacy' } });
    expect(JSON.stringify(log.lines)).not.toContain(TOKEN);
  });

  it('answers 404 and 405 to other paths and methods', async () => {
    await appendsNothing(async () => {
      expect((await send(port, '/v2/reports', '{}')).status).toBe(404);
      expect((await send(port, '/v1/reports', '', {}, 'GET')).status).toBe(405);
    });
  });

  it('serves /healthz and Prometheus /metrics with facts per source and rejections per reason', async () => {
    const health = await send(port, '/healthz', '', {}, 'GET');
    expect(health.status).toBe(200);
    expect(health.json).toMatchObject({ ok: true });
    const m = await send(port, '/metrics', '', {}, 'GET');
    expect(m.status).toBe(200);
    expect(m.headers['content-type']).toMatch(/^text\/plain/);
    expect(m.body).toMatch(
      /et_ledger_facts_appended_total\{source="http",server="eu1",type="LuaRoundEnded",outcome="appended"\} \d+/,
    );
    expect(m.body).toMatch(/et_ledger_http_rejections_total\{reason="bad_signature"\} 1/);
    expect(m.body).toMatch(/et_ledger_http_rejections_total\{reason="stale"\} 2/);
  });
});

describe('HTTP report receiver when the log is down', () => {
  it('answers 503 with Retry-After, so the script sends again; nothing is counted as appended', async () => {
    const metrics = createMetrics();
    const log = captureLog();
    const receiver = createReportReceiver({
      append: async () => {
        throw new Error('connection refused (simulated store outage)');
      },
      log: log.log,
      metrics,
      servers: [{ id: 'eu1', tz: 'Europe/Ljubljana', reportSecret: SECRET }],
      host: '127.0.0.1',
      port: 0,
      maxFileBytes: 1024 * 1024,
    });
    const { port } = await receiver.start();
    try {
      const r = await signed(port, ownRoundReport('eu1', 1787174000));
      expect(r.status).toBe(503);
      expect(r.headers['retry-after']).toBe('5');
      expect(await metrics.registry.getSingleMetricAsString('et_ledger_facts_appended_total')).not.toMatch(/ \d+$/m);
      expect(log.lines.some((l) => l.reason === 'store_unavailable')).toBe(true);
    } finally {
      await receiver.stop();
    }
  });
});

describe('HTTP receiver address and the metrics token', () => {
  const METRICS = 'metrics-token-0123456789abcdef';

  it('listens on 127.0.0.1 when no host is given, and says so', async () => {
    const log = captureLog();
    const receiver = createReportReceiver({
      append: async () => [],
      log: log.log,
      metrics: createMetrics(),
      servers: [{ id: 'eu1', tz: 'Europe/Ljubljana', reportSecret: SECRET }],
      port: 0,
      maxFileBytes: 1024 * 1024,
    });
    const { host, port } = await receiver.start();
    try {
      expect(host).toBe('127.0.0.1');
      expect((receiver.server.address() as { address: string }).address).toBe('127.0.0.1');
      expect(log.lines.find((l) => l.msg === 'HTTP receiver listening')).toMatchObject({
        host: '127.0.0.1',
        port,
        metrics: 'open',
      });
      // loopback and no token: nothing to warn about
      expect(log.messages(40)).toEqual([]);
      expect((await send(port, '/metrics', '', {}, 'GET')).status).toBe(200);
    } finally {
      await receiver.stop();
    }
  });

  it('with a token, GET /metrics needs `Authorization: Bearer <token>`: 401 without or with a wrong one; /healthz stays open', async () => {
    const log = captureLog();
    const metrics = createMetrics();
    const receiver = createReportReceiver({
      append: async () => [],
      log: log.log,
      metrics,
      servers: [{ id: 'eu1', tz: 'Europe/Ljubljana', reportSecret: SECRET }],
      host: '127.0.0.1',
      port: 0,
      maxFileBytes: 1024 * 1024,
      metricsToken: METRICS,
    });
    const { port } = await receiver.start();
    const get = (path: string, headers: Record<string, string> = {}, method = 'GET') =>
      send(port, path, '', headers, method);
    try {
      const refused: [string, Record<string, string>][] = [
        ['no header', {}],
        ['a wrong token', { authorization: 'Bearer metrics-token-0123456789abcdeX' }],
        ['a prefix of the token', { authorization: `Bearer ${METRICS.slice(0, -1)}` }],
        ['another scheme', { authorization: `Basic ${METRICS}` }],
        ['no scheme', { authorization: METRICS }],
        ['an empty bearer', { authorization: 'Bearer ' }],
      ];
      for (const [what, headers] of refused) {
        const r = await get('/metrics', headers);
        expect(r.status, what).toBe(401);
        expect(r.headers['www-authenticate'], what).toMatch(/^Bearer\b/);
        expect(r.headers['content-type'], what).toMatch(/^text\/plain/);
        expect(r.body, what).toMatch(/Bearer/);
        expect(r.body, what).not.toMatch(/et_ledger_/);
      }
      expect((await get('/metrics', {}, 'HEAD')).status).toBe(401);

      const ok = await get('/metrics', { authorization: `Bearer ${METRICS}` });
      expect(ok.status).toBe(200);
      expect(ok.headers['content-type']).toMatch(/^text\/plain/);
      expect(ok.body).toMatch(/et_ledger_http_rejections_total\{reason="metrics_token"\} 7/);
      expect((await get('/metrics', { authorization: `bearer ${METRICS}` })).status).toBe(200); // the scheme is case-insensitive

      const health = await get('/healthz');
      expect(health.status).toBe(200);
      expect(health.json).toMatchObject({ ok: true });

      expect(log.lines.find((l) => l.msg === 'HTTP receiver listening')).toMatchObject({ metrics: 'bearer' });
      expect(log.lines.filter((l) => l.msg === 'request rejected' && l.reason === 'metrics_token')).toHaveLength(7);
      const logged = JSON.stringify(log.lines);
      expect(logged).not.toContain(METRICS.slice(0, 20));
    } finally {
      await receiver.stop();
    }
  });

  it('warns at start when /metrics is open on an address beyond loopback', async () => {
    const log = captureLog();
    const receiver = createReportReceiver({
      append: async () => [],
      log: log.log,
      metrics: createMetrics(),
      servers: [{ id: 'eu1', tz: 'Europe/Ljubljana' }],
      host: '0.0.0.0',
      port: 0,
      maxFileBytes: 1024 * 1024,
    });
    const { host } = await receiver.start();
    try {
      expect(host).toBe('0.0.0.0');
      expect(log.messages(40).join('\n')).toMatch(/ET_LEDGER_METRICS_TOKEN/);
    } finally {
      await receiver.stop();
    }
  });
});
