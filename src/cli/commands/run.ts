import { readFile } from 'node:fs/promises';
import { type DiscordConfig, loadDiscordConfig } from '../../config/discord.ts';
import { loadKafkaConfig } from '../../config/kafka.ts';
import { loadRunConfig, type RunConfig, relayChannels } from '../../config/run.ts';
import { runEnvVariables } from '../../config/service.ts';
import { loadWebConfig } from '../../config/web.ts';
import { LedgerError } from '../../errors.ts';
import type { Logger } from '../../logger.ts';
import { createMetrics } from '../../metrics.ts';
import { type LiveWatch, startLiveWatch } from '../../ops/liveWatch.ts';
import { folderProblems, startupSummary } from '../../ops/startupSummary.ts';
import { type CertificateInfo, readTlsPairAtStart, type TlsPair } from '../../ops/tlsFiles.ts';
import { listBuilds } from '../../runtime/catalog.ts';
import { listDeadLetters } from '../../runtime/deadLetters.ts';
import { activeProcessorGeneration } from '../../runtime/generations.ts';
import { type LiveRunner, prepareRuntime, type RuntimeDeps, runLive } from '../../runtime/ledgerRuntime.ts';
import { loadProjections } from '../../runtime/registry.ts';
import { waitingServers } from '../../runtime/waitingServers.ts';
import { createClockTicker } from '../../sources/clockTicker.ts';
import type { SourceDeps } from '../../sources/factSink.ts';
import { openSqlCursorStore } from '../../sources/fileCursor.ts';
import { createGroupAppend } from '../../sources/groupAppend.ts';
import { type Ledger, openLedger } from '../../store/openStore.ts';
import type { Command } from '../command.ts';
import {
  createConfiguredPollers,
  createConfiguredReceiver,
  createConfiguredWatchers,
  readPrivateKeys,
} from './configuredSources.ts';

