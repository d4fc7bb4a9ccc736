// The Kafka source in a process of its own, so a test can have it killed (SIGKILL, no clean-up) at
// the worst instant: after a chunk is durable in the log, before its offsets are committed.
// argv[2]: JSON { brokers, topic, groupId, url, chunkSize, crashAfterChunks (0: never) }

import { startKafkaSource } from '../../src/sources/kafkaSource.ts';
import { openLedger } from '../../src/store/openStore.ts';
import { silentLog, testConsumerConfig, testKafka } from './kafkaTest.ts';

type ChildConfig = {
  brokers: string[];
  topic: string;
  groupId: string;
  url: string;
  chunkSize: number;
  crashAfterChunks: number;
};

const cfg = JSON.parse(process.argv[2] ?? '{}') as ChildConfig;
const ledger = await openLedger({ kind: 'postgres', url: cfg.url });
let chunks = 0;
await startKafkaSource({
  kafka: testKafka(cfg.brokers, 'et-ledger-child'),
  store: ledger.store,
  log: silentLog,
  topic: cfg.topic,
  groupId: cfg.groupId,
  defaultServerId: 'default',
  defaultTz: 'UTC',
  maxFileBytes: 1 << 20,
  chunkSize: cfg.chunkSize,
  consumer: testConsumerConfig,
  afterAppend: () => {
    if (++chunks === cfg.crashAfterChunks) {
      process.stdout.write('killed\n');
      process.kill(process.pid, 'SIGKILL');
    }
  },
});
process.stdout.write('ready\n');
