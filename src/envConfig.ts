// The one way et-ledger reads its environment (STYLE §6: config parsed once, errors that teach):
// take the variables a part knows, set and non-empty, validate them with its zod schema, and on
// failure name each variable, its value (secrets hidden), the problem and an example.
import type { z } from 'zod';
import { LedgerError } from './errors.ts';
import { maskStoreText } from './store/openStore.ts';

/** What the docs and --help print for a variable. */
export type EnvVariable = { readonly example: string; readonly help: string };

/** Names of settings whose values are never printed. */
export const secretName = /secret|token|password/i;

/** Names of settings that hold a database URL: printed with its password masked (maskStoreText). */
const urlName = /_URL$|^ET_LEDGER_STORE$/;

/** The variables among `keys` that are set to something in `env` (an empty value counts as unset). */
export function pickSet(env: Record<string, string | undefined>, keys: readonly string[]): Record<string, string> {
  const source: Record<string, string> = {};
  for (const key of keys) {
    const v = env[key];
    if (v !== undefined && v !== '') source[key] = v;
  }
  return source;
}

/**
 * `schema` applied to `source`; throws CONFIG_INVALID titled `invalid <what>:` with one entry per
 * problem. `flagOf` names a command-line flag that also sets a variable (`ET_LEDGER_TZ (or --tz)`).
 */
export function parseVariables<S extends z.ZodType>(
  schema: S,
  source: Record<string, string | undefined>,
  variables: Readonly<Record<string, EnvVariable>>,
  what: string,
  flagOf: (key: string) => string | undefined = () => undefined,
): z.output<S> {
  const r = schema.safeParse(source);
  if (r.success) return r.data;
  const lines = r.error.issues.map((i) => {
    const key = String(i.path[0]);
    const value = source[key];
    const shown =
      value === undefined
        ? '(unset)'
        : secretName.test(key)
          ? '(hidden)'
          : JSON.stringify(urlName.test(key) ? maskStoreText(value) : value);
    const flag = flagOf(key);
    const example = variables[key]?.example;
    return `  ${key}${flag ? ` (or --${flag})` : ''} = ${shown}: ${i.message}${example ? `\n    example: ${key}=${example}` : ''}`;
  });
  throw new LedgerError('CONFIG_INVALID', `invalid ${what}:\n${lines.join('\n')}`);
}
