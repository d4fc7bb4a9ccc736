// Kafka sink against librdkafka's mock cluster (3 brokers; tests/support/kafkaMock.ts), from a real
// PostgreSQL ledger. The topic is read back once, by one consumer group (one 3 s join).
import type { Kafka } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { clockTickIdentity, verdictIdentity } from '../../../src/events/ids.ts';
import { decodeEventRecord } from '../../../src/sinks/kafkaEventRecord.ts';
import { type KafkaSink, startKafkaSink } from '../../../src/sinks/kafkaSink.ts';
import { readSinkCheckpoint } from '../../../src/sinks/kafkaSinkCheckpoint.ts';
import type { NewEvent, StoredEvent } from '../../../src/store/eventStore.ts';
import { type Ledger, openLedger } from '../../../src/store/openStore.ts';
import { freshPostgresUrl, postgresAvailable } from '../../support/databases.ts';
import { type KafkaMock, startKafkaMock } from '../../support/kafkaMock.ts';
import { readTopic, recordingLog, serverFacts, testKafka, uniqueName, waitFor } from '../../support/kafkaTest.ts';

let mock: KafkaMock;
let kafka: Kafka;

beforeAll(async () => {
  mock = await startKafkaMock({ brokers: 3 });
  kafka = testKafka(mock.brokers);
});
afterAll(async () => {
  await mock?.stop();
});

const tick = (serverId: string, atUnix: number): NewEvent => ({
  ...clockTickIdentity(serverId, atUnix),
  type: 'ClockTicked',
  schemaVersion: 2,
  data: { serverId, atUnix },
});
const verdict = (roundKey: string, n: number): NewEvent => ({
  ...verdictIdentity(roundKey, `content-${n}`),
  type: 'RoundTimingReconciled',
  schemaVersion: 1,
  data: { roundKey, serverId: roundKey.split(':')[0], status: n % 2 ? 'ALIGNED' : 'MINOR_DIFF', n },
});

describe.skipIf(!postgresAvailable())('kafka sink', () => {
  let ledger: Ledger;
  afterAll(async () => {
    await ledger?.close();
  });

  it('publishes the log keyed by server or round, in log order per key, resuming from its checkpoint; a failed batch is republished once', async () => {
    ledger = await openLedger({ kind: 'postgres', url: await freshPostgresUrl('kafkasink') });
    const topic = uniqueName('events');
    await mock.createTopic(topic, 4);
    const eu1 = serverFacts('eu1', 14, 41);
    const us1 = serverFacts('us1', 14, 42);
    for (let i = 0; i < 14; i += 7) {
      await ledger.store.appendFacts([...eu1.slice(i, i + 7), ...us1.slice(i, i + 7)]);
      await ledger.store.appendFacts([tick('eu1', 1_000 + i), tick('us1', 1_000 + i)]);
      await ledger.store.appendFacts([verdict('eu1:supply:1:1700000000', i), verdict('us1:goldrush:2:1700000300', i)]);
    }
    // A later correction of the same round: consumers must see it after the first verdict.
    await ledger.store.appendFacts([verdict('eu1:supply:1:1700000000', 99)]);

    const name = `kafka:${topic}`;
    let failOnce = true;
    let batches = 0;
    const sinkLog = recordingLog();
    const start = (): KafkaSink =>
      startKafkaSink({
        kafka,
        store: ledger.store,
        db: ledger.db,
        log: sinkLog.log,
        topic,
        batchSize: 7,
        retry: { initialMs: 50, maxMs: 200 },
        afterPublish: () => {
          // A crash after the broker acknowledged the third batch, before the checkpoint moved.
          if (++batches === 3 && failOnce) {
            failOnce = false;
            throw new Error('crash between publish and checkpoint');
          }
        },
      });
    const caughtUp = async () => (await readSinkCheckpoint(ledger.db, name)) === (await ledger.store.headPosition());

    // A stalled sink fails the test with what it logged, and is stopped so the ledger can close.
    const follow = async (sink: KafkaSink, what: string) => {
      try {
        await waitFor(caughtUp, 20_000, () => `${what}; the sink logged:\n${sinkLog.lines()}`);
      } finally {
        await sink.stop();
      }
    };

    let sink = start();
    await follow(sink, 'the sink to reach the head');
    expect(sink.published()).toBe((await ledger.store.readAll(0, 10_000)).length + 7); // one batch of 7 went out twice
    const firstRunEvents = (await ledger.store.readAll(0, 10_000)).length;

    // A restart continues from the checkpoint: what was published is not sent again.
    await ledger.store.appendFacts([...serverFacts('eu1', 3, 43), verdict('us1:goldrush:2:1700000300', 100)]);
    sink = start();
    await follow(sink, 'the restarted sink to reach the head');

    const log = await ledger.store.readAll(0, 10_000);
    expect(sink.published()).toBe(log.length - firstRunEvents);

    const records = await readTopic(kafka, topic, (r) => r.length >= log.length + 7);
    expect(records).toHaveLength(log.length + 7);
    const read = records.map((r) => ({ ...decodeEventRecord(r), partition: r.partition, offset: Number(r.offset) }));

    // Consumers dedupe by event id: then the topic holds exactly the log.
    const seen = new Map<string, (typeof read)[number]>();
    for (const r of read.sort((a, b) => a.partition - b.partition || a.offset - b.offset))
      if (!seen.has(r.eventId)) seen.set(r.eventId, r);
    expect(seen.size).toBe(log.length);
    for (const e of log) {
      const r = seen.get(e.eventId)!;
      expect(r).toMatchObject({ position: e.position, streamId: e.streamId, type: e.type, data: e.data });
      expect(r.raw === null ? null : Buffer.from(r.raw)).toEqual(e.raw === null ? null : Buffer.from(e.raw));
    }

    // Keys: the server for facts and ticks, the round for verdicts; per key, log order.
    const keyOf = (e: StoredEvent) =>
      e.type === 'RoundTimingReconciled'
        ? (e.data as { roundKey: string }).roundKey
        : (e.data as { serverId: string }).serverId;
    const keys = [...new Set(log.map(keyOf))];
    expect(keys.sort()).toEqual(['eu1', 'eu1:supply:1:1700000000', 'us1', 'us1:goldrush:2:1700000300']);
    for (const key of keys) {
      const inLog = log.filter((e) => keyOf(e) === key).map((e) => e.position);
      const onTopic = [...seen.values()].filter((r) => r.key === key);
      expect(new Set(onTopic.map((r) => r.partition)).size).toBe(1);
      expect(onTopic.map((r) => r.position)).toEqual(inLog);
    }
  });
});

