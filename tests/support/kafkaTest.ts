// Shared pieces of the Kafka tests and bench: quiet clients tuned for librdkafka's mock cluster,
// facts of a game server, and reading a topic back.

import { Writable } from 'node:stream';
import type { ConsumerConfig, IHeaders, Kafka } from 'kafkajs';
import { createLogger } from '../../src/logger.ts';
import { createKafka } from '../../src/sinks/kafkaClient.ts';
import { identifyFact } from '../../src/sources/identifyFact.ts';
import type { NewEvent } from '../../src/store/eventStore.ts';
import { generateStatsCorpus } from './statsFileGenerator.ts';

export const silentLog = createLogger('silent');

/** A logger that keeps warnings and errors, so a test that stalls can say what the component saw. */
export function recordingLog(): { log: ReturnType<typeof createLogger>; lines: () => string } {
  const seen: string[] = [];
  const sink = new Writable({
    write(chunk, _enc, done) {
      seen.push(String(chunk).trim());
      done();
    },
  });
  return { log: createLogger('warn', sink), lines: () => seen.slice(-10).join('\n') || '(no warnings)' };
}

export const testKafka = (brokers: string[], clientId = 'et-ledger-test'): Kafka =>
  createKafka({ brokers, clientId }, silentLog);

/** The mock's group join takes 3 s; fetches wait 100 ms instead of 5 s (disconnect is then fast too). */
export const testConsumerConfig: Omit<ConsumerConfig, 'groupId'> = {
  maxWaitTimeInMs: 100,
  sessionTimeout: 6_000,
  rebalanceTimeout: 6_000,
  heartbeatInterval: 500,
  retry: { retries: 8, initialRetryTime: 100, maxRetryTime: 2_000 },
};

let runs = 0;
/** A name no other test (or earlier run against the same long-lived cluster) has used. */
export const uniqueName = (label: string) => `${label}-${process.pid}-${Date.now().toString(36)}-${++runs}`;

/** `count` distinct stats-file facts of one server, as its collector would publish them. */
export function serverFacts(serverId: string, count: number, seed: number): NewEvent[] {
  return generateStatsCorpus(count, seed).map(
    (f) =>
      identifyFact({
        bytes: f.bytes,
        fileName: f.fileName,
        serverId,
        tz: 'Europe/Ljubljana',
        source: { kind: 'dir', ref: `/srv/${serverId}/gamestats/${f.fileName}` },
        receivedAt: '2026-08-19T21:41:36.000Z',
        maxBytes: 1 << 20,
      }).events[0],
  );
}

export type ReadRecord = {
  partition: number;
  offset: string;
  key: Buffer | null;
  value: Buffer | null;
  headers: IHeaders;
};

/** Reads `topic` from its beginning in a new consumer group until `enough` says so (one 3 s group join). */
export async function readTopic(
  kafka: Kafka,
  topic: string,
  enough: (records: ReadRecord[]) => boolean,
  timeoutMs = 30_000,
): Promise<ReadRecord[]> {
  const consumer = kafka.consumer({ ...testConsumerConfig, groupId: uniqueName('reader') });
  const records: ReadRecord[] = [];
  await consumer.connect();
  try {
    await consumer.subscribe({ topic, fromBeginning: true });
    let done: () => void = () => {};
    const finished = new Promise<void>((r) => {
      done = r;
    });
    await consumer.run({
      eachMessage: async ({ partition, message }) => {
        records.push({
          partition,
          offset: message.offset,
          key: message.key,
          value: message.value,
          headers: message.headers ?? {},
        });
        if (enough(records)) done();
      },
    });
    const timer = new Promise<never>((_, reject) =>
      setTimeout(
        () => reject(new Error(`read ${records.length} records of ${topic} in ${timeoutMs} ms`)),
        timeoutMs,
      ).unref(),
    );
    await Promise.race([finished, timer]);
    return records;
  } finally {
    await consumer.disconnect();
  }
}

export const headerText = (h: IHeaders, name: string) => {
  const v = h[name];
  const one = Array.isArray(v) ? v[0] : v;
  return one === undefined ? undefined : Buffer.isBuffer(one) ? one.toString('utf8') : one;
};

export async function waitFor(
  check: () => Promise<boolean>,
  timeoutMs: number,
  what: string | (() => string),
): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > end)
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${typeof what === 'string' ? what : what()}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}
