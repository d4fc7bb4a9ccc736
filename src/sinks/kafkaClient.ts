// Kafka settings (environment, parsed once by cli/) and the kafkajs client built from them, with
// kafkajs' own logs routed into ours. Topics are expected to exist or be auto-created: kafkajs'
// admin.createTopics is not used (it fails against librdkafka's mock cluster and needs rights a
// collector should not hold); docs/scale-out.md lists the topic settings to create them with.
import { Kafka, type LogEntry, logLevel } from 'kafkajs';
import { z } from 'zod';
import { parseVariables, pickSet } from '../envConfig.ts';
import type { Logger } from '../logger.ts';

/** The variables the Kafka parts read (same shape as config.ts' envVariables, for help and the README). */
export const kafkaEnvVariables = {
  KAFKA_BROKERS: {
    example: 'kafka-1:9092,kafka-2:9092',
    help: 'bootstrap brokers, comma-separated (required by collect and the Kafka source and sink)',
  },
  KAFKA_CLIENT_ID: { example: 'et-ledger-eu1', help: 'client id the brokers see (default et-ledger)' },
  ET_LEDGER_FACTS_TOPIC: {
    example: 'et-ledger.facts',
    help: 'topic of raw facts, keyed by server (default et-ledger.facts)',
  },
  ET_LEDGER_EVENTS_TOPIC: {
    example: 'et-ledger.events',
    help: 'topic the sink publishes stored events to (default et-ledger.events)',
  },
  ET_LEDGER_KAFKA_GROUP: {
    example: 'et-ledger',
    help: 'consumer group of the ledger reading the facts topic (default et-ledger)',
  },
} as const;

const Topic = z
  .string()
  .regex(/^[A-Za-z0-9._-]{1,249}$/, 'a Kafka topic name is letters, digits, dot, dash or underscore');

const KafkaEnv = z.object({
  KAFKA_BROKERS: z
    .string({ error: 'is required' })
    .transform((s) =>
      s
        .split(',')
        .map((b) => b.trim())
        .filter((b) => b !== ''),
    )
    .pipe(z.array(z.string().regex(/^[^\s:]+:\d{1,5}$/, 'each broker is host:port')).min(1, 'names no broker')),
  KAFKA_CLIENT_ID: z.string().min(1).default('et-ledger'),
  ET_LEDGER_FACTS_TOPIC: Topic.default('et-ledger.facts'),
  ET_LEDGER_EVENTS_TOPIC: Topic.default('et-ledger.events'),
  ET_LEDGER_KAFKA_GROUP: z.string().min(1).default('et-ledger'),
});

export type KafkaConfig = {
  brokers: string[];
  clientId: string;
  factsTopic: string;
  eventsTopic: string;
  groupId: string;
};

export type KafkaOverrides = { brokers?: string | undefined; factsTopic?: string | undefined };

export function loadKafkaConfig(env: NodeJS.ProcessEnv, flags: KafkaOverrides = {}): KafkaConfig {
  const source = pickSet(env, Object.keys(KafkaEnv.shape));
  if (flags.brokers !== undefined) source.KAFKA_BROKERS = flags.brokers;
  if (flags.factsTopic !== undefined) source.ET_LEDGER_FACTS_TOPIC = flags.factsTopic;
  const e = parseVariables(KafkaEnv, source, kafkaEnvVariables, 'Kafka configuration');
  return {
    brokers: e.KAFKA_BROKERS,
    clientId: e.KAFKA_CLIENT_ID,
    factsTopic: e.ET_LEDGER_FACTS_TOPIC,
    eventsTopic: e.ET_LEDGER_EVENTS_TOPIC,
    groupId: e.ET_LEDGER_KAFKA_GROUP,
  };
}

/** A kafkajs client whose logs go to `log` (kafkajs INFO is chatty: it becomes debug). */
export function createKafka(cfg: Pick<KafkaConfig, 'brokers' | 'clientId'>, log: Logger): Kafka {
  const kafkaLog = log.child({ component: 'kafkajs' });
  return new Kafka({
    clientId: cfg.clientId,
    brokers: cfg.brokers,
    logLevel: logLevel.WARN,
    logCreator:
      () =>
      ({ namespace, level, log: entry }: LogEntry) => {
        const { message, timestamp: _ts, logger: _l, ...extra } = entry;
        const fields = { namespace, ...extra };
        if (level === logLevel.ERROR) kafkaLog.error(fields, message);
        else if (level === logLevel.WARN) kafkaLog.warn(fields, message);
        else kafkaLog.debug(fields, message);
      },
  });
}