export const runCommand: Command = {
  name: 'run',
  usage: 'et-ledger run [--config FILE] [--store STORE]',
  summary: 'the service: sources, projections, HTTP receiver, health and metrics; stops cleanly on SIGTERM',
  details: `Runs until SIGTERM or SIGINT: every projection follows the log; each game server's sources
(watched folders, SFTP poller) append new files; the HTTP receiver takes signed Lua reports
(POST /v1/reports) and legacy STATS_READY bodies (POST /v1/legacy/<token>) and serves
GET /healthz ("ok", or "degraded" with the reasons of each source that cannot work) and GET /metrics;
with ET_LEDGER_HTTP_TLS_CERT and ET_LEDGER_HTTP_TLS_KEY it speaks HTTPS and SIGHUP re-reads both;
the Discord relay (when a relay channel is configured) takes
STATS_READY messages of whitelisted webhooks; with a post channel, the Discord sink posts; a ClockTicked fact per server every 30 s while a round or session waits for time to pass, hourly otherwise;
with ET_LEDGER_WEB_PORT, the web pages (et-ledger web --help) from this process. On a signal it stops
the sources, the projections and the store, then exits 0. Logs are JSON lines on stderr.

--config FILE is JSON, described field by field in docs/run.md. Without it, one game server
comes from the environment (ET_LEDGER_SERVER_ID, ET_LEDGER_TZ and):
${Object.entries(runEnvVariables)
  .map(([k, v]) => `  ${k.padEnd(24)} ${v.help}\n  ${''.padEnd(24)} example: ${v.example}`)
  .join('\n')}

Examples:
  ET_LEDGER_SERVER_ID=eu1 ET_LEDGER_REPORT_SECRET=… ET_LEDGER_WATCH_DIR=/srv/etl/legacy/gamestats et-ledger run
  et-ledger run --config /etc/et-ledger/run.json --store postgres:postgres://etl@db/etl`,
  options: { config: { type: 'string' } },
  defaultLogLevel: 'info',
  async run({ config, values, log }) {
    const configPath = typeof values.config === 'string' ? values.config : null;
    let fileText: string | null = null;
    if (configPath !== null) {
      try {
        fileText = await readFile(configPath, 'utf8');
      } catch (e) {
        throw new LedgerError('CONFIG_INVALID', `cannot read --config ${configPath}: ${(e as Error).message}`, {
          cause: e,
        });
      }
    }
    const rc = loadRunConfig(process.env, fileText, config, configPath ? `--config ${configPath}` : undefined);
    // Parsed before anything starts: a Discord mistake must not surface after the sources run.
    const web = loadWebConfig(process.env);
    const discordOnly = loadDiscordConfig(process.env, { relay: relayChannels(rc).length > 0 });
    const discord = discordOnly && { ...discordOnly, publicUrl: web.publicUrl };
    const keys = await readPrivateKeys(rc);
    // Read and checked before anything starts: a bad certificate or key is a configuration error.
    const tls = rc.http.tls ? await readTlsPairAtStart(rc.http.tls) : undefined;
    const stopSignal = waitForStopSignal(log);
    const stack: { name: string; stop: () => Promise<void> }[] = [];
    let exitCode = 0;
    try {
      const ledger = await openLedger(config.store);
      stack.push({ name: 'store', stop: () => ledger.close() });
      const { address, projections } = await startService(
        rc,
        discord,
        keys,
        tls,
        ledger,
        log,
        stack,
        () => stopSignal.fail(),
        { sessionGapMin: config.sessionGapMin },
      );
      let webAddress = web;
      if (web.port !== null) {
        // A PGlite store is one process: the pages are served from here, over the same database.
        // Loaded when asked for: every other command starts without the web server's modules.
        const { startWebServer } = await import('../../web/webServer.ts');
        const pages = await startWebServer(
          { db: ledger.db, log, sessionGapMin: config.sessionGapMin },
          { host: web.host, port: web.port },
        ).catch((e: unknown) => {
          throw new LedgerError(
            'CONFIG_INVALID',
            `the web pages cannot listen on ${web.host}:${web.port}: ${(e as Error).message}\n    example: ET_LEDGER_WEB_PORT=8791`,
            { cause: e },
          );
        });
        stack.push({ name: 'web', stop: () => pages.stop() });
        log.info({ url: pages.url }, 'web pages are up');
        const url = new URL(pages.url);
        webAddress = { ...web, host: url.hostname, port: Number(url.port) };
      }
      // One line that says what is on and off, and why (docs/run.md, "Signals to alert on").
      log.info(
        startupSummary({
          rc,
          fromFile: configPath !== null,
          discord,
          web: webAddress,
          kafkaBrokers: process.env.KAFKA_BROKERS || null,
          receiver: address,
          folderProblems: await folderProblems(rc),
        }),
        'sources and sinks',
      );
      log.info({ ...address, servers: rc.servers.map((s) => s.id), projections }, 'et-ledger is running');
      const signal = await stopSignal.promise;
      log.info({ signal }, 'stopping');
      if (signal === 'failure') exitCode = 1;
    } finally {
      for (const part of stack.reverse()) {
        log.debug({ part: part.name }, 'stopping part');
        await part.stop().catch((e: unknown) => log.error({ err: e, part: part.name }, 'could not stop cleanly'));
      }
      stopSignal.dispose();
    }
    log.info({ exitCode }, 'stopped');
    return exitCode;
  },
};

