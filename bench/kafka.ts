// npm run bench -- kafka: facts/s from the facts topic into the log (Kafka source: decode, check,
// idempotent append, commit) and from the log to the events topic (Kafka sink: read, publish,
// checkpoint), against librdkafka's mock cluster (3 brokers), next to a bare kafkajs consume and
// produce of the very same records in the same run. The log is PostgreSQL (PGlite when there is
// none). Group joins (3 s on the mock) are left out: consuming is timed from the first record.
// BENCH_KAFKA_FACTS sets the count (default 4 000). The mock keeps about 5 MB per partition and
// drops older records beyond that, so the facts are spread over 32 servers and 12 partitions.
import type { Kafka, Message } from 'kafkajs';
import { createKafkaFactPublisher } from '../src/sinks/kafkaFactPublisher.ts';
import { startKafkaSink } from '../src/sinks/kafkaSink.ts';
import { readSinkCheckpoint } from '../src/sinks/kafkaSinkCheckpoint.ts';
import { encodeFactRecord } from '../src/sources/kafkaFactRecord.ts';
import { startKafkaSource } from '../src/sources/kafkaSource.ts';
import type { EventStore, NewEvent } from '../src/store/eventStore.ts';
import { type Ledger, openLedger } from '../src/store/openStore.ts';
import { startKafkaMock } from '../tests/support/kafkaMock.ts';
import {
  serverFacts,
  silentLog,
  testConsumerConfig,
  testKafka,
  uniqueName,
  waitFor,
} from '../tests/support/kafkaTest.ts';
import { table, tempDir, withBenchDatabase } from './support.ts';

// Records per produce request: 200 × ~3 KiB stays under the brokers' 1 MB message.max.bytes.
const perSend = 200;

async function bareProduce(kafka: Kafka, topic: string, messages: Message[]): Promise<number> {
  const producer = kafka.producer({ allowAutoTopicCreation: true, maxInFlightRequests: 1 });
  await producer.connect();
  await producer.send({ topic: `${topic}-warm`, messages: messages.slice(0, 1), acks: -1 }); // metadata, connections
  const t0 = performance.now();
  for (let i = 0; i < messages.length; i += perSend)
    await producer.send({ topic, messages: messages.slice(i, i + perSend), acks: -1 });
  const ms = performance.now() - t0;
  await producer.disconnect();
  return ms;
}

async function bareConsume(kafka: Kafka, topic: string, count: number): Promise<number> {
  const consumer = kafka.consumer({ ...testConsumerConfig, groupId: uniqueName('bench-bare') });
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: true });
  let first = 0;
  let seen = 0;
  let done: (ms: number) => void = () => {};
  const finished = new Promise<number>((r) => {
    done = r;
  });
  await consumer.run({
    autoCommit: false,
    eachBatch: async ({ batch }) => {
      if (seen === 0) first = performance.now();
      seen += batch.messages.length;
      await consumer.commitOffsets([
        { topic, partition: batch.partition, offset: (BigInt(batch.lastOffset()) + 1n).toString() },
      ]);
      if (seen >= count) done(performance.now() - first);
    },
  });
  const ms = await finished;
  await consumer.disconnect();
  return ms;
}

async function publish(kafka: Kafka, topic: string, facts: NewEvent[]): Promise<number> {
  const publisher = await createKafkaFactPublisher({ kafka, topic, log: silentLog });
  const t0 = performance.now();
  for (let i = 0; i < facts.length; i += perSend) await publisher.append(facts.slice(i, i + perSend));
  const ms = performance.now() - t0;
  await publisher.close();
  return ms;
}

/** Topic → log through the Kafka source; timed from its first append to the last fact in the log. */
async function sourceIntoLog(kafka: Kafka, ledger: Ledger, topic: string, count: number): Promise<number> {
  let first = 0;
  let stored = 0;
  const timedStore: EventStore = {
    ...ledger.store,
    async appendFacts(events) {
      if (first === 0) first = performance.now();
      const out = await ledger.store.appendFacts(events);
      stored += out.length;
      return out;
    },
  };
  const source = await startKafkaSource({
    kafka,
    store: timedStore,
    log: silentLog,
    topic,
    groupId: uniqueName('bench-ledger'),
    defaultServerId: 'default',
    defaultTz: 'UTC',
    maxFileBytes: 1 << 20,
    consumer: testConsumerConfig,
  });
  await waitFor(async () => stored >= count, 300_000, 'every fact in the log');
  const ms = performance.now() - first;
  await source.stop();
  return ms;
}

