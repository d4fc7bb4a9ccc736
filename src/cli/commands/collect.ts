import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { kafkaEnvVariables, loadKafkaConfig } from '../../config/kafka.ts';
import { loadRunConfig, type RunConfig } from '../../config/run.ts';
import { runEnvVariables } from '../../config/service.ts';
import { LedgerError } from '../../errors.ts';
import { createMetrics } from '../../metrics.ts';
import type { AppendFacts, SourceDeps } from '../../sources/factSink.ts';
import type { CursorStore, FileMark } from '../../sources/fileCursor.ts';
import type { Command } from '../command.ts';
import {
  createConfiguredPollers,
  createConfiguredReceiver,
  createConfiguredWatchers,
  readPrivateKeys,
} from './configuredSources.ts';

const variables = { ...kafkaEnvVariables, ...runEnvVariables };

export const collectCommand: Command = {
  name: 'collect',
  usage: 'et-ledger collect [--config FILE] [--brokers LIST] [--topic TOPIC] [--state FILE] [--once]',
  summary: 'beside a game server: its sources publish facts to Kafka instead of appending them locally',
  details: `Runs the sources of \`et-ledger run\` — watched folders, the SFTP poller, the HTTP receiver of
Lua reports (POST /v1/reports, /v1/legacy/<token>, GET /healthz, /metrics) — but publishes every
fact to the facts topic (key: the server id) instead of appending it to a log; the ledger's Kafka
source appends them (docs/scale-out.md). Needs no database: which files were already published is
kept in --state FILE (default ./.et-ledger-collect.json); losing it only republishes, and the
ledger stores each fact once. --once publishes what the watched folders hold, then exits.
Servers and sources come from --config FILE or the environment, exactly as for \`et-ledger run\`:
${Object.entries(variables)
  .map(([k, v]) => `  ${k.padEnd(24)} ${v.help}\n  ${''.padEnd(24)} example: ${v.example}`)
  .join('\n')}

Examples:
  KAFKA_BROKERS=kafka:9092 ET_LEDGER_SERVER_ID=eu1 ET_LEDGER_TZ=Europe/Ljubljana \\
    ET_LEDGER_WATCH_DIR=/srv/etl/legacy/gamestats et-ledger collect
  et-ledger collect --once --brokers 127.0.0.1:9092 --server eu1 --tz Europe/Berlin`,
  options: {
    config: { type: 'string' },
    brokers: { type: 'string' },
    topic: { type: 'string' },
    state: { type: 'string' },
    server: { type: 'string' },
    tz: { type: 'string' },
    once: { type: 'boolean' },
  },
  async run({ config, values, log, io }) {
    const str = (k: string) => (typeof values[k] === 'string' ? (values[k] as string) : undefined);
    const configPath = str('config');
    const fileText = configPath === undefined ? null : await readConfig(configPath);
    const rc = loadRunConfig(process.env, fileText, config, configPath ? `--config ${configPath}` : undefined);
    const kc = loadKafkaConfig(process.env, { brokers: str('brokers'), factsTopic: str('topic') });
    const cursors = await openJsonCursorStore(str('state') ?? './.et-ledger-collect.json');
    // kafkajs loaded here, not with the module: every command's module is loaded for any command.
    const [{ createKafka }, { createKafkaFactPublisher }] = await Promise.all([
      import('../../sinks/kafkaClient.ts'),
      import('../../sinks/kafkaFactPublisher.ts'),
    ]);
    const publisher = await createKafkaFactPublisher({ kafka: createKafka(kc, log), topic: kc.factsTopic, log });
    let published = 0;
    const append: AppendFacts = async (events) => {
      const outcomes = await publisher.append(events);
      published += outcomes.length;
      return outcomes;
    };
    const deps: SourceDeps = { append, log, metrics: createMetrics() };
    const stack: { name: string; stop: () => Promise<void> }[] = [{ name: 'kafka', stop: () => publisher.close() }];
    try {
      if (values.once) {
        await collectOnce(rc, deps, cursors, stack);
        io.out(`published ${published} facts to ${kc.factsTopic}`);
        return 0;
      }
      const stopped = waitForStopSignal();
      await startSources(rc, deps, cursors, kc.factsTopic, stack);
      log.info({ topic: kc.factsTopic, servers: rc.servers.map((s) => s.id) }, 'collecting facts into Kafka');
      log.info({ signal: await stopped }, 'stopping');
      return 0;
    } finally {
      for (const part of stack.reverse())
        await part.stop().catch((e: unknown) => log.error({ err: e, part: part.name }, 'could not stop cleanly'));
    }
  },
};

