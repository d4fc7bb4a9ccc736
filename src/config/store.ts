// Which store a command opens: the `--store` / ET_LEDGER_STORE text resolved against DATABASE_URL
// (README "Configuration"), and the rules a PostgreSQL URL must pass. A URL is shown in errors with
// its password masked, also when an unencoded character in the password breaks it.
import { hasUnencodedCredentials, maskDatabaseUrl, maskStoreText, type StoreSpec } from '../store/openStore.ts';
import { embeddedClusterExists, embeddedPostgresProblem, pgliteDatabaseExists } from '../store/storeFolders.ts';
import { formatProblem, invalidConfig } from './variables.ts';

/** What to do about a password that breaks its URL; every message about one says it. */
const percentEncode =
  'the password must be percent-encoded: an unencoded @, /, ? or # in it cuts the URL short (p@ss → p%40ss, / → %2F, ? → %3F, # → %23)';

const STORE = 'ET_LEDGER_STORE (or --store)';

/** Why `url` is no PostgreSQL URL we can use, or null. */
export function postgresUrlProblem(url: string): string | null {
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

/** The error of a store setting, titled as loadConfig's. */
const invalidStore = (subject: string, problem: string, example: string) =>
  invalidConfig('configuration', [formatProblem(subject, problem, example)]);

/** The store folder of `embedded:` and `pglite:` without one. */
export const DEFAULT_STORE_DIR = './.et-ledger';

/**
 * `embedded:DIR` is PostgreSQL run from the folder where it can run here, else PGlite in the same
 * folder (which runs everywhere): a folder that already holds a PGlite store and no embedded one
 * (the default store before this one) keeps it, never a second store beside it; a platform without
 * the binaries, or root without a `postgres` user that can reach the folder, gets PGlite.
 * `et-ledger status` names the store a folder holds.
 */
function embeddedOrPglite(dir: string): StoreSpec {
  if (embeddedClusterExists(dir)) return { kind: 'embedded', dir };
  if (pgliteDatabaseExists(dir) || embeddedPostgresProblem(dir) !== null) return { kind: 'pglite', dir };
  return { kind: 'embedded', dir };
}

/** `--store` text → adapter. DATABASE_URL alone never switches the store; it fills a bare `postgres:`. */
export function resolveStore(text: string, databaseUrl: string | undefined): StoreSpec {
  const colon = text.indexOf(':');
  const kind = text.slice(0, colon);
  const rest = text.slice(colon + 1);
  if (kind === 'pglite') return { kind: 'pglite', dir: rest === '' ? DEFAULT_STORE_DIR : rest };
  if (kind === 'embedded') return embeddedOrPglite(rest === '' ? DEFAULT_STORE_DIR : rest);
  if (kind === 'postgres') {
    const url = rest === '' ? databaseUrl : rest;
    if (!url)
      throw invalidStore(
        `${STORE} = "postgres:"`,
        'a bare `postgres:` takes its URL from DATABASE_URL, and DATABASE_URL is not set',
        'DATABASE_URL=postgres://postgres@127.0.0.1:5432/etl, or --store postgres:postgres://postgres@127.0.0.1:5432/etl',
      );
    if (rest === '') checkDatabaseUrl(url);
    else {
      const problem = postgresUrlProblem(url);
      if (problem)
        throw invalidStore(
          `${STORE} = ${JSON.stringify(`postgres:${maskDatabaseUrl(url)}`)}`,
          problem.startsWith('must') ? `the part after postgres: ${problem}` : problem,
          '--store postgres:postgres://etl:p%40ss@127.0.0.1:5432/etl',
        );
    }
    return { kind: 'postgres', url };
  }
  if (!databaseUrl)
    throw invalidStore(
      'DATABASE_URL = (unset)',
      `is required when ET_LEDGER_STORE is ${JSON.stringify(maskStoreText(text))}: the read models live in PostgreSQL`,
      'DATABASE_URL=postgres://postgres@127.0.0.1:5432/etl',
    );
  if (rest === '')
    throw invalidStore(
      `${STORE} = "eventstoredb:"`,
      'needs the server URL',
      '--store eventstoredb:esdb://127.0.0.1:2113?tls=false',
    );
  if (hasUnencodedCredentials(rest))
    throw invalidStore(
      `${STORE} = ${JSON.stringify(`eventstoredb:${maskDatabaseUrl(rest)}`)}`,
      percentEncode,
      '--store eventstoredb:esdb://admin:p%40ss@127.0.0.1:2113?tls=false',
    );
  checkDatabaseUrl(databaseUrl);
  return { kind: 'eventstoredb', url: rest, readModelsUrl: databaseUrl };
}

/** DATABASE_URL as loadConfig checks it, for callers of resolveStore that skipped loadConfig. */
function checkDatabaseUrl(url: string): void {
  const problem = postgresUrlProblem(url);
  if (problem)
    throw invalidStore(
      `DATABASE_URL = ${JSON.stringify(maskDatabaseUrl(url))}`,
      problem,
      'DATABASE_URL=postgres://etl:p%40ss@127.0.0.1:5432/etl',
    );
}
