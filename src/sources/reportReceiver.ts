// The HTTP receiver (node:http) of `et-ledger run`:
//   POST /v1/reports         our signed `et-ledger.round/1` / `et-ledger.pause/1` reports
//   POST /v1/legacy/<token>  the legacy script's STATS_READY webhook body; the token names the server
//   GET  /healthz, /metrics  health (JSON) and Prometheus metrics; with `metricsToken`, /metrics
//                            needs `Authorization: Bearer <token>` (else 401), /healthz stays open
// Listens on 127.0.0.1 unless told otherwise: health and metrics are not for the whole network.
// With `tls` (a PEM certificate and key) it speaks HTTPS only; setTls swaps the certificate for new
// handshakes without closing a connection (SIGHUP in `run`, src/ops/tlsFiles.ts).
// Answers exactly as shared/spec/lua-report.md (delivery step 3) says: 401 missing or bad signature,
// unknown server or |now − t| > 300 s; 413 body over 64 KiB; 400 malformed JSON; 408 too slow; each
// a log line and nothing appended. A signed report that breaks the schema is appended as the
// quarantined fact identifyFact makes of it and answered 422. A duplicate is 200, stored once.
import { createHash, timingSafeEqual } from 'node:crypto';
import { once } from 'node:events';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer, type Server as HttpsServer } from 'node:https';
import type { AddressInfo, Socket } from 'node:net';
import { MAX_LUA_REPORT_BYTES, parseJsonBytes } from '../parser/luaReport.ts';
import { deliverArrival, type SourceDeps } from './factSink.ts';
import { readBody } from './httpBody.ts';
import { DEFAULT_TOLERANCE_SEC, SIGNATURE_HEADER, verifyReportSignature } from './reportSignature.ts';

export type ReceiverServer = { id: string; tz: string; reportSecret?: string; legacyToken?: string };

/**
 * `ok` false: the store does not answer (503). `status` says more: `ok`, `degraded` (a source
 * cannot do its work, `reasons` say which and why: still 200, the service goes on), `unavailable`.
 */
export type HealthReport = { ok: boolean; status?: 'ok' | 'degraded' | 'unavailable' } & Record<string, unknown>;

export type ReportReceiverOptions = SourceDeps & {
  servers: ReceiverServer[];
  /** Default 127.0.0.1 (loopback only); 0.0.0.0 when Lua reports come from another host. */
  host?: string;
  /** 0 picks a free port (see `start()`'s answer). Default 8787. */
  port?: number;
  maxFileBytes: number;
  maxBodyBytes?: number;
  toleranceSec?: number;
  /** Whole request headers must arrive within this (default 10 000 ms); else 408. */
  headersTimeoutMs?: number;
  /** The whole request, body included (default 30 000 ms); else 408. */
  requestTimeoutMs?: number;
  /** How often node checks the two timeouts above (default 1 000 ms). */
  timeoutCheckMs?: number;
  health?: () => Promise<HealthReport>;
  /** When set, GET /metrics answers 401 unless sent `Authorization: Bearer <metricsToken>`. Never logged. */
  metricsToken?: string;
  /** Serve HTTPS with this PEM certificate (chain) and private key; absent: plain HTTP. */
  tls?: { cert: Buffer; key: Buffer };
  now?: () => number;
};

export type ReportReceiver = {
  start(): Promise<{ host: string; port: number; protocol: 'http' | 'https' }>;
  stop(): Promise<void>;
  /** New TLS handshakes use this certificate and key; open connections keep theirs. Throws when they are unusable. */
  setTls(pair: { cert: Buffer; key: Buffer }): void;
  readonly server: Server | HttpsServer;
};

type Reject = (status: number, reason: string, detail: string, fields?: Record<string, unknown>) => void;

const digest = (s: string) => createHash('sha256').update(s).digest();

