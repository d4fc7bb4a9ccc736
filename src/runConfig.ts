// Configuration of `et-ledger run`: the game servers and how their facts arrive, from a JSON file
// (`--config FILE`, docs/run.md documents every field) and the environment. One game server needs
// no file: ET_LEDGER_SERVER_ID, ET_LEDGER_TZ (already parsed into the base Config), and the
// variables below. Parsed once, by cli/, with errors that name the field, the problem and an example.
import { z } from 'zod';
import type { Config } from './config.ts';
import { parseVariables, pickSet, secretName } from './envConfig.ts';
import { LedgerError } from './errors.ts';
import { IanaZone, ServerId } from './events/common.ts';
import type { RelayChannel } from './sources/discordRelay.ts';
import { type KnownHostKey, parseKnownHostKey } from './sources/hostKey.ts';
import type { RemoteFolder } from './sources/sftpPoller.ts';

/** The variables `et-ledger run` reads beyond those of config.ts (same shape as its envVariables). */
export const runEnvVariables = {
  ET_LEDGER_HTTP_PORT: {
    example: '8787',
    help: 'port of the HTTP receiver, /healthz and /metrics (default 8787; 0: any free port)',
  },
  ET_LEDGER_HTTP_HOST: {
    example: '0.0.0.0',
    help: 'address the HTTP receiver listens on (default 127.0.0.1; 0.0.0.0 when Lua reports come from another host)',
  },
  ET_LEDGER_METRICS_TOKEN: {
    example: 'q3Vx8nR2mK7pL4wT9sY6',
    help: 'GET /metrics then needs `Authorization: Bearer <token>` (/healthz stays open); at least 16 characters of A-Z a-z 0-9 . _ ~ + / -',
  },
  ET_LEDGER_HTTP_TLS_CERT: {
    example: '/etc/et-ledger/tls/fullchain.pem',
    help: 'PEM certificate (chain) file: the receiver then speaks HTTPS only; needs ET_LEDGER_HTTP_TLS_KEY; SIGHUP re-reads both',
  },
  ET_LEDGER_HTTP_TLS_KEY: {
    example: '/etc/et-ledger/tls/privkey.pem',
    help: "PEM private key file of ET_LEDGER_HTTP_TLS_CERT (unencrypted, readable by the service's user)",
  },
  ET_LEDGER_REPORT_SECRET: {
    example: 'e3b0c44298fc1c149afbf4c8996fb924',
    help: 'HMAC secret of the Lua reports of ET_LEDGER_SERVER_ID (no --config file); at least 16 characters',
  },
  ET_LEDGER_LEGACY_TOKEN: {
    example: 'k7Qw2mX9pL4vR8sT',
    help: 'URL token of POST /v1/legacy/<token> for ET_LEDGER_SERVER_ID (no --config file); at least 16 characters',
  },
  ET_LEDGER_WATCH_DIR: {
    example: '/srv/etl/legacy/gamestats:/srv/etl/legacy/et-ledger',
    help: "folders watched for ET_LEDGER_SERVER_ID's files, separated by ':' (no --config file)",
  },
  ET_LEDGER_RELAY_CHANNEL: {
    example: '1012345678901234570',
    help: "Discord channel where the legacy script's webhook posts STATS_READY for ET_LEDGER_SERVER_ID (needs DISCORD_TOKEN; no --config file)",
  },
  ET_LEDGER_RELAY_WEBHOOKS: {
    example: '1012345678901234571,1012345678901234572',
    help: 'ids of the webhooks whose messages the relay takes, comma-separated (the number after /webhooks/ in the URL)',
  },
  ET_LEDGER_RELAY_DELETE: {
    example: 'true',
    help: 'delete each STATS_READY message once its fact is stored: true or false (default false)',
  },
} as const;

