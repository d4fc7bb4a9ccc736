// The one start-up line of `run` that says which sinks and sources are on or off, and why: each entry
// is `on: …` (what it does) or `off: …` (the setting that would turn it on), so "why is nothing posted
// to Discord?" is answered by one line of the log, not by reading the configuration again.
import { stat } from 'node:fs/promises';
import { resolve } from 'node:path';
import type { DiscordConfig } from '../config/discord.ts';
import type { RunConfig } from '../config/run.ts';

export type SummaryInputs = {
  rc: RunConfig;
  /** Whether the servers came from a --config file (the settings are then named by their fields). */
  fromFile: boolean;
  discord: DiscordConfig | null;
  web: { port: number | null; host: string };
  kafkaBrokers: string | null;
  receiver: { host: string; port: number; protocol: 'http' | 'https' };
  /** Why each watched folder cannot be listed now (absent: it can). */
  folderProblems?: ReadonlyMap<string, string>;
};

export type StartupSummary = {
  sinks: { discord: string; kafka: string; web: string };
  sources: { http: string; kafka: string };
  servers: Record<
    string,
    { reports: string; legacy: string; folders: string | Record<string, string>; sftp: string; discordRelay: string }
  >;
};

export function startupSummary(i: SummaryInputs): StartupSummary {
  const { rc, fromFile, discord } = i;
  const d = discord;
  const posting = d
    ? [
        d.channels.rounds ? `rounds to channel ${d.channels.rounds}` : null,
        d.channels.timing ? `timing checks to channel ${d.channels.timing}` : null,
        d.guildId ? `slash commands in guild ${d.guildId}` : null,
      ].filter((x) => x !== null)
    : [];
  const discordSink = !d
    ? 'off: no DISCORD_TOKEN'
    : posting.length === 0
      ? 'off: DISCORD_TOKEN is set but none of ET_LEDGER_CHANNEL_ROUNDS, ET_LEDGER_CHANNEL_TIMING, ET_LEDGER_DISCORD_GUILD (the token serves the relay only)'
      : `on: ${posting.join(', ')}`;
  const kafkaOff = 'off: no KAFKA_BROKERS';
  const tls = rc.http.tls;
  const r = i.receiver;
  const field = (index: number, name: string) => `servers[${index}].${name}`;
  const servers: StartupSummary['servers'] = {};
  rc.servers.forEach((s, index) => {
    const named = (env: string, fileField: string) => (fromFile ? field(index, fileField) : env);
    const folders: Record<string, string> = {};
    for (const dir of s.watchDirs) {
      const problem = i.folderProblems?.get(resolve(dir));
      folders[dir] = problem ? `on, but ${problem}: /healthz says degraded until it can` : 'on';
    }
    servers[s.id] = {
      reports: s.reportSecret
        ? 'on: POST /v1/reports takes its signed Lua reports'
        : `off: no ${named('ET_LEDGER_REPORT_SECRET', 'reportSecret (or reportSecretEnv)')}`,
      legacy: s.legacyToken
        ? 'on: POST /v1/legacy/<token> takes its STATS_READY bodies'
        : `off: no ${named('ET_LEDGER_LEGACY_TOKEN', 'legacyToken (or legacyTokenEnv)')}`,
      folders: s.watchDirs.length > 0 ? folders : `off: no ${named('ET_LEDGER_WATCH_DIR', 'watchDirs')}`,
      sftp: s.sftp
        ? `on: ${s.sftp.user}@${s.sftp.host}:${s.sftp.port} ${s.sftp.folders.map((f) => f.path).join(', ')} every ${s.sftp.pollSec} s`
        : fromFile
          ? `off: no ${field(index, 'sftp')}`
          : 'off: SFTP is configured in a --config file (servers[].sftp)',
      discordRelay: s.discordRelay
        ? `on: STATS_READY of ${s.discordRelay.webhookIds.length} webhook(s) in channel ${s.discordRelay.channelId}`
        : `off: no ${named('ET_LEDGER_RELAY_CHANNEL', 'discordRelay')}`,
    };
  });
  return {
    sinks: {
      discord: discordSink,
      kafka: i.kafkaBrokers ? `on: stored events to Kafka at ${i.kafkaBrokers}` : kafkaOff,
      web: i.web.port !== null ? `on: web pages on ${i.web.host}:${i.web.port}` : 'off: no ET_LEDGER_WEB_PORT',
    },
    sources: {
      http: `on: ${r.protocol}://${r.host}:${r.port}${tls ? ` (TLS from ${tls.certSetting}, reloaded on SIGHUP)` : ` (plain HTTP: no ${fromFile ? 'http.tls' : 'ET_LEDGER_HTTP_TLS_CERT'})`}, /metrics ${rc.http.metricsToken ? 'needs the bearer token' : 'open'}`,
      kafka: i.kafkaBrokers ? `on: facts from Kafka at ${i.kafkaBrokers}` : kafkaOff,
    },
    servers,
  };
}

/** Why each watched folder (resolved path) cannot be listed now: for the summary, not for the watcher. */
export async function folderProblems(rc: RunConfig): Promise<Map<string, string>> {
  const problems = new Map<string, string>();
  for (const dir of rc.servers.flatMap((s) => s.watchDirs)) {
    const path = resolve(dir);
    const st = await stat(path).catch((e: NodeJS.ErrnoException) => e.code ?? 'unreadable');
    if (typeof st === 'string') problems.set(path, st === 'ENOENT' ? 'missing' : `unreadable (${st})`);
    else if (!st.isDirectory()) problems.set(path, 'not a folder');
  }
  return problems;
}
