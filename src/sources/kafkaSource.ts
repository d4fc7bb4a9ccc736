// Reads the facts topic in a consumer group and appends each record's fact(s) to the log. A
// partition's offset is committed only after the append of everything before it is durable, so a
// crash repeats records (the idempotent append stores them once) but never skips one. A record
// that cannot be read — or that the store refuses for good — is quarantined with its
// topic/partition/offset, and the consumer moves on.
import type { Consumer, ConsumerConfig, EachBatchPayload, Kafka, KafkaMessage } from 'kafkajs';
import { classifyFailure, errorLine } from '../failureKind.ts';
import type { Logger } from '../logger.ts';
import type { EventStore, NewEvent } from '../store/eventStore.ts';
import { decodeFactRecord, type FactRecord, quarantineRecord, type RecordContext } from './kafkaFactRecord.ts';

export type KafkaSourceOptions = {
  kafka: Kafka;
  store: EventStore;
  log: Logger;
  topic: string;
  groupId: string;
  /** For bare arrivals and quarantine entries whose record names no valid server or zone. */
  defaultServerId: string;
  defaultTz: string;
  maxFileBytes: number;
  /** Records appended per store call (default 500); offsets are committed after each such chunk. */
  chunkSize?: number;
  /** A new group starts at the topic's beginning (default), not at its end. */
  fromBeginning?: boolean;
  consumer?: Omit<ConsumerConfig, 'groupId'>;
  /** Back-off between attempts when the store is unavailable. */
  retry?: { initialMs: number; maxMs: number };
  /** Test seam: runs after a chunk is durable in the log and before its offsets are committed. */
  afterAppend?: (chunk: { partition: number; lastOffset: string; records: number }) => Promise<void> | void;
};

export type KafkaSourceStats = { records: number; appended: number; duplicates: number; quarantined: number };

export type KafkaSource = {
  stats(): KafkaSourceStats;
  stop(): Promise<void>;
};

export async function startKafkaSource(opts: KafkaSourceOptions): Promise<KafkaSource> {
  const chunkSize = opts.chunkSize ?? 500;
  const retry = opts.retry ?? { initialMs: 200, maxMs: 10_000 };
  const log = opts.log.child({ source: 'kafka', topic: opts.topic, group: opts.groupId });
  const stats: KafkaSourceStats = { records: 0, appended: 0, duplicates: 0, quarantined: 0 };
  let stopping = false;
  const consumer: Consumer = opts.kafka.consumer({ ...opts.consumer, groupId: opts.groupId });

  /** Appends until it works, or until the store says no for good (then the caller splits the chunk). */
  async function appendDurably(events: NewEvent[], p: EachBatchPayload): Promise<void> {
    for (let failures = 0; ; failures++) {
      try {
        const outcomes = await opts.store.appendFacts(events);
        for (const o of outcomes) {
          if (o.status === 'appended') stats.appended++;
          else stats.duplicates++;
        }
        return;
      } catch (e) {
        if (classifyFailure(e) === 'permanent' || stopping || !p.isRunning() || p.isStale()) throw e;
        const delay = Math.min(retry.maxMs, retry.initialMs * 2 ** Math.min(failures, 16));
        log.warn({ err: e, failures: failures + 1, retryInMs: delay }, 'the log is unavailable; retrying the append');
        await new Promise((r) => setTimeout(r, delay));
        await p.heartbeat().catch(() => {});
      }
    }
  }

  async function handleChunk(p: EachBatchPayload, ctx: RecordContext, messages: KafkaMessage[]): Promise<void> {
    const decoded = messages.map((m) => ({ m: m as FactRecord, ...decodeFactRecord(m as FactRecord, ctx) }));
    for (const d of decoded) {
      if (d.quarantined === null) continue;
      stats.quarantined++;
      log.warn({ ref: `${ctx.topic}/${ctx.partition}/${d.m.offset}`, reason: d.quarantined }, 'record quarantined');
    }
    try {
      await appendDurably(
        decoded.flatMap((d) => d.events),
        p,
      );
    } catch (e) {
      if (classifyFailure(e) === 'transient') throw e;
      // Refused for good (too large, invalid for this store): find the record(s) and quarantine them.
      for (const d of decoded) {
        try {
          await appendDurably(d.events, p);
        } catch (one) {
          if (classifyFailure(one) === 'transient') throw one;
          const reason = `store_rejected: ${errorLine(one)}`.slice(0, 500);
          log.warn({ ref: `${ctx.topic}/${ctx.partition}/${d.m.offset}`, reason }, 'record quarantined');
          stats.quarantined++;
          await appendDurably([quarantineRecord(d.m, ctx, reason)], p);
        }
      }
    }
    stats.records += messages.length;
  }

  await consumer.connect();
  await consumer.subscribe({ topic: opts.topic, fromBeginning: opts.fromBeginning ?? true });
  await consumer.run({
    autoCommit: false,
    eachBatchAutoResolve: false,
    eachBatch: async (p) => {
      const { batch } = p;
      const ctx: RecordContext = {
        topic: batch.topic,
        partition: batch.partition,
        defaultServerId: opts.defaultServerId,
        defaultTz: opts.defaultTz,
        maxBytes: opts.maxFileBytes,
      };
      for (let i = 0; i < batch.messages.length; i += chunkSize) {
        if (stopping || !p.isRunning() || p.isStale()) return;
        const chunk = batch.messages.slice(i, i + chunkSize);
        await handleChunk(p, ctx, chunk);
        const lastOffset = chunk[chunk.length - 1]!.offset;
        await opts.afterAppend?.({ partition: batch.partition, lastOffset, records: chunk.length });
        // The committed offset is the next record to read.
        await consumer.commitOffsets([
          { topic: batch.topic, partition: batch.partition, offset: (BigInt(lastOffset) + 1n).toString() },
        ]);
        p.resolveOffset(lastOffset);
        await p.heartbeat();
      }
    },
  });
  log.info('consuming facts');
  return {
    stats: () => ({ ...stats }),
    async stop() {
      stopping = true;
      await consumer.disconnect();
      log.info(stats, 'stopped consuming facts');
    },
  };
}