describe.skipIf(!postgresAvailable())('kafka sink and generations (DESIGN invariant 8)', () => {
  it("publishes only the active generation's derived events, and a swapped-in generation's events first", async () => {
    const ledger = await openLedger({ kind: 'postgres', url: await freshPostgresUrl('kafkagen') });
    try {
      const topic = uniqueName('events');
      await mock.createTopic(topic, 2);
      const gen = (roundKey: string, n: number, generation: number): NewEvent => {
        const v = verdict(roundKey, n);
        return {
          ...v,
          ...verdictIdentity(roundKey, `g${generation}-${n}`),
          data: { ...(v.data as object), generation },
        };
      };
      await ledger.store.appendFacts([tick('eu1', 1_000), gen('eu1:supply:1:1', 1, 1)]);
      let active = 1;
      const name = `kafka:${topic}`;
      const sinkLog = recordingLog();
      const sink = startKafkaSink({
        kafka,
        store: ledger.store,
        db: ledger.db,
        log: sinkLog.log,
        topic,
        batchSize: 2,
        retry: { initialMs: 50, maxMs: 200 },
        activeGeneration: async () => active,
      });
      const caughtUp = async () => (await readSinkCheckpoint(ledger.db, name)) === (await ledger.store.headPosition());
      const reach = (what: string) => waitFor(caughtUp, 20_000, () => `${what}; the sink logged:\n${sinkLog.lines()}`);
      try {
        await reach('the sink to reach the head');
        // A rebuild catching up appends generation 2 behind the sink's back: nothing of it is published.
        await ledger.store.appendFacts([gen('eu1:supply:1:1', 2, 2), gen('eu1:radar:1:2', 3, 2)]);
        await reach('the sink to pass the building generation');
        // The swap: the next batch first publishes generation 2 so far, then only generation 2.
        active = 2;
        await ledger.store.appendFacts([tick('eu1', 1_030), gen('eu1:supply:1:1', 4, 1), gen('eu1:ice:1:3', 5, 2)]);
        await reach('the sink to reach the head after the swap');
      } finally {
        await sink.stop();
      }
      const records = await readTopic(kafka, topic, (r) => r.length >= 6);
      const derived = records
        .map((r) => decodeEventRecord(r))
        .filter((r) => r.type === 'RoundTimingReconciled')
        .map((r) => (r.data as { n: number; generation: number }).n)
        .sort();
      expect(derived).toEqual([1, 2, 3, 5]);
      expect(records.map((r) => decodeEventRecord(r)).filter((r) => r.type === 'ClockTicked')).toHaveLength(2);
    } finally {
      await ledger.close();
    }
  });
});