async function startService(
  rc: RunConfig,
  discord: DiscordConfig | null,
  keys: Map<string, Buffer>,
  tls: (TlsPair & { info: CertificateInfo }) | undefined,
  ledger: Ledger,
  log: Logger,
  stack: { name: string; stop: () => Promise<void> }[],
  onFatal: () => void,
  { sessionGapMin }: { sessionGapMin: number },
): Promise<{ address: { host: string; port: number; protocol: 'http' | 'https' }; projections: string[] }> {
  const projections = await loadProjections();
  const runtime: RuntimeDeps = { db: ledger.db, store: ledger.store, log, projections };
  // Once before the runners: their concurrent first `create … if not exists` would race.
  await prepareRuntime(runtime);
  const runners: LiveRunner[] = projections.map((p) => runLive(runtime, p));
  for (const [i, r] of runners.entries())
    r.done.catch((e: unknown) => {
      log.fatal({ err: e, projection: projections[i]!.name }, 'projection runner stopped; shutting down');
      onFatal();
    });
  stack.push({ name: 'projections', stop: async () => void (await Promise.all(runners.map((r) => r.stop()))) });

  let watch: LiveWatch | null = null;
  const metrics = createMetrics({
    processMetrics: true,
    verdicts: async () =>
      (
        await ledger.db.query<{ server: string; status: string; count: number }>(
          'select server_id as server, status, count(*)::int as count from read.verdicts group by 1, 2',
        )
      ).rows,
    lastFactAges: () => watch?.lastFactAges() ?? {},
    projectionLag: async () => {
      const head = await ledger.store.headPosition();
      const builds = await listBuilds(ledger.db);
      return Object.fromEntries(builds.filter((b) => b.status === 'active').map((b) => [b.name, head - b.position]));
    },
    deadLetters: async () => {
      const counts: Record<string, number> = Object.fromEntries(projections.map((p) => [p.name, 0]));
      for (const d of await listDeadLetters(ledger.db, { state: 'skipped' }))
        counts[d.projection] = (counts[d.projection] ?? 0) + 1;
      return counts;
    },
  });
  const cursors = await openSqlCursorStore(ledger.db);
  const append = createGroupAppend((events) => ledger.store.appendFacts(events));
  const deps: SourceDeps = { append, log, metrics };

  const watchers = createConfiguredWatchers(rc, deps, cursors);
  const pollers = await createConfiguredPollers(rc, deps, cursors, keys);
  // 200 `ok` or `degraded` (a source cannot do its work: each reason names its server and source;
  // the service goes on); 503 `unavailable` when the store does not answer (the receiver's catch).
  const receiver = createConfiguredReceiver(
    rc,
    deps,
    async () => {
      const headPosition = await ledger.store.headPosition();
      const reasons = [...watchers.flatMap((w) => w.problems()), ...[...pollers.values()].flatMap((p) => p.problems())];
      const sftp = Object.fromEntries([...pollers].map(([id, p]) => [id, p.state()]));
      return { status: reasons.length > 0 ? 'degraded' : 'ok', ok: true, headPosition, reasons, sftp };
    },
    tls,
  );
  // Every interval only for a server with something waiting (a deadline, an open session); hourly otherwise.
  const ticker = createClockTicker({
    ...deps,
    servers: rc.servers.map((s) => s.id),
    intervalSec: rc.tickSec,
    waiting: (servers) => waitingServers(ledger.db, servers, sessionGapMin * 60),
  });

  const address = await receiver.start().catch((e: unknown) => {
    if (e instanceof LedgerError) throw e;
    throw new LedgerError(
      'CONFIG_INVALID',
      `the HTTP receiver cannot listen on ${rc.http.host}:${rc.http.port}: ${(e as Error).message}\n    example: ET_LEDGER_HTTP_PORT=8788 (or "http": { "port": 8788 } in the --config file)`,
      { cause: e },
    );
  });
  stack.push({ name: 'http', stop: () => receiver.stop() });
  const live = await startLiveWatch({
    store: ledger.store,
    db: ledger.db,
    log,
    metrics,
    servers: rc.servers.map((s) => s.id),
    activeGeneration: () => activeProcessorGeneration(ledger.db, projections),
  });
  watch = live;
  stack.push({ name: 'decision-log', stop: () => live.stop() });
  for (const w of watchers) {
    stack.push({ name: 'dir', stop: () => w.stop() });
    void w.start();
  }
  for (const p of pollers.values()) {
    stack.push({ name: 'sftp', stop: () => p.stop() });
    p.start();
  }
  stack.push({ name: 'ticker', stop: () => ticker.stop() });
  ticker.start();
  await startKafkaParts(rc, ledger, log, stack);
  // The Discord and Kafka modules (discord.js, the chart canvas, kafkajs: ≈ 60 MB of a process that
  // uses none of them) are loaded only when configured (README, "Benchmarks": idle RSS).
  if (discord && (discord.channels.rounds || discord.channels.timing || discord.guildId)) {
    const { startDiscordSink } = await import('../../sinks/discord/discordSink.ts');
    const sink = startDiscordSink({
      db: ledger.db,
      config: discord,
      log,
      registry: metrics.registry,
      appendFact: (event) => ledger.store.appendFacts([event]),
      sessionGapMin: Number(sessionGapMin),
    });
    stack.push({ name: 'discord', stop: () => sink.stop() });
  }
  const relays = relayChannels(rc);
  if (discord && relays.length > 0) {
    const { startDiscordRelay } = await import('../../sources/discordRelay.ts');
    // Not awaited: `ready` waits while the log is unavailable, and the relay retries on its own.
    const relay = startDiscordRelay({
      ...deps,
      token: discord.token,
      api: discord.api,
      relays,
      maxFileBytes: rc.maxFileBytes,
    });
    stack.push({ name: 'discord-relay', stop: () => relay.stop() });
  }

  const unused = rc.servers.filter(
    (s) => !s.reportSecret && !s.legacyToken && s.watchDirs.length === 0 && !s.sftp && !s.discordRelay,
  );
  for (const s of unused)
    log.warn(
      { server: s.id },
      'this server has no source: no report secret, legacy token, watched folder, SFTP or Discord relay',
    );
  return { address, projections: projections.map((p) => p.name) };
}

