// The web pages' slice of the environment (README "Configuration"), parsed once by cli/: where
// `et-ledger web` and `run` serve them, and the public address Discord posts link to.
import { z } from 'zod';
import { parseVariables, pickSet } from './variables.ts';

export const webEnvVariables = {
  ET_LEDGER_WEB_PORT: {
    example: '8790',
    help: '`run` also serves the web pages on this port (unset: it does not); `web` listens here (default 8790)',
  },
  ET_LEDGER_WEB_HOST: {
    example: '127.0.0.1',
    help: 'address the web pages listen on (default 127.0.0.1; put a TLS proxy in front for the internet)',
  },
  ET_LEDGER_PUBLIC_URL: {
    example: 'https://stats.example.org',
    help: "the pages' public address: Discord posts link to their round page under it (unset: no link)",
  },
} as const;

const port = z.coerce
  .number({ error: 'must be a port number' })
  .int('must be a whole number')
  .min(0, 'must be a port from 0 to 65535')
  .max(65_535, 'must be a port from 0 to 65535');

export const WebEnv = z.object({
  ET_LEDGER_WEB_PORT: port.optional(),
  ET_LEDGER_WEB_HOST: z
    .string()
    .regex(/^[A-Za-z0-9.:[\]-]{1,255}$/, 'must be a host name or an IP address such as 127.0.0.1 or ::1')
    .default('127.0.0.1'),
  ET_LEDGER_PUBLIC_URL: z
    .url({ protocol: /^https?$/, error: 'must be an http(s) URL such as https://stats.example.org' })
    .transform((u) => u.replace(/\/+$/, ''))
    .optional(),
});

export type WebConfig = { port: number | null; host: string; publicUrl: string | null };

/** The web settings; `flags` (`--port`, `--host`) win over the variables. */
export function loadWebConfig(
  env: NodeJS.ProcessEnv,
  flags: { port?: string | undefined; host?: string | undefined } = {},
): WebConfig {
  const source: Record<string, string | undefined> = pickSet(env, Object.keys(WebEnv.shape));
  if (flags.port !== undefined) source.ET_LEDGER_WEB_PORT = flags.port;
  if (flags.host !== undefined) source.ET_LEDGER_WEB_HOST = flags.host;
  const e = parseVariables(WebEnv, source, webEnvVariables, 'web configuration', (key) =>
    key === 'ET_LEDGER_WEB_PORT' ? 'port' : key === 'ET_LEDGER_WEB_HOST' ? 'host' : undefined,
  );
  return { port: e.ET_LEDGER_WEB_PORT ?? null, host: e.ET_LEDGER_WEB_HOST, publicUrl: e.ET_LEDGER_PUBLIC_URL ?? null };
}

/** `et-ledger web`'s port when neither --port nor ET_LEDGER_WEB_PORT names one. */
export const DEFAULT_WEB_PORT = 8790;

/** A round page's address under the public URL, or null without one. */
export const roundPageUrl = (publicUrl: string | null, roundId: string): string | null =>
  publicUrl ? `${publicUrl}/rounds/${encodeURIComponent(roundId)}` : null;