/** An example per field, keyed by its path with array indexes left out (`servers[].sftp.port`). */
const examples: Record<string, string> = {
  'http.host': '"host": "0.0.0.0"',
  'http.metricsToken': '"metricsToken": "q3Vx8nR2mK7pL4wT9sY6"',
  'http.metricsTokenEnv': '"metricsTokenEnv": "ET_LEDGER_METRICS_TOKEN"',
  'http.port': '"port": 8787',
  'http.headersTimeoutMs': '"headersTimeoutMs": 10000',
  'http.requestTimeoutMs': '"requestTimeoutMs": 30000',
  'http.tls': '"tls": { "certPath": "/etc/et-ledger/tls/fullchain.pem", "keyPath": "/etc/et-ledger/tls/privkey.pem" }',
  'http.tls.certPath': '"certPath": "/etc/et-ledger/tls/fullchain.pem"',
  'http.tls.keyPath': '"keyPath": "/etc/et-ledger/tls/privkey.pem"',
  tickSec: '"tickSec": 30',
  'watch.stableMs': '"stableMs": 3000',
  'watch.scanMs': '"scanMs": 2000',
  servers: '"servers": [{ "id": "eu1", "tz": "Europe/Ljubljana", "reportSecretEnv": "ETL_EU1_SECRET" }]',
  'servers[].id': '"id": "eu1"',
  'servers[].tz': '"tz": "Europe/Ljubljana"',
  'servers[].reportSecret': '"reportSecret": "e3b0c44298fc1c149afbf4c8996fb924"',
  'servers[].reportSecretEnv': '"reportSecretEnv": "ETL_EU1_SECRET"',
  'servers[].legacyToken': '"legacyToken": "k7Qw2mX9pL4vR8sT"',
  'servers[].legacyTokenEnv': '"legacyTokenEnv": "ETL_EU1_LEGACY_TOKEN"',
  'servers[].watchDirs': '"watchDirs": ["/srv/etl/legacy/gamestats", "/srv/etl/legacy/et-ledger"]',
  'servers[].sftp.host': '"host": "eu1.example.org"',
  'servers[].sftp.port': '"port": 22',
  'servers[].sftp.user': '"user": "etl"',
  'servers[].sftp.privateKeyPath': '"privateKeyPath": "/etc/et-ledger/id_ed25519"',
  'servers[].sftp.knownHostKey':
    '"knownHostKey": "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAA…" (from ssh-keyscan or the server\'s /etc/ssh/ssh_host_ed25519_key.pub)',
  'servers[].sftp.paths':
    '"paths": { "stats": "/home/et/.etlegacy/legacy/gamestats", "spool": "/home/et/.etlegacy/legacy/et-ledger" }',
  'servers[].sftp.paths.stats': '"stats": "/home/et/.etlegacy/legacy/gamestats"',
  'servers[].sftp.paths.spool': '"spool": "/home/et/.etlegacy/legacy/et-ledger"',
  'servers[].sftp.paths.gametimes': '"gametimes": "/home/et/.etlegacy/legacy/gametimes"',
  'servers[].sftp.pollSec': '"pollSec": 10',
  'servers[].discordRelay':
    '"discordRelay": { "channelId": "1012345678901234570", "webhookIds": ["1012345678901234571"], "deleteTrigger": false }',
  'servers[].discordRelay.channelId':
    '"channelId": "1012345678901234570" (a string: Discord ids overflow JSON numbers)',
  'servers[].discordRelay.webhookIds': '"webhookIds": ["1012345678901234571"]',
  'servers[].discordRelay.webhookIds[]': '"webhookIds": ["1012345678901234571"]',
  'servers[].discordRelay.deleteTrigger': '"deleteTrigger": true',
};