export function createReportReceiver(opts: ReportReceiverOptions): ReportReceiver {
  const log = opts.log.child({ source: 'http' });
  const now = opts.now ?? Date.now;
  const limit = opts.maxBodyBytes ?? MAX_LUA_REPORT_BYTES;
  const byId = new Map(opts.servers.map((s) => [s.id, s]));
  const tokens = opts.servers.flatMap((s) => (s.legacyToken ? [{ server: s, digest: digest(s.legacyToken) }] : []));
  const metricsDigest = opts.metricsToken ? digest(opts.metricsToken) : null;

  /** Compared as SHA-256 digests with timingSafeEqual: equal lengths, time independent of the token. */
  function metricsAllowed(req: IncomingMessage): boolean {
    if (metricsDigest === null) return true;
    const m = /^Bearer[ ]+(\S+)[ ]*$/i.exec(req.headers.authorization ?? '');
    return timingSafeEqual(metricsDigest, digest(m?.[1] ?? ''));
  }

  const httpOptions = {
    headersTimeout: opts.headersTimeoutMs ?? 10_000,
    requestTimeout: opts.requestTimeoutMs ?? 30_000,
    connectionsCheckingInterval: opts.timeoutCheckMs ?? 1000,
    keepAliveTimeout: 5000,
  };
  const onRequest = (req: IncomingMessage, res: ServerResponse) => {
    handle(req, res).catch((e: unknown) => {
      log.error({ err: e, path: pathOf(req) }, 'request handler failed');
      if (!res.headersSent) send(res, 500, { error: 'internal' });
      else res.destroy();
    });
  };
  const tls = opts.tls;
  const server: Server | HttpsServer = tls
    ? createHttpsServer({ ...httpOptions, cert: tls.cert, key: tls.key, minVersion: 'TLSv1.2' }, onRequest)
    : createServer(httpOptions, onRequest);

  // A handshake that failed (plain HTTP sent to the HTTPS port, a client that does not trust the certificate).
  server.on('tlsClientError', (err: NodeJS.ErrnoException, socket: Socket) => {
    if (err.code === 'ECONNRESET') return;
    opts.metrics.rejections.inc({ reason: 'tls_handshake' });
    log.warn({ reason: 'tls_handshake', remote: socket.remoteAddress, err: err.message }, 'TLS handshake failed');
  });

  // Timeouts and unparsable requests never reach the handler; answer and log them here.
  server.on('clientError', (err: NodeJS.ErrnoException, socket) => {
    const code = err.code ?? '';
    if (code === 'ECONNRESET' || code === 'HPE_INVALID_EOF_STATE' || !socket.writable) {
      socket.destroy();
      return;
    }
    const [status, reason, text] =
      code === 'ERR_HTTP_REQUEST_TIMEOUT'
        ? [408, 'timeout', 'Request Timeout']
        : code === 'HPE_HEADER_OVERFLOW'
          ? [431, 'headers_too_large', 'Request Header Fields Too Large']
          : [400, 'bad_http', 'Bad Request'];
    opts.metrics.rejections.inc({ reason });
    log.warn({ status, reason, remote: (socket as Socket).remoteAddress, err: err.message }, 'request rejected');
    socket.end(`HTTP/1.1 ${status} ${text}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
  });

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const path = pathOf(req);
    const reject: Reject = (status, reason, detail, fields = {}) => {
      opts.metrics.rejections.inc({ reason });
      log.warn(
        { status, reason, detail, path: redact(path), remote: req.socket.remoteAddress, ...fields },
        'request rejected',
      );
      send(res, status, { error: reason, detail }, status === 413 ? { connection: 'close' } : {});
      if (status === 413) req.resume();
    };
    if (path === '/healthz' || path === '/metrics') {
      if (req.method !== 'GET' && req.method !== 'HEAD') return reject(405, 'method', `${path} answers GET`);
      if (path === '/metrics') {
        if (!metricsAllowed(req)) {
          opts.metrics.rejections.inc({ reason: 'metrics_token' });
          log.warn(
            { status: 401, reason: 'metrics_token', path, remote: req.socket.remoteAddress },
            'request rejected',
          );
          const text = 'GET /metrics needs Authorization: Bearer <the metrics token>\n';
          res
            .writeHead(401, {
              'www-authenticate': 'Bearer realm="et-ledger metrics"',
              'content-type': 'text/plain; charset=utf-8',
              'content-length': Buffer.byteLength(text),
            })
            .end(text);
          return;
        }
        const text = await opts.metrics.registry.metrics();
        res.writeHead(200, { 'content-type': opts.metrics.registry.contentType }).end(text);
        return;
      }
      const health = opts.health
        ? await opts.health().catch((e: unknown) => ({ status: 'unavailable', ok: false, error: String(e) }))
        : { status: 'ok', ok: true };
      return send(res, health.ok ? 200 : 503, health);
    }
    if (path === '/v1/reports' || path.startsWith('/v1/legacy/')) {
      if (req.method !== 'POST') return reject(405, 'method', `${redact(path)} answers POST`);
      return path === '/v1/reports' ? receiveReport(req, res, reject) : receiveLegacy(req, res, reject, path);
    }
    return reject(
      404,
      'not_found',
      'known paths: POST /v1/reports, POST /v1/legacy/<token>, GET /healthz, GET /metrics',
    );
  }

  async function receiveReport(req: IncomingMessage, res: ServerResponse, reject: Reject): Promise<void> {
    const header = req.headers[SIGNATURE_HEADER];
    const nowUnix = Math.floor(now() / 1000);
    const tolerance = opts.toleranceSec ?? DEFAULT_TOLERANCE_SEC;
    const shape = verifyReportSignature({ header, body: '', server: null, secretFor: () => undefined, nowUnix });
    if (!shape.ok && (shape.reason === 'missing' || shape.reason === 'malformed'))
      return reject(401, `${shape.reason}_signature`, `send ${SIGNATURE_HEADER}: t=<unix>,v1=<hex HMAC-SHA256>`);
    const read = await readBody(req, limit);
    if (!read.ok) return bodyFailed(read.reason, reject);
    const json = parseJsonBytes(read.body);
    if (!json.ok) return reject(400, 'malformed_json', json.detail);
    const claimed = (json.value as { server?: unknown } | null)?.server;
    const serverId = typeof claimed === 'string' ? claimed : null;
    const check = verifyReportSignature({
      header,
      body: read.body,
      server: serverId,
      secretFor: (id) => byId.get(id)?.reportSecret,
      nowUnix,
      toleranceSec: tolerance,
    });
    if (!check.ok) {
      const detail =
        check.reason === 'stale'
          ? `the signature's t is more than ${tolerance} s from this server's clock`
          : check.reason === 'unknown_server'
            ? 'the report names no server this receiver has a secret for'
            : 'the signature does not match the body';
      return reject(401, check.reason, detail, { server: serverId });
    }
    const server = byId.get(serverId!)!;
    await deliver(res, reject, server, read.body, '/v1/reports', 200);
  }

  async function receiveLegacy(req: IncomingMessage, res: ServerResponse, reject: Reject, path: string): Promise<void> {
    const given = digest(path.slice('/v1/legacy/'.length));
    const server = tokens.find((t) => timingSafeEqual(t.digest, given))?.server;
    if (!server) return reject(401, 'bad_token', 'the URL token names no configured server (servers[].legacyToken)');
    const read = await readBody(req, limit);
    if (!read.ok) return bodyFailed(read.reason, reject);
    const json = parseJsonBytes(read.body);
    if (!json.ok) return reject(400, 'malformed_json', json.detail);
    // The legacy script posts to a Discord webhook URL, which answers 204 No Content.
    await deliver(res, reject, server, read.body, '/v1/legacy', 204);
  }

  function bodyFailed(reason: 'too_large' | 'aborted', reject: Reject) {
    if (reason === 'too_large') return reject(413, 'too_large', `the body limit is ${limit} bytes`);
    // Not counted as a rejection: a timeout was already answered and logged by 'clientError'.
    log.info({ reason: 'aborted' }, 'the client went away before the body ended; nothing appended');
  }

  async function deliver(
    res: ServerResponse,
    reject: Reject,
    server: ReceiverServer,
    body: Buffer,
    ref: string,
    okStatus: 200 | 204,
  ): Promise<void> {
    let delivered: Awaited<ReturnType<typeof deliverArrival>>;
    try {
      delivered = await deliverArrival(opts, {
        bytes: body,
        fileName: null,
        serverId: server.id,
        tz: server.tz,
        source: { kind: 'http', ref },
        receivedAt: new Date(now()).toISOString(),
        maxBytes: opts.maxFileBytes,
      });
    } catch (e) {
      res.setHeader('retry-after', '5');
      return reject(503, 'store_unavailable', 'the log did not take the report; send it again later', {
        server: server.id,
        err: e instanceof Error ? e.message : String(e),
      });
    }
    const { fact, status } = delivered;
    const eventIds = fact.events.map((e) => e.eventId);
    if (fact.kind === 'unrecognized') {
      opts.metrics.rejections.inc({ reason: 'schema' });
      log.warn({ status: 422, reason: 'schema', server: server.id, detail: fact.reason }, 'report kept in quarantine');
      return send(res, 422, { error: 'schema', detail: fact.reason, quarantined: true, status, eventIds });
    }
    if (okStatus === 204) {
      res.writeHead(204).end();
      return;
    }
    send(res, 200, {
      status,
      kind: fact.kind,
      eventIds,
      ...(fact.kind === 'lua-round' ? { reportId: fact.reportId } : {}),
    });
  }

  return {
    server,
    setTls(pair) {
      if (!tls) throw new Error('the receiver was started without TLS: it cannot take a certificate now');
      (server as HttpsServer).setSecureContext({ cert: pair.cert, key: pair.key });
    },
    async start() {
      server.listen(opts.port ?? 8787, opts.host ?? '127.0.0.1');
      await once(server, 'listening');
      const a = server.address() as AddressInfo;
      const protocol = tls ? ('https' as const) : ('http' as const);
      log.info(
        { host: a.address, port: a.port, protocol, metrics: metricsDigest === null ? 'open' : 'bearer' },
        'HTTP receiver listening',
      );
      if (metricsDigest === null && !isLoopback(a.address))
        log.warn(
          { host: a.address },
          'GET /metrics is open to every client that reaches this address; set ET_LEDGER_METRICS_TOKEN (or http.metricsToken)',
        );
      return { host: a.address, port: a.port, protocol };
    },
    async stop() {
      if (!server.listening) return;
      const closed = once(server, 'close');
      server.close();
      server.closeIdleConnections();
      const force = setTimeout(() => server.closeAllConnections(), 5000);
      await closed;
      clearTimeout(force);
    },
  };
}

function pathOf(req: IncomingMessage): string {
  const url = req.url ?? '/';
  const q = url.indexOf('?');
  return q < 0 ? url : url.slice(0, q);
}

const isLoopback = (address: string) =>
  address === '::1' || address.startsWith('127.') || address.startsWith('::ffff:127.');

/** Legacy tokens are credentials: never in a log line. */
const redact = (path: string) => (path.startsWith('/v1/legacy/') ? '/v1/legacy/<token>' : path);

function send(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text), ...headers });
  res.end(text);
}
