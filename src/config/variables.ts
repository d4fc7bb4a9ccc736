// The one way et-ledger reads its environment (STYLE §6: config parsed once, errors that teach):
// take the variables a part knows, set and non-empty, validate them with its zod schema, and on
// failure name each variable, its value (secrets hidden), the problem and an example. Every
// configuration error has this one shape:
//   invalid <what>:
//     <setting> = <value>: <problem>
//       example: <a good value>
import type { z } from 'zod';
import { LedgerError } from '../errors.ts';
import { maskStoreText } from '../store/openStore.ts';

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

/** One entry of a configuration error: `  <subject>: <problem>`, and its example beneath when there is one. */
export function formatProblem(subject: string, problem: string, example?: string): string {
  return `  ${subject}: ${problem}${example ? `\n    example: ${example}` : ''}`;
}

/** The CONFIG_INVALID error titled `invalid <what>:`, one entry per problem (formatProblem's lines). */
export function invalidConfig(what: string, problems: readonly string[]): LedgerError {
  return new LedgerError('CONFIG_INVALID', `invalid ${what}:\n${problems.join('\n')}`);
}

/** A value as an error shows it: quoted, a secret hidden, a URL's password masked. */
export function shownValue(key: string, value: string | undefined): string {
  if (value === undefined) return '(unset)';
  if (secretName.test(key)) return '(hidden)';
  return JSON.stringify(urlName.test(key) ? maskStoreText(value) : value);
}

/**
 * `schema` applied to `source`; throws invalidConfig(`what`) with one entry per problem. `flagOf`
 * names a command-line flag that also sets a variable (`ET_LEDGER_TZ (or --tz)`).
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
  throw invalidConfig(
    what,
    r.error.issues.map((i) => {
      const key = String(i.path[0]);
      const flag = flagOf(key);
      const example = variables[key]?.example;
      return formatProblem(
        `${key}${flag ? ` (or --${flag})` : ''} = ${shownValue(key, source[key])}`,
        i.message,
        example && `${key}=${example}`,
      );
    }),
  );
}
