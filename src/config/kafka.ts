// Kafka settings (docs/scale-out.md), parsed once by cli/: the brokers and topics of the collector,
// the ledger's Kafka source and its Kafka sink. The client built from them is src/sinks/kafkaClient.ts.
import { z } from 'zod';
import { parseVariables, pickSet } from './variables.ts';

/** The variables the Kafka parts read, with an example: the source of docs/scale-out.md's table. */
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
  .regex(/^[A-Za-z0-9._-]{1,249}$/, 'must be a Kafka topic name: letters, digits, dot, dash or underscore');

export const KafkaEnv = z.object({
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

/** `collect --brokers`, `--topic`: they win over the variables. */
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