const Port = z.int('must be a whole number').min(0, 'must be 0 to 65535').max(65535, 'must be 0 to 65535');
const Secret = z.string().min(16, 'must be at least 16 characters (e.g. `openssl rand -hex 32`)');
const LegacyToken = Secret.regex(
  /^[A-Za-z0-9._~-]+$/,
  'may hold only letters, digits and . _ ~ - (it is part of a URL)',
);
/** A bearer token (RFC 6750 b64token), so that it fits an Authorization header as it is. */
const MetricsToken = Secret.regex(
  /^[A-Za-z0-9._~+/-]+=*$/,
  'may hold only letters, digits and . _ ~ + / - (it is sent as `Authorization: Bearer <token>`)',
);
const EnvName = z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'must be the name of an environment variable');
const Millis = z.int('must be whole milliseconds').positive('must be positive');
const RemotePath = z.string().startsWith('/', 'must be an absolute remote path');
const Snowflake = z
  .string('must be a Discord id in quotes')
  .regex(/^\d{17,20}$/, 'must be a Discord id: 17 to 20 digits (Developer Mode on, then right-click → Copy ID)');
const WebhookIds = z
  .array(Snowflake)
  .min(1, 'must list at least one webhook id (the number after /webhooks/ in the webhook URL)');

const RelayFields = z.strictObject({
  channelId: Snowflake,
  webhookIds: WebhookIds,
  deleteTrigger: z.boolean('must be true or false').default(false),
});

const KnownHostKeyText = z.string().superRefine((text, ctx) => {
  const parsed = parseKnownHostKey(text);
  if ('error' in parsed) ctx.addIssue({ code: 'custom', message: parsed.error });
});

const SftpFields = z.strictObject({
  host: z.string().min(1, 'must name the SSH host'),
  port: Port.min(1, 'must be 1 to 65535').default(22),
  user: z.string().min(1, 'must name the SSH user'),
  privateKeyPath: z.string().min(1, 'must be the path of the private key file'),
  knownHostKey: KnownHostKeyText,
  paths: z
    .strictObject({ stats: RemotePath.optional(), spool: RemotePath.optional(), gametimes: RemotePath.optional() })
    .refine((p) => p.stats ?? p.spool ?? p.gametimes, 'must name at least one of stats, spool, gametimes'),
  pollSec: z.number('must be a number of seconds').positive('must be positive').default(10),
});

const ServerFields = z
  .strictObject({
    id: ServerId,
    tz: IanaZone.optional(),
    reportSecret: Secret.optional(),
    reportSecretEnv: EnvName.optional(),
    legacyToken: LegacyToken.optional(),
    legacyTokenEnv: EnvName.optional(),
    watchDirs: z.array(z.string().min(1, 'must not be empty')).default([]),
    sftp: SftpFields.optional(),
    discordRelay: RelayFields.optional(),
  })
  .superRefine((s, ctx) => {
    for (const k of ['reportSecret', 'legacyToken'] as const)
      if (s[k] !== undefined && s[`${k}Env`] !== undefined)
        ctx.addIssue({ code: 'custom', path: [`${k}Env`], message: `give ${k} or ${k}Env, not both` });
  });

