// What every command reads (README "Configuration"): the store, the game server's zone and id, the
// limits of a fact and a session, the log level. Parsed once by cli/, flags over variables.
import { z } from 'zod';
import { IanaZone, ServerId } from '../events/common.ts';
import type { StoreSpec } from '../store/openStore.ts';
import { postgresUrlProblem, resolveStore } from './store.ts';
import { parseVariables, pickSet } from './variables.ts';

/** The variables every command reads, with an example and what they do (--help and the README's table). */
export const envVariables = {
  ET_LEDGER_STORE: {
    example: 'embedded:./.et-ledger | pglite:./.et-ledger | postgres: | postgres:postgres://u@host/db',
    help: 'where the log lives (default embedded:./.et-ledger: PostgreSQL run from the folder)',
  },
  DATABASE_URL: {
    example: 'postgres://postgres@127.0.0.1:5432/etl',
    help: 'fills a bare `postgres:` store; holds the read models of an eventstoredb: log',
  },
  ET_LEDGER_TZ: {
    example: 'Europe/Ljubljana',
    help: "the game server's IANA zone (stats file names are local time); default: this machine's zone",
  },
  ET_LEDGER_SERVER_ID: { example: 'eu1', help: 'server id for facts that do not name one (default `default`)' },
  ET_LEDGER_MAX_FILE_BYTES: { example: '1048576', help: 'larger files are quarantined unread (default 1 MiB)' },
  ET_LEDGER_SESSION_GAP_MIN: { example: '45', help: 'rounds further apart than this start a new session (default 45)' },
  ET_LEDGER_LOG_LEVEL: {
    example: 'info',
    help: 'fatal | error | warn | info | debug | trace (default: info for run/collect, warn otherwise)',
  },
} as const;

const positiveInt = z.coerce
  .number({ error: 'must be a whole number' })
  .int('must be a whole number')
  .positive('must be positive');

export const Env = z.object({
  ET_LEDGER_STORE: z
    .string()
    .regex(
      /^(embedded|pglite|postgres|eventstoredb):/,
      'must start with embedded:, pglite:, postgres: or eventstoredb: (example: embedded:./.et-ledger)',
    )
    .default('embedded:./.et-ledger'),
  DATABASE_URL: z
    .string()
    .superRefine((url, ctx) => {
      const problem = postgresUrlProblem(url);
      if (problem) ctx.addIssue({ code: 'custom', message: problem });
    })
    .optional(),
  ET_LEDGER_TZ: IanaZone.optional(),
  ET_LEDGER_SERVER_ID: ServerId.default('default'),
  ET_LEDGER_MAX_FILE_BYTES: positiveInt.default(1024 * 1024),
  ET_LEDGER_SESSION_GAP_MIN: positiveInt.default(45),
  ET_LEDGER_LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).optional(),
});
export type Env = z.output<typeof Env>;

export type Config = {
  store: StoreSpec;
  storeText: string;
  tz: string;
  /** Whether `tz` was given (--tz, ET_LEDGER_TZ) or is this machine's zone, a guess. */
  tzGiven: boolean;
  serverId: string;
  maxFileBytes: number;
  sessionGapMin: number;
  /** Unset: each command picks its own default. */
  logLevel: Env['ET_LEDGER_LOG_LEVEL'];
};

export type ConfigOverrides = { store?: string | undefined; tz?: string | undefined; server?: string | undefined };

/** Parses the environment once (cli/ calls it) and applies command-line flags over it. */
export function loadConfig(env: NodeJS.ProcessEnv, flags: ConfigOverrides = {}): Config {
  const source: Record<string, string | undefined> = pickSet(env, Object.keys(Env.shape));
  const fromFlags: [keyof ConfigOverrides, keyof Env][] = [
    ['store', 'ET_LEDGER_STORE'],
    ['tz', 'ET_LEDGER_TZ'],
    ['server', 'ET_LEDGER_SERVER_ID'],
  ];
  for (const [flag, key] of fromFlags) if (flags[flag] !== undefined) source[key] = flags[flag];
  const e = parseVariables(
    Env,
    source,
    envVariables,
    'configuration',
    (key) => fromFlags.find(([, k]) => k === key)?.[0],
  );
  return {
    store: resolveStore(e.ET_LEDGER_STORE, e.DATABASE_URL),
    storeText: e.ET_LEDGER_STORE,
    tz: e.ET_LEDGER_TZ ?? Intl.DateTimeFormat().resolvedOptions().timeZone,
    tzGiven: e.ET_LEDGER_TZ !== undefined,
    serverId: e.ET_LEDGER_SERVER_ID,
    maxFileBytes: e.ET_LEDGER_MAX_FILE_BYTES,
    sessionGapMin: e.ET_LEDGER_SESSION_GAP_MIN,
    logLevel: e.ET_LEDGER_LOG_LEVEL,
  };
}
