// The servers file of `et-ledger run --config FILE` (JSON; docs/run.md documents every field): the
// receiver's settings and one entry per game server (its zone, secrets, folders, SFTP, Discord
// relay). Without a file, the same shape is built from run's variables for one server. Errors
// name the field by its path, its value (secrets hidden), the problem and an example.
import { z } from 'zod';
import { IanaZone, ServerId } from '../events/common.ts';
import { type KnownHostKey, parseKnownHostKey } from '../sources/hostKey.ts';
import type { RemoteFolder } from '../sources/sftpPoller.ts';
import type { Config } from './common.ts';
import { DiscordId } from './discord.ts';
import {
  invalidRunConfig,
  LegacyToken,
  MetricsToken,
  Port,
  perServerVariables,
  type RunVariables,
  Secret,
  WebhookIds,
} from './service.ts';
import { formatProblem, secretName } from './variables.ts';

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

const EnvName = z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'must be the name of an environment variable');
const Millis = z.int('must be whole milliseconds').positive('must be positive');
const RemotePath = z.string().startsWith('/', 'must be an absolute remote path');

const RelayFields = z.strictObject({
  channelId: DiscordId,
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
/** The servers file as parsed: secrets may still be names of variables (`reportSecretEnv`). */
export type RunFile = z.output<typeof RunFile>;

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

/** One server from run's variables, in the file's shape (`base`: the server id and zone of every command). */
export function serversFromVariables(vars: RunVariables, base: Config): RunFile {
  return RunFile.parse({
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
}

/** The servers file's text, parsed; run's per-server variables are refused beside it (`fileLabel` names it). */
export function parseServersFile(fileText: string, fileLabel: string, vars: RunVariables): RunFile {
  const perServer = perServerVariables.filter((k) => vars[k] !== undefined);
  if (perServer.length > 0)
    throw invalidRunConfig([
      formatProblem(
        perServer.join(', '),
        `only for a single server without a config file; with ${fileLabel}, set them per server`,
        `${examples['servers[].reportSecretEnv']}, ${examples['servers[].watchDirs']}`,
      ),
    ]);
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
  return r.data;
}

/** A parsed server entry as the sources take it; `secret` reads a `…Env` field's variable (null: unset). */
export function serverRunConfig(
  s: RunFile['servers'][number],
  tz: string,
  secret: (field: 'reportSecret' | 'legacyToken', name: string | undefined) => string | null,
): ServerRunConfig {
  const sftp = s.sftp;
  return {
    id: s.id,
    tz: s.tz ?? tz,
    reportSecret: s.reportSecret ?? secret('reportSecret', s.reportSecretEnv),
    legacyToken: s.legacyToken ?? secret('legacyToken', s.legacyTokenEnv),
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
}

function fileIssue(issue: z.core.$ZodIssue, input: unknown, fileLabel: string): string {
  const path = issue.path.reduce<string>(
    (s, p) => (typeof p === 'number' ? `${s}[${p}]` : s === '' ? String(p) : `${s}.${String(p)}`),
    '',
  );
  const last = String([...issue.path].reverse().find((p) => typeof p === 'string') ?? '');
  if (issue.code === 'unrecognized_keys') {
    const where = path === '' ? 'top level' : path;
    const fields = issue.keys.map((k) => JSON.stringify(k)).join(', ');
    return formatProblem(`${fileLabel}, ${where}`, `unknown field ${fields} (see docs/run.md for the fields)`);
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
  return formatProblem(`${path || fileLabel} = ${shown}`, message, examples[path.replace(/\[\d+\]/g, '[]')]);
}
