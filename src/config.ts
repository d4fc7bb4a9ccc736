import { z } from 'zod';
import { parseVariables, pickSet } from './envConfig.ts';
import { LedgerError } from './errors.ts';
import { IanaZone, ServerId } from './events/common.ts';
import { hasUnencodedCredentials, maskDatabaseUrl, maskStoreText, type StoreSpec } from './store/openStore.ts';

/**
 * Every environment variable et-ledger reads, with its default: the one source for the README's
 * configuration table (`et-ledger --help` prints it from here too).
 */
export const envVariables = {
  ET_LEDGER_STORE: {
    example: 'pglite:./.et-ledger | postgres: | postgres:postgres://u@host/db',
    help: 'where the log lives (default pglite:./.et-ledger)',
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

const positiveInt = (name: string) =>
  z.coerce
    .number({ error: `${name} must be a whole number` })
    .int(`${name} must be a whole number`)
    .positive(`${name} must be positive`);

/** What to do about a password that breaks its URL; every message about one says it. */
const percentEncode =
  'the password must be percent-encoded: an unencoded @, /, ? or # in it cuts the URL short (p@ss → p%40ss, / → %2F, ? → %3F, # → %23)';

/** Why `url` is no PostgreSQL URL we can use, or null. */
function postgresUrlProblem(url: string): string | null {
  const advice = url.includes('@') ? `; ${percentEncode}` : '';
  if (!/^postgres(ql)?:\/\//.test(url))
    return `must be a postgres:// URL (example: postgres://postgres@127.0.0.1:5432/etl)${advice}`;
  if (hasUnencodedCredentials(url)) return percentEncode;
  try {
    new URL(url);
  } catch {
    return `is not a valid URL${advice}`;
  }
  return null;
}

export const Env = z.object({
  ET_LEDGER_STORE: z
    .string()
    .regex(
      /^(pglite|postgres|eventstoredb):/,
      'must start with pglite:, postgres: or eventstoredb: (example: pglite:./.et-ledger)',
    )
    .default('pglite:./.et-ledger'),
  DATABASE_URL: z
    .string()
    .superRefine((url, ctx) => {
      const problem = postgresUrlProblem(url);
      if (problem) ctx.addIssue({ code: 'custom', message: problem });
    })
    .optional(),
  ET_LEDGER_TZ: IanaZone.optional(),
  ET_LEDGER_SERVER_ID: ServerId.default('default'),
  ET_LEDGER_MAX_FILE_BYTES: positiveInt('ET_LEDGER_MAX_FILE_BYTES').default(1024 * 1024),
  ET_LEDGER_SESSION_GAP_MIN: positiveInt('ET_LEDGER_SESSION_GAP_MIN').default(45),
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

/** `--store` text → adapter. DATABASE_URL alone never switches the store; it fills a bare `postgres:`. */
export function resolveStore(text: string, databaseUrl: string | undefined): StoreSpec {
  const colon = text.indexOf(':');
  const kind = text.slice(0, colon);
  const rest = text.slice(colon + 1);
  if (kind === 'pglite') return { kind: 'pglite', dir: rest === '' ? './.et-ledger' : rest };
  if (kind === 'postgres') {
    const url = rest === '' ? databaseUrl : rest;
    if (!url) {
      throw new LedgerError(
        'CONFIG_INVALID',
        'ET_LEDGER_STORE (or --store) is a bare `postgres:` but DATABASE_URL is not set\n    example: DATABASE_URL=postgres://postgres@127.0.0.1:5432/etl, or --store postgres:postgres://postgres@127.0.0.1:5432/etl',
      );
    }
    if (rest === '') checkDatabaseUrl(url);
    else {
      const problem = postgresUrlProblem(url);
      if (problem)
        throw new LedgerError(
          'CONFIG_INVALID',
          `ET_LEDGER_STORE (or --store) = postgres:${maskDatabaseUrl(url)}: ${problem.startsWith('must') ? `the part after postgres: ${problem}` : problem}\n    example: --store postgres:postgres://etl:p%40ss@127.0.0.1:5432/etl`,
        );
    }
    return { kind: 'postgres', url };
  }
  if (!databaseUrl) {
    throw new LedgerError(
      'CONFIG_INVALID',
      `DATABASE_URL is required when ET_LEDGER_STORE is ${maskStoreText(text)}: the read models live in PostgreSQL\n    example: DATABASE_URL=postgres://postgres@127.0.0.1:5432/etl`,
    );
  }
  if (rest === '')
    throw new LedgerError(
      'CONFIG_INVALID',
      'ET_LEDGER_STORE = eventstoredb: needs the server URL\n    example: eventstoredb:esdb://127.0.0.1:2113?tls=false',
    );
  if (hasUnencodedCredentials(rest))
    throw new LedgerError(
      'CONFIG_INVALID',
      `ET_LEDGER_STORE (or --store) = eventstoredb:${maskDatabaseUrl(rest)}: ${percentEncode}\n    example: eventstoredb:esdb://admin:p%40ss@127.0.0.1:2113?tls=false`,
    );
  checkDatabaseUrl(databaseUrl);
  return { kind: 'eventstoredb', url: rest, readModelsUrl: databaseUrl };
}

/** DATABASE_URL as loadConfig checks it, for callers of resolveStore that skipped loadConfig. */
function checkDatabaseUrl(url: string): void {
  const problem = postgresUrlProblem(url);
  if (problem)
    throw new LedgerError(
      'CONFIG_INVALID',
      `DATABASE_URL = ${JSON.stringify(maskDatabaseUrl(url))}: ${problem}\n    example: DATABASE_URL=postgres://etl:p%40ss@127.0.0.1:5432/etl`,
    );
}
