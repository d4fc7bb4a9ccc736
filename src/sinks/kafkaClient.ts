// The kafkajs client built from the Kafka settings (src/config/kafka.ts), with kafkajs' own logs
// routed into ours. Topics are expected to exist or be auto-created: kafkajs' admin.createTopics is
// not used (it fails against librdkafka's mock cluster and needs rights a collector should not
// hold); docs/scale-out.md lists the topic settings to create them with.
import { Kafka, type LogEntry, logLevel } from 'kafkajs';
import type { KafkaConfig } from '../config/kafka.ts';
import type { Logger } from '../logger.ts';

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
