// librdkafka's mock Kafka cluster for tests (notes/peers.md §3). Preferred: our C driver
// (kafkaMock.c, built once per source version with gcc + librdkafka-dev) — set partition counts,
// brokers down and up. Fallback when it cannot be built: Debian's kcat holding a mock cluster
// (topics auto-created with 4 partitions, no fault injection: `canFault` is false).
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

export type KafkaMock = {
  brokers: string[];
  /** True when brokers can be taken down (the C driver runs). */
  canFault: boolean;
  createTopic(name: string, partitions: number): Promise<void>;
  down(brokerId: number): Promise<void>;
  up(brokerId: number): Promise<void>;
  stop(): Promise<void>;
};

const source = fileURLToPath(new URL('./kafkaMock.c', import.meta.url));

/** Compiles kafkaMock.c into the temp dir (cached by content hash); null when gcc or librdkafka-dev is missing. */
export function buildKafkaMock(): string | null {
  const hash = createHash('sha256').update(readFileSync(source)).digest('hex').slice(0, 12);
  const binary = join(tmpdir(), `et-ledger-kafka-mock-${hash}`);
  if (existsSync(binary)) return binary;
  try {
    const flags = execFileSync('pkg-config', ['--cflags', '--libs', 'rdkafka'], { encoding: 'utf8' })
      .trim()
      .split(/\s+/);
    mkdirSync(tmpdir(), { recursive: true });
    const partial = `${binary}.${process.pid}`;
    execFileSync('gcc', ['-O2', '-o', partial, source, ...flags], { stdio: 'pipe' });
    renameSync(partial, binary);
    return binary;
  } catch {
    return null;
  }
}

export async function startKafkaMock(
  opts: { brokers?: number; topics?: Record<string, number> } = {},
): Promise<KafkaMock> {
  const n = opts.brokers ?? 3;
  const binary = buildKafkaMock();
  return binary ? startDriver(binary, n, opts.topics ?? {}) : startKcat(n);
}

async function startDriver(binary: string, n: number, topics: Record<string, number>): Promise<KafkaMock> {
  const args = [String(n), ...Object.entries(topics).map(([t, p]) => `${t}:${p}`)];
  const child = spawn(binary, args, { stdio: ['pipe', 'pipe', 'inherit'] });
  const lines = createInterface({ input: child.stdout! });
  const waiting: ((line: string) => void)[] = [];
  let bootstrap: ((list: string) => void) | null = null;
  const ready = new Promise<string>((resolve, reject) => {
    bootstrap = resolve;
    child.once('exit', (code) => reject(new Error(`kafka mock exited with ${code} before it was ready`)));
  });
  lines.on('line', (line) => {
    if (line.startsWith('BOOTSTRAP=')) bootstrap?.(line.slice('BOOTSTRAP='.length));
    else waiting.shift()?.(line);
  });
  const list = await ready;
  const send = (command: string) =>
    new Promise<void>((resolve, reject) => {
      waiting.push((answer) => (answer.startsWith('OK') ? resolve() : reject(new Error(`kafka mock: ${answer}`))));
      child.stdin!.write(`${command}\n`);
    });
  return {
    brokers: list.split(','),
    canFault: true,
    createTopic: (name, partitions) => send(`topic ${name} ${partitions}`),
    down: (id) => send(`down ${id}`),
    up: (id) => send(`up ${id}`),
    stop: () => stopChild(child),
  };
}

async function startKcat(n: number): Promise<KafkaMock> {
  const child = spawn(
    'kcat',
    ['-b', 'mock-ignored:9092', '-X', `test.mock.num.brokers=${n}`, '-C', '-t', '__mock_holder', '-o', 'end', '-q'],
    { stdio: ['ignore', 'ignore', 'pipe'] },
  );
  const list = await new Promise<string>((resolve, reject) => {
    const lines = createInterface({ input: child.stderr! });
    lines.on('line', (line) => {
      const m = /replaced with ([0-9.:,]+)/.exec(line);
      if (m) resolve(m[1]!);
    });
    child.once('error', reject);
    child.once('exit', (code) => reject(new Error(`kcat exited with ${code}; apt-get install kcat`)));
  });
  const unsupported = () => Promise.reject(new Error('the kcat mock cannot take brokers down; install librdkafka-dev'));
  return {
    brokers: list.split(','),
    canFault: false,
    createTopic: async () => {},
    down: unsupported,
    up: unsupported,
    stop: () => stopChild(child),
  };
}

function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    child.once('exit', () => resolve());
    child.kill('SIGTERM');
  });
}