const RunFile = z
  .strictObject({
    http: z
      .strictObject({
        host: z.string().min(1).default('127.0.0.1'),
        port: Port.default(8787),
        headersTimeoutMs: Millis.default(10_000),
        requestTimeoutMs: Millis.default(30_000),
        metricsToken: MetricsToken.optional(),
        metricsTokenEnv: EnvName.optional(),
        tls: z
          .strictObject({
            certPath: z.string().min(1, 'must be the path of the PEM certificate file'),
            keyPath: z.string().min(1, 'must be the path of the PEM private key file'),
          })
          .optional(),
      })
      .superRefine((h, ctx) => {
        if (h.metricsToken !== undefined && h.metricsTokenEnv !== undefined)
          ctx.addIssue({
            code: 'custom',
            path: ['metricsTokenEnv'],
            message: 'give metricsToken or metricsTokenEnv, not both',
          });
      })
      .prefault({}),
    tickSec: z.int('must be whole seconds').min(1, 'must be at least 1').default(30),
    watch: z.strictObject({ stableMs: Millis.default(3000), scanMs: Millis.default(2000) }).prefault({}),
    servers: z.array(ServerFields).min(1, 'must list at least one game server'),
  })
  .superRefine((f, ctx) => {
    const seen = new Map<string, number>();
    f.servers.forEach((s, i) => {
      if (seen.has(s.id))
        ctx.addIssue({
          code: 'custom',
          path: ['servers', i, 'id'],
          message: `is also the id of servers[${seen.get(s.id)}]`,
        });
      seen.set(s.id, i);
    });
    // A legacy report names no server: its channel does, so a channel belongs to one server.
    const channels = new Map<string, number>();
    f.servers.forEach((s, i) => {
      const channel = s.discordRelay?.channelId;
      if (channel === undefined) return;
      if (channels.has(channel))
        ctx.addIssue({
          code: 'custom',
          path: ['servers', i, 'discordRelay', 'channelId'],
          message: `is also the relay channel of servers[${channels.get(channel)}]; each server needs its own channel`,
        });
      channels.set(channel, i);
    });
    if (f.http.headersTimeoutMs > f.http.requestTimeoutMs)
      ctx.addIssue({ code: 'custom', path: ['http', 'headersTimeoutMs'], message: 'must not exceed requestTimeoutMs' });
  });
type RunFile = z.output<typeof RunFile>;

const RunEnv = z
  .object({
    ET_LEDGER_HTTP_PORT: z.coerce.number('must be a whole number from 0 to 65535').pipe(Port).optional(),
    ET_LEDGER_HTTP_HOST: z.string().min(1).optional(),
    ET_LEDGER_METRICS_TOKEN: MetricsToken.optional(),
    ET_LEDGER_HTTP_TLS_CERT: z.string().optional(),
    ET_LEDGER_HTTP_TLS_KEY: z.string().optional(),
    ET_LEDGER_REPORT_SECRET: Secret.optional(),
    ET_LEDGER_LEGACY_TOKEN: LegacyToken.optional(),
    ET_LEDGER_WATCH_DIR: z.string().optional(),
    ET_LEDGER_RELAY_CHANNEL: Snowflake.optional(),
    ET_LEDGER_RELAY_WEBHOOKS: z
      .string()
      .transform((t) => t.split(',').map((id) => id.trim()))
      .pipe(WebhookIds)
      .optional(),
    ET_LEDGER_RELAY_DELETE: z
      .enum(['true', 'false'], 'must be true or false')
      .transform((t) => t === 'true')
      .optional(),
  })
  .superRefine((e, ctx) => {
    // A certificate without its key (or the reverse) is a mistake, never "TLS off".
    const [set, unset] = e.ET_LEDGER_HTTP_TLS_CERT
      ? ['ET_LEDGER_HTTP_TLS_CERT', 'ET_LEDGER_HTTP_TLS_KEY']
      : ['ET_LEDGER_HTTP_TLS_KEY', 'ET_LEDGER_HTTP_TLS_CERT'];
    if ((e.ET_LEDGER_HTTP_TLS_CERT === undefined) !== (e.ET_LEDGER_HTTP_TLS_KEY === undefined))
      ctx.addIssue({
        code: 'custom',
        path: [unset],
        message: `must be set together with ${set}: HTTPS needs both the certificate and its private key (or set neither for plain HTTP)`,
      });
  });

export type SftpRunConfig = {
  host: string;
  port: number;
  user: string;
  privateKeyPath: string;
  knownHostKey: KnownHostKey;
  folders: RemoteFolder[];
  pollSec: number;
};

export type RelayRunConfig = { channelId: string; webhookIds: string[]; deleteTrigger: boolean };

export type ServerRunConfig = {
  id: string;
  tz: string;
  reportSecret: string | null;
  legacyToken: string | null;
  watchDirs: string[];
  sftp: SftpRunConfig | null;
  /** The Discord channel the legacy script's webhook posts to (needs DISCORD_TOKEN). */
  discordRelay: RelayRunConfig | null;
};

