// The collector's end of the facts topic: `append(events)` publishes identified raw facts instead
// of appending them to a local log, with the same signature as EventStore.appendFacts, so every
// source (folder watcher, SFTP poller, HTTP receiver) works unchanged beside a game server.
// It resolves once all in-sync replicas hold the records; the ledger's consumer dedupes by event id.
import type { Kafka, ProducerConfig } from 'kafkajs';
import { LedgerError } from '../errors.ts';
import type { Logger } from '../logger.ts';
import { encodeFactRecord } from '../sources/kafkaFactRecord.ts';
import type { AppendOutcome, NewEvent } from '../store/eventStore.ts';

export type FactPublisher = {
  /**
   * Publishes the facts in order (records of one server keep their order: same key, same partition).
   * Outcomes are `appended` with position and streamVersion -1: whether the ledger already holds a
   * fact is decided when it consumes the record, not here.
   */
  append(events: NewEvent[]): Promise<AppendOutcome[]>;
  close(): Promise<void>;
};

export async function createKafkaFactPublisher(opts: {
  kafka: Kafka;
  topic: string;
  log: Logger;
  producer?: ProducerConfig;
  /** How long one send may take before it fails (default 30 000 ms). */
  timeoutMs?: number;
}): Promise<FactPublisher> {
  const producer = opts.kafka.producer({
    allowAutoTopicCreation: true,
    ...opts.producer,
    maxInFlightRequests: 1,
    idempotent: false,
  });
  const log = opts.log.child({ sink: 'kafka-facts', topic: opts.topic });
  await producer.connect().catch((e: unknown) => {
    throw unavailable(e, opts.topic);
  });
  return {
    async append(events) {
      if (events.length === 0) return [];
      const messages = events.map(encodeFactRecord);
      try {
        await producer.send({ topic: opts.topic, messages, acks: -1, timeout: opts.timeoutMs ?? 30_000 });
      } catch (e) {
        throw unavailable(e, opts.topic);
      }
      log.debug({ records: messages.length }, 'facts published');
      return events.map((e) => ({ eventId: e.eventId, status: 'appended', position: -1, streamVersion: -1 }));
    },
    async close() {
      await producer.disconnect();
    },
  };
}

function unavailable(e: unknown, topic: string): LedgerError {
  return new LedgerError(
    'STORE_UNAVAILABLE',
    `Kafka did not take the facts (topic ${topic}): ${(e as Error).message}. Check KAFKA_BROKERS; the source retries`,
    { cause: e, retriable: true },
  );
}
