// Kafka source against librdkafka's mock cluster (3 brokers, real wire protocol; tests/support/kafkaMock.ts)
// into a real PostgreSQL ledger. Each test uses its own topic and consumer group (one 3 s join each).
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Kafka, Producer } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { collectCommand } from '../../../src/cli/commands/collect.ts';
import { loadConfig } from '../../../src/config/common.ts';
import { withRetry } from '../../../src/errors.ts';
import { sha256Hex } from '../../../src/events/ids.ts';
import { createKafkaFactPublisher } from '../../../src/sinks/kafkaFactPublisher.ts';
import { encodeFactRecord, factHeader } from '../../../src/sources/kafkaFactRecord.ts';
import { startKafkaSource } from '../../../src/sources/kafkaSource.ts';
import type { NewEvent, StoredEvent } from '../../../src/store/eventStore.ts';
import { type Ledger, openLedger } from '../../../src/store/openStore.ts';
import { freshPostgresUrl, postgresAvailable } from '../../support/databases.ts';
import { type KafkaMock, startKafkaMock } from '../../support/kafkaMock.ts';
import { serverFacts, silentLog, testConsumerConfig, testKafka, uniqueName, waitFor } from '../../support/kafkaTest.ts';
import { generateStatsCorpus } from '../../support/statsFileGenerator.ts';

let mock: KafkaMock;
let kafka: Kafka;
let producer: Producer;
const open: { close: () => Promise<unknown> }[] = [];

beforeAll(async () => {
  mock = await startKafkaMock({ brokers: 3 });
  kafka = testKafka(mock.brokers);
  producer = kafka.producer({ allowAutoTopicCreation: true, maxInFlightRequests: 1 });
  await producer.connect();
});

afterAll(async () => {
  for (const o of open.reverse()) await o.close().catch(() => {});
  await producer?.disconnect();
  await mock?.stop();
});

async function freshLedger(): Promise<Ledger> {
  const ledger = await openLedger({ kind: 'postgres', url: await freshPostgresUrl('kafka') });
  open.push(ledger);
  return ledger;
}

async function startSource(ledger: Ledger, topic: string, groupId: string, extra: { chunkSize?: number } = {}) {
  const source = await startKafkaSource({
    kafka,
    store: ledger.store,
    log: silentLog,
    topic,
    groupId,
    defaultServerId: 'default',
    defaultTz: 'UTC',
    maxFileBytes: 1 << 20,
    consumer: testConsumerConfig,
    retry: { initialMs: 50, maxMs: 500 },
    ...extra,
  });
  open.push({ close: () => source.stop() });
  return source;
}

const allEvents = (ledger: Ledger) => ledger.store.readAll(0, 100_000);
const countOf = async (ledger: Ledger) => (await allEvents(ledger)).length;

/** Every expected id exactly once in the log, and nothing else of these servers. */
function expectEachOnce(log: StoredEvent[], expected: NewEvent[]) {
  const ids = log.map((e) => e.eventId);
  expect(new Set(ids).size).toBe(ids.length);
  expect(new Set(ids)).toEqual(new Set(expected.map((e) => e.eventId)));
}

async function committedEqualsEnd(topic: string, groupId: string) {
  const admin = kafka.admin();
  await admin.connect();
  try {
    const ends = await admin.fetchTopicOffsets(topic);
    const [committed] = await admin.fetchOffsets({ groupId, topics: [topic] });
    const byPartition = new Map(committed!.partitions.map((p) => [p.partition, p.offset]));
    return ends.every((e) => e.high === '0' || byPartition.get(e.partition) === e.high);
  } finally {
    await admin.disconnect();
  }
}

/** The broker leading the partition that holds the most records (the mock never moves leadership). */
async function busiestLeader(topic: string): Promise<number> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    const offsets = await admin.fetchTopicOffsets(topic);
    const busiest = offsets.reduce((a, b) => (Number(b.high) > Number(a.high) ? b : a));
    const { topics } = await admin.fetchTopicMetadata({ topics: [topic] });
    return topics[0]!.partitions.find((p) => p.partitionId === busiest.partition)!.leader;
  } finally {
    await admin.disconnect();
  }
}