/** Log → topic through the Kafka sink; timed from its start to its checkpoint at the head. */
async function sinkFromLog(kafka: Kafka, ledger: Ledger, topic: string): Promise<number> {
  const head = await ledger.store.headPosition();
  const t0 = performance.now();
  const sink = startKafkaSink({ kafka, store: ledger.store, db: ledger.db, log: silentLog, topic, batchSize: 500 });
  await waitFor(
    async () => (await readSinkCheckpoint(ledger.db, `kafka:${topic}`)) === head,
    300_000,
    'the sink at the head',
  );
  const ms = performance.now() - t0;
  await sink.stop();
  return ms;
}

export async function run(): Promise<void> {
  const count = Number(process.env.BENCH_KAFKA_FACTS ?? 4000);
  const servers = 32;
  const facts: NewEvent[] = Array.from({ length: servers }, (_, k) =>
    serverFacts(`srv${k}`, Math.ceil(count / servers), 500 + k),
  )
    .flat()
    .slice(0, count);
  const messages = facts.map(encodeFactRecord);
  const bytes = messages.reduce((n, m) => n + (m.value as Buffer).length, 0);
  console.log(`${facts.length} facts, ${(bytes / facts.length / 1024).toFixed(1)} KiB each on average, 3 mock brokers`);

  const mock = await startKafkaMock({ brokers: 3 });
  const kafka = testKafka(mock.brokers, 'et-ledger-bench');
  const db = withBenchDatabase();
  const dir = db ? null : tempDir('kafka');
  const ledger = await openLedger(db ? { kind: 'postgres', url: db.url } : { kind: 'pglite', dir: dir!.dir });
  try {
    const bareTopic = uniqueName('bench-bare');
    const factsTopic = uniqueName('bench-facts');
    const eventsTopic = uniqueName('bench-events');
    for (const t of [bareTopic, `${bareTopic}-again`, factsTopic, `${factsTopic}-warm`, eventsTopic])
      await mock.createTopic(t, 12);

    // Best of two runs for both producers: the first writes into a cold mock run slower.
    const bareProduceMs = Math.min(
      await bareProduce(kafka, bareTopic, messages),
      await bareProduce(kafka, `${bareTopic}-again`, messages),
    );
    const bareConsumeMs = await bareConsume(kafka, bareTopic, facts.length);
    const publishMs = Math.min(
      await publish(kafka, `${factsTopic}-warm`, facts),
      await publish(kafka, factsTopic, facts),
    );
    const sourceMs = await sourceIntoLog(kafka, ledger, factsTopic, facts.length);
    const sinkMs = await sinkFromLog(kafka, ledger, eventsTopic);

    const rate = (ms: number) => Math.round((facts.length / ms) * 1000);
    table([
      {
        path: `topic → log (Kafka source, ${ledger.store.kind})`,
        'facts/s': rate(sourceMs),
        'bare kafkajs facts/s': rate(bareConsumeMs),
        ratio: sourceMs > 0 ? bareConsumeMs / sourceMs : 0,
      },
      {
        path: 'log → topic (Kafka sink)',
        'facts/s': rate(sinkMs),
        'bare kafkajs facts/s': rate(bareProduceMs),
        ratio: bareProduceMs / sinkMs,
      },
      {
        path: 'collector → topic (fact publisher)',
        'facts/s': rate(publishMs),
        'bare kafkajs facts/s': rate(bareProduceMs),
        ratio: bareProduceMs / publishMs,
      },
    ]);
    console.log(
      'bare kafkajs: a consumer group committing each batch (first row), a producer with acks=-1 (others); ratio = bare time / our time',
    );
  } finally {
    await ledger.close();
    db?.drop();
    dir?.remove();
    await mock.stop();
  }
}

if (import.meta.url === `file://${process.argv[1]}`) await run();
