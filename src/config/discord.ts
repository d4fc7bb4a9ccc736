// The Discord sink's slice of the environment (docs/discord.md): parsed once by cli/, passed down.
import { z } from 'zod';
import { parseVariables, pickSet } from './variables.ts';

/** Every variable the Discord sink reads, with an example: the source of docs/discord.md's table. */
export const discordEnvVariables = {
  DISCORD_TOKEN: {
    example: 'MTIzNDU2Nzg5MDEyMzQ1Njc4.GAbCdE.xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx',
    help: 'bot token; unset: the Discord sink is off',
  },
  ET_LEDGER_DISCORD_GUILD: { example: '1012345678901234567', help: 'guild (server) id, for slash commands' },
  ET_LEDGER_CHANNEL_ROUNDS: { example: '1012345678901234568', help: 'channel id for round summaries' },
  ET_LEDGER_CHANNEL_TIMING: { example: '1012345678901234569', help: 'channel id for timing checks (dev channel)' },
  ET_LEDGER_DISCORD_API: {
    example: 'https://discord.com/api',
    help: "REST base URL (default Discord's; tests point it at a fake)",
  },
  ET_LEDGER_POST_MAX_AGE: {
    example: '6h',
    help: 'rounds older than this (wall clock) are not posted; s/m/h/d, 0 = no limit (default 6h)',
  },
} as const;

/** A Discord snowflake, as a string (in a JSON file too: Discord ids overflow JSON numbers). */
export const DiscordId = z
  .string('must be a Discord id in quotes')
  .regex(/^\d{17,20}$/, 'must be a Discord id: 17 to 20 digits (Developer Mode on, then right-click → Copy ID)');

/** `90s`, `30m`, `6h`, `2d`, or bare seconds; `0` turns the limit off. */
export function parseDuration(text: string): number | null {
  const m = /^\s*(\d+(?:\.\d+)?)\s*(s|m|h|d)?\s*$/i.exec(text);
  if (!m) return null;
  const unit = { s: 1, m: 60, h: 3600, d: 86_400 }[(m[2] ?? 's').toLowerCase() as 's' | 'm' | 'h' | 'd'];
  return Math.round(Number(m[1]) * unit);
}

export const DiscordEnv = z.object({
  DISCORD_TOKEN: z
    .string()
    .regex(/^[A-Za-z0-9._-]{20,}$/, 'must be the bot token from the developer portal (no "Bot " prefix, no spaces)')
    .optional(),
  ET_LEDGER_DISCORD_GUILD: DiscordId.optional(),
  ET_LEDGER_CHANNEL_ROUNDS: DiscordId.optional(),
  ET_LEDGER_CHANNEL_TIMING: DiscordId.optional(),
  ET_LEDGER_DISCORD_API: z
    .url({ protocol: /^https?$/, error: 'must be an http(s) URL ending before /v10' })
    .default('https://discord.com/api'),
  ET_LEDGER_POST_MAX_AGE: z
    .string()
    .refine((t) => parseDuration(t) !== null, 'must be a duration such as 6h, 90m or 0 (no limit)')
    .default('6h'),
});

/** DiscordEnv with the rules across variables; `relay`: a token without a post channel is fine. */
const discordEnv = (relay: boolean) =>
  DiscordEnv.superRefine((e, ctx) => {
    const channels = ['ET_LEDGER_CHANNEL_ROUNDS', 'ET_LEDGER_CHANNEL_TIMING'] as const;
    if (e.DISCORD_TOKEN && !relay && !channels.some((c) => e[c]))
      ctx.addIssue({
        code: 'custom',
        path: ['ET_LEDGER_CHANNEL_ROUNDS'],
        message: 'DISCORD_TOKEN is set but no channel is: set ET_LEDGER_CHANNEL_ROUNDS and/or ET_LEDGER_CHANNEL_TIMING',
      });
    for (const c of [...channels, 'ET_LEDGER_DISCORD_GUILD'] as const)
      if (e[c] && !e.DISCORD_TOKEN)
        ctx.addIssue({ code: 'custom', path: ['DISCORD_TOKEN'], message: `is required when ${c} is set` });
  });

export type DiscordConfig = {
  token: string;
  guildId: string | null;
  channels: { rounds: string | null; timing: string | null };
  /** REST base URL without the version (`https://discord.com/api`). */
  api: string;
  /** Seconds; 0 = post rounds of any age. */
  postMaxAgeSec: number;
  /** The web pages' public address (ET_LEDGER_PUBLIC_URL, src/config/web.ts): round posts link to their page. */
  publicUrl?: string | null;
};

type Environment = NodeJS.ProcessEnv | Record<string, string | undefined>;

/**
 * The Discord configuration, or `null` when no Discord variable is set (sink and relay are off).
 * `relay`: a Discord relay is configured, so a token without a post channel is fine.
 * Throws CONFIG_INVALID naming the variable, the problem and an example.
 */
export function loadDiscordConfig(env: Environment, opts: { relay?: boolean } = {}): DiscordConfig | null {
  const e = parseVariables(
    discordEnv(opts.relay ?? false),
    pickSet(env, Object.keys(DiscordEnv.shape)),
    discordEnvVariables,
    'Discord configuration',
  );
  if (!e.DISCORD_TOKEN) return null;
  return {
    token: e.DISCORD_TOKEN,
    guildId: e.ET_LEDGER_DISCORD_GUILD ?? null,
    channels: { rounds: e.ET_LEDGER_CHANNEL_ROUNDS ?? null, timing: e.ET_LEDGER_CHANNEL_TIMING ?? null },
    api: e.ET_LEDGER_DISCORD_API.replace(/\/+$/, ''),
    postMaxAgeSec: parseDuration(e.ET_LEDGER_POST_MAX_AGE) ?? 6 * 3600,
  };
}

/**
 * ET_LEDGER_POST_MAX_AGE in seconds, read the way the sender reads it: the rebuild report predicts
 * the sender without needing a Discord token. A bad value is refused naming the variable.
 */
export function postMaxAgeSec(env: Environment): number {
  const e = parseVariables(
    DiscordEnv.pick({ ET_LEDGER_POST_MAX_AGE: true }),
    pickSet(env, ['ET_LEDGER_POST_MAX_AGE']),
    discordEnvVariables,
    'Discord configuration',
  );
  return parseDuration(e.ET_LEDGER_POST_MAX_AGE) ?? 6 * 3600;
}
