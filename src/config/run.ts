// Configuration of `et-ledger run` (and `collect`): the game servers and how their facts arrive,
// from the servers file (`--config FILE`, src/config/servers.ts) or, for one game server, from
// run's variables (src/config/service.ts) over the common Config. Parsed once, by cli/; every
// problem is named in one `invalid run configuration:` error.
import type { RelayChannel } from '../sources/discordRelay.ts';
import type { Config } from './common.ts';
import {
  parseServersFile,
  type RunFile,
  type ServerRunConfig,
  serverRunConfig,
  serversFromVariables,
} from './servers.ts';
import { invalidRunConfig, LegacyToken, loadRunVariables, MetricsToken, Secret, type TlsRunConfig } from './service.ts';
import { formatProblem } from './variables.ts';

export type RunConfig = {
  http: {
    host: string;
    port: number;
    headersTimeoutMs: number;
    requestTimeoutMs: number;
    /** GET /metrics needs `Authorization: Bearer <it>`; null: /metrics is open. */
    metricsToken: string | null;
    /** HTTPS with these PEM files (re-read on SIGHUP); null: plain HTTP. */
    tls: TlsRunConfig | null;
  };
  tickSec: number;
  watch: { stableMs: number; scanMs: number };
  maxFileBytes: number;
  servers: ServerRunConfig[];
};

/**
 * The service's configuration from the environment and, when given, the text of the --config file
 * (JSON). `base` is the already parsed common Config (store, zone, server id, limits).
 */
export function loadRunConfig(
  env: NodeJS.ProcessEnv,
  fileText: string | null,
  base: Config,
  fileLabel = 'the --config file',
): RunConfig {
  const vars = loadRunVariables(env, fileText !== null);
  const file: RunFile =
    fileText === null ? serversFromVariables(vars, base) : parseServersFile(fileText, fileLabel, vars);

  const problems: string[] = [];
  /** The value of the variable a `…Env` field names, checked as the field itself would be. */
  const fromEnv = (
    where: string,
    field: 'reportSecret' | 'legacyToken' | 'metricsToken',
    name: string | undefined,
  ): string | null => {
    if (name === undefined) return null;
    const value = env[name];
    const checked = (
      field === 'legacyToken' ? LegacyToken : field === 'metricsToken' ? MetricsToken : Secret
    ).safeParse(value);
    if (!checked.success) {
      problems.push(
        formatProblem(
          `${where}.${field}Env = "${name}"`,
          value === undefined || value === ''
            ? `the variable ${name} is not set`
            : `${name} ${checked.error.issues[0]!.message}`,
          `${name}=$(openssl rand -hex 32)`,
        ),
      );
      return null;
    }
    return checked.data;
  };
  const servers = file.servers.map((s, i) =>
    serverRunConfig(s, base.tz, (field, name) => fromEnv(`servers[${i}]`, field, name)),
  );
  const relayed = servers.findIndex((s) => s.discordRelay !== null);
  if (relayed >= 0 && (env.DISCORD_TOKEN ?? '') === '')
    problems.push(
      formatProblem(
        fileText === null ? 'ET_LEDGER_RELAY_CHANNEL' : `servers[${relayed}].discordRelay`,
        'the Discord relay reads the channel as a bot, and DISCORD_TOKEN is not set',
        'DISCORD_TOKEN=<the bot token from the developer portal> (the bot needs the Message Content intent)',
      ),
    );
  const tokens = new Map<string, number>();
  servers.forEach((s, i) => {
    if (s.legacyToken === null) return;
    const other = tokens.get(s.legacyToken);
    if (other !== undefined)
      problems.push(
        formatProblem(`servers[${i}].legacyToken`, `is also the token of servers[${other}]; each server needs its own`),
      );
    tokens.set(s.legacyToken, i);
  });
  const metricsToken =
    vars.ET_LEDGER_METRICS_TOKEN ??
    file.http.metricsToken ??
    fromEnv('http', 'metricsToken', file.http.metricsTokenEnv);
  if (problems.length > 0) throw invalidRunConfig(problems);

  return {
    http: {
      host: vars.ET_LEDGER_HTTP_HOST ?? file.http.host,
      port: vars.ET_LEDGER_HTTP_PORT ?? file.http.port,
      headersTimeoutMs: file.http.headersTimeoutMs,
      requestTimeoutMs: file.http.requestTimeoutMs,
      metricsToken,
      tls:
        vars.ET_LEDGER_HTTP_TLS_CERT !== undefined && vars.ET_LEDGER_HTTP_TLS_KEY !== undefined
          ? {
              certPath: vars.ET_LEDGER_HTTP_TLS_CERT,
              keyPath: vars.ET_LEDGER_HTTP_TLS_KEY,
              certSetting: 'ET_LEDGER_HTTP_TLS_CERT',
              keySetting: 'ET_LEDGER_HTTP_TLS_KEY',
            }
          : file.http.tls
            ? { ...file.http.tls, certSetting: 'http.tls.certPath', keySetting: 'http.tls.keyPath' }
            : null,
    },
    tickSec: file.tickSec,
    watch: file.watch,
    maxFileBytes: base.maxFileBytes,
    servers,
  };
}

/** The Discord relay's channels, one per server that has one (startDiscordRelay's `relays`). */
export function relayChannels(rc: RunConfig): RelayChannel[] {
  return rc.servers.flatMap((s) =>
    s.discordRelay ? [{ serverId: s.id, tz: s.tz, ...s.discordRelay, webhookIds: [...s.discordRelay.webhookIds] }] : [],
  );
}