describe.skipIf(!postgresAvailable())('kafka source', () => {
  it('appends the facts of two servers once each — collected from a folder, re-delivered, or bare — and quarantines a poison record with its topic/partition/offset', async () => {
    const topic = uniqueName('facts');
    await mock.createTopic(topic, 4);
    const ledger = await freshLedger();

    // Server eu1: `et-ledger collect --once` over its stats folder.
    const dir = mkdtempSync(join(tmpdir(), 'etl-collect-'));
    const eu1 = generateStatsCorpus(12, 7);
    const past = new Date(Date.now() - 60_000);
    for (const f of eu1) {
      writeFileSync(join(dir, f.fileName), f.bytes);
      utimesSync(join(dir, f.fileName), past, past);
    }
    const out: string[] = [];
    const state = join(dir, '.state', 'collect.json');
    const env = { ...process.env, ET_LEDGER_WATCH_DIR: dir, ET_LEDGER_HTTP_PORT: '0' };
    const collect = async () => {
      const saved = process.env;
      process.env = env;
      try {
        return await collectCommand.run({
          args: [],
          values: { once: true, brokers: mock.brokers.join(','), topic, state },
          config: loadConfig(env, { server: 'eu1', tz: 'Europe/Berlin' }),
          log: silentLog,
          io: { out: (l) => out.push(l), err: (l) => out.push(l), isTTY: false },
        });
      } finally {
        process.env = saved;
      }
    };
    expect(await collect()).toBe(0);
    expect(await collect()).toBe(0); // its state file: nothing is published twice
    expect(out).toEqual([`published 12 facts to ${topic}`, `published 0 facts to ${topic}`]);

    // Server us1: its collector published 15 facts, then (restarted without state) 5 of them again.
    const us1 = serverFacts('us1', 15, 11);
    const publisher = await createKafkaFactPublisher({ kafka, topic, log: silentLog });
    open.push(publisher);
    await publisher.append(us1);
    await publisher.append(us1.slice(0, 5));

    // A poison record (bytes that do not match the fact they claim) and a bare arrival from kcat or a script.
    const poison = encodeFactRecord(us1[0]!);
    poison.value = Buffer.from('not the bytes the sha256 describes');
    const bareName = '2026-08-19-214136-supply-round-1.txt';
    const bare = {
      fileName: bareName,
      bytes: readFileSync(new URL(`../../fixtures/stats/${bareName}`, import.meta.url)),
    };
    await producer.send({
      topic,
      messages: [
        poison,
        {
          key: 'us1',
          value: Buffer.from(bare.bytes),
          headers: { [factHeader.fileName]: bare.fileName, tz: 'America/New_York' },
        },
      ],
    });

    const groupId = uniqueName('ledger');
    const source = await startSource(ledger, topic, groupId);
    await waitFor(async () => (await countOf(ledger)) === 12 + 15 + 2, 30_000, 'every fact in the log');
    await waitFor(() => committedEqualsEnd(topic, groupId), 10_000, 'offsets committed to the end');
    const log = await allEvents(ledger);

    // (The generator's corpus holds some files no parser recognises: they are facts all the same.)
    const ofEu1 = log.filter((e) => (e.data as { serverId: string }).serverId === 'eu1');
    expect(ofEu1.map((e) => sha256Hex(e.raw!)).sort()).toEqual(eu1.map((f) => sha256Hex(f.bytes)).sort());
    expect(new Set(log.map((e) => e.eventId)).size).toBe(log.length);
    for (const f of us1) expect(log.filter((e) => e.eventId === f.eventId)).toHaveLength(1);
    const arrived = log.find((e) => e.raw && sha256Hex(e.raw) === sha256Hex(bare.bytes))!;
    expect(arrived.type).toBe('StatsFileArrived');
    expect(arrived.data).toMatchObject({
      serverId: 'us1',
      tz: 'America/New_York',
      fileName: bare.fileName,
      source: { kind: 'kafka' },
    });
    const quarantined = log.filter((e) => (e.data as { reason?: string }).reason?.startsWith('kafka_record_invalid'));
    expect(quarantined).toHaveLength(1);
    expect(quarantined[0]!.data).toMatchObject({
      serverId: 'us1',
      reason: expect.stringMatching(/^kafka_record_invalid: sha256_mismatch/),
      source: { kind: 'kafka', ref: expect.stringMatching(new RegExp(`^${topic}/[0-3]/\\d+$`)) },
    });
    expect(source.stats()).toMatchObject({ records: 12 + 20 + 2, appended: 29, duplicates: 5, quarantined: 1 });
  });

  it('loses and doubles nothing while a broker is down and comes back mid-stream', async (ctx) => {
    if (!mock.canFault) ctx.skip();
    const topic = uniqueName('facts-outage');
    await mock.createTopic(topic, 6);
    const ledger = await freshLedger();
    // Twelve servers, interleaved, so that every stretch of the stream reaches every busy partition.
    const perServer = Array.from({ length: 12 }, (_, k) => serverFacts(`srv${k}`, 10, 100 + k));
    const facts = Array.from({ length: 10 }, (_, j) => perServer.map((f) => f[j]!)).flat(); // round robin
    // kafkajs gives up on a send quickly here, so the collector's own retries are exercised too.
    const publisher = await createKafkaFactPublisher({
      kafka,
      topic,
      log: silentLog,
      timeoutMs: 2_000,
      producer: { retry: { retries: 1, initialRetryTime: 100, maxRetryTime: 300 } },
    });
    open.push(publisher);
    const source = await startSource(ledger, topic, uniqueName('ledger'), { chunkSize: 5 });
    let failedPublishes = 0;
    const publish = (events: NewEvent[]) =>
      withRetry(() => publisher.append(events), {
        retries: 60,
        initialDelayMs: 100,
        maxDelayMs: 500,
        onRetry: () => failedPublishes++,
      });
    for (let i = 0; i < 40; i += 4) await publish(facts.slice(i, i + 4));
    await waitFor(async () => (await countOf(ledger)) >= 20, 20_000, 'the first facts in the log');
    const victim = await busiestLeader(topic);
    await mock.down(victim);
    let longestSendMs = 0;
    const during = (async () => {
      for (let i = 40; i < 80; i += 4) {
        const t0 = Date.now();
        await publish(facts.slice(i, i + 4));
        longestSendMs = Math.max(longestSendMs, Date.now() - t0);
      }
    })();
    await new Promise((r) => setTimeout(r, 4_000));
    await mock.up(victim);
    await during;
    for (let i = 80; i < facts.length; i += 4) await publish(facts.slice(i, i + 4));
    await waitFor(async () => (await countOf(ledger)) >= facts.length, 60_000, 'every fact in the log');
    await new Promise((r) => setTimeout(r, 500));
    expectEachOnce(await allEvents(ledger), facts);
    // The outage was felt: sends to its partitions failed (and were retried) or waited for it to end.
    expect(failedPublishes > 0 || longestSendMs >= 3_000).toBe(true);
    expect(source.stats().quarantined).toBe(0);
  });

  it('loses and doubles nothing when the consumer is killed between its append and its offset commit', async () => {
    const topic = uniqueName('facts-kill');
    await mock.createTopic(topic, 2);
    const url = await freshPostgresUrl('kafkakill');
    const ledger = await openLedger({ kind: 'postgres', url });
    open.push(ledger);
    const facts = [...serverFacts('eu1', 30, 31), ...serverFacts('us1', 30, 32)];
    for (let i = 0; i < facts.length; i += 10)
      await producer.send({ topic, messages: facts.slice(i, i + 10).map(encodeFactRecord) });
    const groupId = uniqueName('ledger');

    // A child process consumes with chunks of 5 and is SIGKILLed right after its 3rd durable append.
    const child = spawn(
      process.execPath,
      [
        '--import',
        'tsx',
        fileURLToPath(new URL('../../support/kafkaSourceChild.ts', import.meta.url)),
        JSON.stringify({ brokers: mock.brokers, topic, groupId, url, chunkSize: 5, crashAfterChunks: 3 }),
      ],
      { stdio: ['ignore', 'pipe', 'inherit'] },
    );
    let output = '';
    child.stdout!.on('data', (d) => (output += String(d)));
    const exit = await new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((r) =>
      child.once('exit', (code, signal) => r({ code, signal })),
    );
    expect(exit.signal).toBe('SIGKILL');
    expect(output).toContain('killed');
    const before = await countOf(ledger);
    expect(before).toBe(15);

    // A new consumer of the same group takes over (after the dead member's session times out).
    const source = await startSource(ledger, topic, groupId, { chunkSize: 5 });
    await waitFor(async () => (await countOf(ledger)) >= facts.length, 60_000, 'every fact in the log');
    await waitFor(() => committedEqualsEnd(topic, groupId), 10_000, 'offsets committed to the end');
    expectEachOnce(await allEvents(ledger), facts);
    // The chunk appended but not committed was read again and absorbed as duplicates.
    expect(source.stats().duplicates).toBe(5);
  }, 120_000);
});