/** The receiver's certificate and key files, and the settings that named them (for error messages). */
export type TlsRunConfig = { certPath: string; keyPath: string; certSetting: string; keySetting: string };

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
  const vars = parseVariables(RunEnv, pickSet(env, Object.keys(RunEnv.shape)), runEnvVariables, 'run configuration');
  const relayVars = (['ET_LEDGER_RELAY_WEBHOOKS', 'ET_LEDGER_RELAY_DELETE'] as const).filter(
    (k) => vars[k] !== undefined,
  );
  if (fileText === null && vars.ET_LEDGER_RELAY_CHANNEL === undefined && relayVars.length > 0)
    throw invalidRunConfig([
      `  ${relayVars.join(', ')}: set, but ET_LEDGER_RELAY_CHANNEL is not (the channel the webhooks post to)\n    example: ET_LEDGER_RELAY_CHANNEL=${runEnvVariables.ET_LEDGER_RELAY_CHANNEL.example}`,
    ]);
  if (fileText === null && vars.ET_LEDGER_RELAY_CHANNEL !== undefined && vars.ET_LEDGER_RELAY_WEBHOOKS === undefined)
    throw invalidRunConfig([
      `  ET_LEDGER_RELAY_WEBHOOKS: required when ET_LEDGER_RELAY_CHANNEL is set (only these webhooks' messages are taken)\n    example: ET_LEDGER_RELAY_WEBHOOKS=${runEnvVariables.ET_LEDGER_RELAY_WEBHOOKS.example}`,
    ]);

  let file: RunFile;
  if (fileText === null) {
    file = RunFile.parse({
      servers: [
        {
          id: base.serverId,
          tz: base.tz,
          ...(vars.ET_LEDGER_REPORT_SECRET ? { reportSecret: vars.ET_LEDGER_REPORT_SECRET } : {}),
          ...(vars.ET_LEDGER_LEGACY_TOKEN ? { legacyToken: vars.ET_LEDGER_LEGACY_TOKEN } : {}),
          watchDirs: (vars.ET_LEDGER_WATCH_DIR ?? '').split(':').filter((d) => d !== ''),
          ...(vars.ET_LEDGER_RELAY_CHANNEL
            ? {
                discordRelay: {
                  channelId: vars.ET_LEDGER_RELAY_CHANNEL,
                  webhookIds: vars.ET_LEDGER_RELAY_WEBHOOKS,
                  deleteTrigger: vars.ET_LEDGER_RELAY_DELETE ?? false,
                },
              }
            : {}),
        },
      ],
    });
  } else {
    const perServer = (
      [
        'ET_LEDGER_REPORT_SECRET',
        'ET_LEDGER_LEGACY_TOKEN',
        'ET_LEDGER_WATCH_DIR',
        'ET_LEDGER_RELAY_CHANNEL',
        'ET_LEDGER_RELAY_WEBHOOKS',
        'ET_LEDGER_RELAY_DELETE',
      ] as const
    ).filter((k) => vars[k] !== undefined);
    if (perServer.length > 0) {
      throw invalidRunConfig([
        `  ${perServer.join(', ')}: only for a single server without a config file; with ${fileLabel}, set them per server\n    example: ${examples['servers[].reportSecretEnv']}, ${examples['servers[].watchDirs']}`,
      ]);
    }
    let json: unknown;
    try {
      json = JSON.parse(fileText);
    } catch (err) {
      throw invalidRunConfig([
        `  ${fileLabel} is not valid JSON: ${(err as Error).message}\n    example: { ${examples.servers} }`,
      ]);
    }
    const r = RunFile.safeParse(json);
    if (!r.success) throw invalidRunConfig(r.error.issues.map((i) => fileIssue(i, json, fileLabel)));
    file = r.data;
  }

  const problems: string[] = [];
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
        `  ${where}.${field}Env = "${name}": ${value === undefined || value === '' ? `the variable ${name} is not set` : `${name} ${checked.error.issues[0]!.message}`}\n    example: ${name}=$(openssl rand -hex 32)`,
      );
      return null;
    }
    return checked.data;
  };
  const servers = file.servers.map((s, i): ServerRunConfig => {
    const sftp = s.sftp;
    return {
      id: s.id,
      tz: s.tz ?? base.tz,
      reportSecret: s.reportSecret ?? fromEnv(`servers[${i}]`, 'reportSecret', s.reportSecretEnv),
      legacyToken: s.legacyToken ?? fromEnv(`servers[${i}]`, 'legacyToken', s.legacyTokenEnv),
      watchDirs: s.watchDirs,
      sftp: sftp
        ? {
            host: sftp.host,
            port: sftp.port,
            user: sftp.user,
            privateKeyPath: sftp.privateKeyPath,
            knownHostKey: parseKnownHostKey(sftp.knownHostKey) as KnownHostKey,
            folders: [
              ...(sftp.paths.stats ? [{ path: sftp.paths.stats, settle: 'stable' as const }] : []),
              ...(sftp.paths.spool ? [{ path: sftp.paths.spool, settle: 'rename' as const }] : []),
              ...(sftp.paths.gametimes ? [{ path: sftp.paths.gametimes, settle: 'stable' as const }] : []),
            ],
            pollSec: sftp.pollSec,
          }
        : null,
      discordRelay: s.discordRelay ?? null,
    };
  });
  const relayed = servers.findIndex((s) => s.discordRelay !== null);
  if (relayed >= 0 && (env.DISCORD_TOKEN ?? '') === '')
    problems.push(
      `  ${fileText === null ? 'ET_LEDGER_RELAY_CHANNEL' : `servers[${relayed}].discordRelay`}: the Discord relay reads the channel as a bot, and DISCORD_TOKEN is not set\n    example: DISCORD_TOKEN=<the bot token from the developer portal> (the bot needs the Message Content intent)`,
    );
  const tokens = new Map<string, number>();
  servers.forEach((s, i) => {
    if (s.legacyToken === null) return;
    const other = tokens.get(s.legacyToken);
    if (other !== undefined)
      problems.push(`  servers[${i}].legacyToken: is also the token of servers[${other}]; each server needs its own`);
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

/** The error of every run setting: `invalid run configuration:` and one indented entry per problem. */
export function invalidRunConfig(lines: string[]): LedgerError {
  return new LedgerError('CONFIG_INVALID', `invalid run configuration:\n${lines.join('\n')}`);
}

function fileIssue(issue: z.core.$ZodIssue, input: unknown, fileLabel: string): string {
  const path = issue.path.reduce<string>(
    (s, p) => (typeof p === 'number' ? `${s}[${p}]` : s === '' ? String(p) : `${s}.${String(p)}`),
    '',
  );
  const last = String([...issue.path].reverse().find((p) => typeof p === 'string') ?? '');
  if (issue.code === 'unrecognized_keys') {
    const where = path === '' ? 'top level' : path;
    return `  ${fileLabel}, ${where}: unknown field ${issue.keys.map((k) => JSON.stringify(k)).join(', ')} (see docs/run.md for the fields)`;
  }
  let value: unknown = input;
  for (const p of issue.path) value = (value as Record<PropertyKey, unknown> | undefined)?.[p as PropertyKey];
  const shown =
    value === undefined
      ? 'missing'
      : secretName.test(last) && !last.endsWith('Env')
        ? '(hidden)'
        : JSON.stringify(value);
  const message = value === undefined ? 'is required' : issue.message;
  const example = examples[path.replace(/\[\d+\]/g, '[]')];
  return `  ${path || fileLabel} = ${shown}: ${message}${example ? `\n    example: ${example}` : ''}`;
}
