// npm run bench -- http: signed reports per second the HTTP receiver accepts (signature check,
// schema, append to PostgreSQL, or PGlite when there is none) from a keep-alive load generator on
// loopback (32 concurrent requests, 5 s), with p50/p99 latency from sending a report to its
// answer — the answer is sent after the fact's append committed. Baseline in the same run: the same
// node:http server reading the body and answering 200 without checking or appending. The server
// runs in a child process so that it and the load generator each have a core.
import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { readFileSync } from 'node:fs';
import { Agent, createServer, request } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createInterface } from 'node:readline';
import { fileURLToPath, pathToFileURL } from 'node:url';
import pino from 'pino';
import { createMetrics } from '../src/metrics.ts';
import { createGroupAppend } from '../src/sources/groupAppend.ts';
import { createReportReceiver } from '../src/sources/reportReceiver.ts';
import { signReport } from '../src/sources/reportSignature.ts';
import { openLedger, type StoreSpec } from '../src/store/openStore.ts';
import { table, tempDir, withBenchDatabase } from './support.ts';

const SECRET = 'bench-secret-0123456789abcdef';
const DURATION_MS = 5000;
const WARMUP_MS = 500;
const CONCURRENCY = 32;
const self = fileURLToPath(import.meta.url);

type Mode = 'receiver' | 'baseline';

/** The server half, run as `node --import tsx bench/http.ts serve <mode> <store spec JSON>`. */
async function serve(mode: Mode, spec: StoreSpec | null): Promise<void> {
  let close: () => Promise<void>;
  let port: number;
  if (mode === 'baseline') {
    const server = createServer((req, res) => {
      req.resume();
      req.on('end', () => res.writeHead(200, { 'content-type': 'application/json' }).end('{"status":"ok"}'));
    });
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    port = (server.address() as AddressInfo).port;
    close = async () => {
      server.closeAllConnections();
      server.close();
    };
  } else {
    const ledger = await openLedger(spec!);
    const receiver = createReportReceiver({
      append: createGroupAppend((events) => ledger.store.appendFacts(events)),
      log: pino({ level: 'silent' }),
      metrics: createMetrics(),
      servers: [{ id: 'bench', tz: 'Europe/Ljubljana', reportSecret: SECRET }],
      host: '127.0.0.1',
      port: 0,
      maxFileBytes: 1024 * 1024,
    });
    port = (await receiver.start()).port;
    close = async () => {
      receiver.server.closeAllConnections();
      await receiver.stop();
      await ledger.close();
    };
  }
  process.stdout.write(`${JSON.stringify({ port })}\n`);
  process.stdin.resume();
  await once(process.stdin, 'end');
  await close();
}

const template = JSON.parse(
  readFileSync(new URL('../tests/fixtures/lua/round1-spec-example.json', import.meta.url), 'utf8'),
) as Record<string, unknown>;

function report(n: number): Buffer {
  const end = 1_800_000_000 + n;
  return Buffer.from(
    JSON.stringify({
      ...template,
      server: 'bench',
      id: `bench:supply:1:${end}`,
      roundEndUnix: end,
      roundStartUnix: end - 621,
      pauses: [],
    }),
  );
}

type Load = { accepted: number; failed: number; perSec: number; p50: number; p99: number };

async function load(port: number, runLabel: number): Promise<Load> {
  const agent = new Agent({ keepAlive: true, maxSockets: CONCURRENCY });
  let n = runLabel * 10_000_000;
  let accepted = 0;
  let failed = 0;
  const latencies: number[] = [];
  const start = Date.now();
  const measureFrom = start + WARMUP_MS;
  const end = measureFrom + DURATION_MS;
  const one = () =>
    new Promise<void>((resolve) => {
      const body = report(n++);
      const t0 = process.hrtime.bigint();
      const req = request(
        {
          host: '127.0.0.1',
          port,
          path: '/v1/reports',
          method: 'POST',
          agent,
          headers: {
            'content-type': 'application/json',
            'content-length': body.length,
            'x-et-ledger-signature': signReport(SECRET, body, Math.floor(Date.now() / 1000)),
          },
        },
        (res) => {
          res.resume();
          res.on('end', () => {
            if (Date.now() >= measureFrom) {
              if (res.statusCode === 200) {
                accepted++;
                latencies.push(Number(process.hrtime.bigint() - t0) / 1e6);
              } else failed++;
            }
            resolve();
          });
        },
      );
      req.on('error', () => {
        failed++;
        resolve();
      });
      req.end(body);
    });
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (Date.now() < end) await one();
    }),
  );
  agent.destroy();
  latencies.sort((a, b) => a - b);
  const q = (p: number) => latencies[Math.min(latencies.length - 1, Math.floor(p * latencies.length))] ?? Number.NaN;
  return { accepted, failed, perSec: (accepted / (Date.now() - measureFrom)) * 1000, p50: q(0.5), p99: q(0.99) };
}

async function startServer(mode: Mode, spec: StoreSpec | null): Promise<{ child: ChildProcess; port: number }> {
  const child = spawn(process.execPath, ['--import', 'tsx', self, 'serve', mode, JSON.stringify(spec)], {
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  const [line] = (await once(createInterface({ input: child.stdout! }), 'line')) as [string];
  return { child, port: (JSON.parse(line) as { port: number }).port };
}

async function stopServer(child: ChildProcess): Promise<void> {
  const exited = once(child, 'exit');
  child.stdin!.end();
  await exited;
}

export async function run(): Promise<void> {
  const pgBench = withBenchDatabase();
  const pglite = pgBench ? null : tempDir('http');
  const spec: StoreSpec = pgBench ? { kind: 'postgres', url: pgBench.url } : { kind: 'pglite', dir: pglite!.dir };
  try {
    const rows: Record<string, string | number>[] = [];
    const base = await startServer('baseline', null);
    const baseline = await load(base.port, 1);
    await stopServer(base.child);
    const recv = await startServer('receiver', spec);
    const receiver = await load(recv.port, 2);
    await stopServer(recv.child);
    rows.push(
      {
        server: 'baseline: read body, answer 200',
        'req/s': baseline.perSec,
        'p50 ms': baseline.p50,
        'p99 ms': baseline.p99,
        failed: baseline.failed,
      },
      {
        server: `receiver: HMAC + schema + append (${spec.kind})`,
        'req/s': receiver.perSec,
        'p50 ms': receiver.p50,
        'p99 ms': receiver.p99,
        failed: receiver.failed,
      },
    );
    console.log(
      `HTTP receiver, ${CONCURRENCY} concurrent keep-alive clients on loopback, ${DURATION_MS / 1000} s each`,
    );
    table(rows);
    console.log(`ratio receiver / baseline: ${((receiver.perSec / baseline.perSec) * 100).toFixed(1)} %`);
  } finally {
    pgBench?.drop();
    pglite?.remove();
  }
}

if (process.argv[1] && pathToFileURL(process.argv[1]).href === import.meta.url && process.argv[2] === 'serve') {
  const spec = JSON.parse(process.argv[4] ?? 'null') as StoreSpec | null;
  await serve(process.argv[3] as Mode, spec);
}
