// `et-ledger run`'s own variables (docs/run.md, "One game server, no file"): the HTTP receiver's
// port, address, TLS files and metrics token, and for one game server without a --config file its
// secrets, folders and Discord relay. Also the value rules the servers file shares with them, and
// the error of every run setting.
import { z } from 'zod';
import type { LedgerError } from '../errors.ts';
import { DiscordId } from './discord.ts';
import { formatProblem, invalidConfig, parseVariables, pickSet } from './variables.ts';

/** The variables `et-ledger run` reads beyond those of every command (src/config/common.ts). */
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

export const Port = z.int('must be a whole number').min(0, 'must be 0 to 65535').max(65535, 'must be 0 to 65535');
export const Secret = z.string().min(16, 'must be at least 16 characters (e.g. `openssl rand -hex 32`)');
export const LegacyToken = Secret.regex(
  /^[A-Za-z0-9._~-]+$/,
  'may hold only letters, digits and . _ ~ - (it is part of a URL)',
);
/** A bearer token (RFC 6750 b64token), so that it fits an Authorization header as it is. */
export const MetricsToken = Secret.regex(
  /^[A-Za-z0-9._~+/-]+=*$/,
  'may hold only letters, digits and . _ ~ + / - (it is sent as `Authorization: Bearer <token>`)',
);
export const WebhookIds = z
  .array(DiscordId)
  .min(1, 'must list at least one webhook id (the number after /webhooks/ in the webhook URL)');

export const RunEnv = z
  .object({
    ET_LEDGER_HTTP_PORT: z.coerce.number('must be a whole number from 0 to 65535').pipe(Port).optional(),
    ET_LEDGER_HTTP_HOST: z.string().min(1).optional(),
    ET_LEDGER_METRICS_TOKEN: MetricsToken.optional(),
    ET_LEDGER_HTTP_TLS_CERT: z.string().optional(),
    ET_LEDGER_HTTP_TLS_KEY: z.string().optional(),
    ET_LEDGER_REPORT_SECRET: Secret.optional(),
    ET_LEDGER_LEGACY_TOKEN: LegacyToken.optional(),
    ET_LEDGER_WATCH_DIR: z.string().optional(),
    ET_LEDGER_RELAY_CHANNEL: DiscordId.optional(),
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
export type RunVariables = z.output<typeof RunEnv>;

/** The variables that describe the one game server of a run without a --config file. */
export const perServerVariables = [
  'ET_LEDGER_REPORT_SECRET',
  'ET_LEDGER_LEGACY_TOKEN',
  'ET_LEDGER_WATCH_DIR',
  'ET_LEDGER_RELAY_CHANNEL',
  'ET_LEDGER_RELAY_WEBHOOKS',
  'ET_LEDGER_RELAY_DELETE',
] as const;

/** The receiver's certificate and key files, and the settings that named them (for error messages). */
export type TlsRunConfig = { certPath: string; keyPath: string; certSetting: string; keySetting: string };

/** The error of every run setting: `invalid run configuration:` and one indented entry per problem. */
export function invalidRunConfig(lines: string[]): LedgerError {
  return invalidConfig('run configuration', lines);
}

/** Run's variables, checked alone and, without a --config file (`withFile` false), the relay's together. */
export function loadRunVariables(env: NodeJS.ProcessEnv, withFile: boolean): RunVariables {
  const vars = parseVariables(RunEnv, pickSet(env, Object.keys(RunEnv.shape)), runEnvVariables, 'run configuration');
  if (withFile) return vars;
  const relayVars = (['ET_LEDGER_RELAY_WEBHOOKS', 'ET_LEDGER_RELAY_DELETE'] as const).filter(
    (k) => vars[k] !== undefined,
  );
  if (vars.ET_LEDGER_RELAY_CHANNEL === undefined && relayVars.length > 0)
    throw invalidRunConfig([
      formatProblem(
        relayVars.join(', '),
        'set, but ET_LEDGER_RELAY_CHANNEL is not (the channel the webhooks post to)',
        `ET_LEDGER_RELAY_CHANNEL=${runEnvVariables.ET_LEDGER_RELAY_CHANNEL.example}`,
      ),
    ]);
  if (vars.ET_LEDGER_RELAY_CHANNEL !== undefined && vars.ET_LEDGER_RELAY_WEBHOOKS === undefined)
    throw invalidRunConfig([
      formatProblem(
        'ET_LEDGER_RELAY_WEBHOOKS',
        "required when ET_LEDGER_RELAY_CHANNEL is set (only these webhooks' messages are taken)",
        `ET_LEDGER_RELAY_WEBHOOKS=${runEnvVariables.ET_LEDGER_RELAY_WEBHOOKS.example}`,
      ),
    ]);
  return vars;
}