type Stack = { name: string; stop: () => Promise<void> }[];

/** One catch-up listing of every watched folder: what has settled is published, then it returns. */
async function collectOnce(rc: RunConfig, deps: SourceDeps, cursors: CursorStore, stack: Stack) {
  const all = createConfiguredWatchers(rc, deps, cursors);
  if (all.length === 0)
    throw new LedgerError(
      'CONFIG_INVALID',
      '--once needs a watched folder\n    example: ET_LEDGER_WATCH_DIR=/srv/etl/legacy/gamestats',
    );
  for (const w of all) {
    stack.push({ name: 'dir', stop: () => w.stop() });
    await w.start();
  }
}

async function startSources(rc: RunConfig, deps: SourceDeps, cursors: CursorStore, topic: string, stack: Stack) {
  for (const w of createConfiguredWatchers(rc, deps, cursors)) {
    stack.push({ name: 'dir', stop: () => w.stop() });
    void w.start();
  }
  for (const poller of (await createConfiguredPollers(rc, deps, cursors, await readPrivateKeys(rc))).values()) {
    stack.push({ name: 'sftp', stop: () => poller.stop() });
    poller.start();
  }
  if (!rc.servers.some((s) => s.reportSecret || s.legacyToken)) return;
  const receiver = createConfiguredReceiver(rc, deps, async () => ({ ok: true, mode: 'collect', topic }));
  await receiver.start();
  stack.push({ name: 'http', stop: () => receiver.stop() });
}

async function readConfig(path: string): Promise<string> {
  try {
    return await readFile(path, 'utf8');
  } catch (e) {
    throw new LedgerError('CONFIG_INVALID', `cannot read --config ${path}: ${(e as Error).message}`, { cause: e });
  }
}

/**
 * The collector's memory of what it published, in one JSON file beside it (it has no database).
 * Rewritten whole after each file: a collector handles a few files per round.
 */
export async function openJsonCursorStore(path: string): Promise<CursorStore> {
  let state: Record<string, Record<string, FileMark>> = {};
  try {
    state = JSON.parse(await readFile(path, 'utf8')) as typeof state;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT')
      throw new LedgerError(
        'CONFIG_INVALID',
        `--state ${path} is not a readable collector state: ${(e as Error).message}`,
        {
          cause: e,
        },
      );
  }
  let writing = Promise.resolve();
  const save = () => {
    writing = writing.then(async () => {
      await mkdir(dirname(path), { recursive: true });
      await writeFile(`${path}.tmp`, JSON.stringify(state));
      await rename(`${path}.tmp`, path);
    });
    return writing;
  };
  return {
    async load(source) {
      return new Map(Object.entries(state[source] ?? {}));
    },
    async record(source, name, mark) {
      state[source] = { ...state[source], [name]: mark };
      await save();
    },
    async forget(source, names) {
      const marks = { ...state[source] };
      for (const n of names) delete marks[n];
      state[source] = marks;
      await save();
    },
  };
}

function waitForStopSignal(): Promise<NodeJS.Signals> {
  return new Promise((resolve) => {
    const onSignal = (signal: NodeJS.Signals) => {
      process.off('SIGTERM', onSignal);
      process.off('SIGINT', onSignal);
      resolve(signal);
    };
    process.on('SIGTERM', onSignal);
    process.on('SIGINT', onSignal);
  });
}