type StopReason = NodeJS.Signals | 'failure';

/**
 * The first SIGTERM or SIGINT stops the service gracefully; a second one ends the process at once.
 * `fail()` stops it the same way when a part cannot go on (exit code 1).
 */
export function waitForStopSignal(log: Logger): {
  promise: Promise<StopReason>;
  fail: () => void;
  dispose: () => void;
} {
  let received: StopReason | null = null;
  let resolve: (s: StopReason) => void = () => {};
  const promise = new Promise<StopReason>((r) => {
    resolve = r;
  });
  const onSignal = (signal: NodeJS.Signals) => {
    if (received) {
      log.warn({ signal }, 'second signal while stopping: exiting now');
      process.exit(1);
    }
    received = signal;
    resolve(signal);
  };
  process.on('SIGTERM', onSignal);
  process.on('SIGINT', onSignal);
  return {
    promise,
    fail() {
      received ??= 'failure';
      resolve('failure');
    },
    dispose() {
      process.off('SIGTERM', onSignal);
      process.off('SIGINT', onSignal);
    },
  };
}

/** With KAFKA_BROKERS set (docs/scale-out.md): facts come in from the facts topic, stored events go out. */
async function startKafkaParts(
  rc: RunConfig,
  ledger: Ledger,
  log: Logger,
  stack: { name: string; stop: () => Promise<void> }[],
): Promise<void> {
  if (!process.env.KAFKA_BROKERS) return;
  const kc = loadKafkaConfig(process.env);
  const [{ createKafka }, { startKafkaSource }, { startKafkaSink }] = await Promise.all([
    import('../../sinks/kafkaClient.ts'),
    import('../../sources/kafkaSource.ts'),
    import('../../sinks/kafkaSink.ts'),
  ]);
  const kafka = createKafka(kc, log);
  const first = rc.servers[0];
  const source = await startKafkaSource({
    kafka,
    store: ledger.store,
    log,
    topic: kc.factsTopic,
    groupId: kc.groupId,
    defaultServerId: first?.id ?? 'default',
    defaultTz: first?.tz ?? 'UTC',
    maxFileBytes: rc.maxFileBytes,
  });
  stack.push({ name: 'kafka-source', stop: () => source.stop() });
  const projections = await loadProjections();
  const sink = startKafkaSink({
    kafka,
    store: ledger.store,
    db: ledger.db,
    log,
    topic: kc.eventsTopic,
    activeGeneration: () => activeProcessorGeneration(ledger.db, projections),
  });
  stack.push({ name: 'kafka-sink', stop: () => sink.stop() });
}
