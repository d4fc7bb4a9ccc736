// Result types shared by the Lua report normalisers (luaReport.ts and its shape modules).
import type { z } from 'zod';
import type { FactSource } from '../events/common.ts';
import type { LuaReport } from '../events/luaRoundEnded.ts';
import type { PauseRecorded } from '../events/pauseRecorded.ts';

export type PauseData = PauseRecorded['data'];

export type LuaNormalizeContext = { serverId: string; source: FactSource; receivedAt: string };

export type LuaNormalizeErrorCode = 'not_json' | 'unknown_shape' | 'bad_field' | 'too_large';
export type LuaNormalizeError = { code: LuaNormalizeErrorCode; field?: string; value?: string; detail: string };

export type LuaNormalizeResult =
  | { ok: true; kind: 'round'; report: LuaReport; pauses: PauseData[] }
  | { ok: true; kind: 'pause'; pause: PauseData }
  | { ok: false; error: LuaNormalizeError };

export type Failure = { ok: false; error: LuaNormalizeError };
export type Step<T> = { ok: true; value: T } | Failure;

const MAX_VALUE_CHARS = 200;

/** A `bad_field` failure; the offending value is kept short enough for a quarantine row. */
export function badField(field: string, detail: string, value?: unknown): Failure {
  const error: LuaNormalizeError = { code: 'bad_field', field, detail };
  const shown = showValue(value);
  if (shown !== undefined) error.value = shown;
  return { ok: false, error };
}

function showValue(value: unknown): string | undefined {
  if (value === undefined) return undefined;
  let text: string;
  if (typeof value === 'string') text = value;
  else {
    try {
      text = JSON.stringify(value) ?? String(value);
    } catch {
      text = String(value);
    }
  }
  return text.length > MAX_VALUE_CHARS ? `${text.slice(0, MAX_VALUE_CHARS)}…` : text;
}

/** The first zod issue as a `bad_field`, naming the dotted path (`teams.axis.0.guid`) and the value found there. */
export function fromZodError(error: z.ZodError, input: unknown, prefix = ''): Failure {
  const issue = error.issues[0];
  const path = issue ? issue.path.map(String) : [];
  const field = [prefix, ...path].filter((p) => p !== '').join('.') || '(root)';
  return badField(field, issue?.message ?? 'invalid', valueAt(input, path));
}

function valueAt(input: unknown, path: string[]): unknown {
  let here: unknown = input;
  for (const key of path) {
    if (here === null || typeof here !== 'object') return undefined;
    here = (here as Record<string, unknown>)[key];
  }
  return here;
}
