// Normalises a Lua round report of any shape (shared/spec/lua-report.md) into the data of
// LuaRoundEnded plus one PauseRecorded per listed pause, or a standalone pause record. Shapes are
// recognised by content, never by file name:
//   {schema: "et-ledger.round/1" | "et-ledger.round/2" | "et-ledger.pause/1", …}   our script
//   {content: "STATS_READY", embeds: [{fields}]}              legacy webhook body
//   {meta: {…}, payload: <legacy webhook body>}               legacy fallback file (gametime-*.json)
import type { z } from 'zod';
import { type LuaReport, LuaRoundEnded } from '../events/luaRoundEnded.ts';
import { PauseRecorded } from '../events/pauseRecorded.ts';
import { normalizeLegacy } from './luaReportLegacy.ts';
import { normalizeOwnPause, normalizeOwnRound } from './luaReportOwn.ts';
import {
  fromZodError,
  type LuaNormalizeContext,
  type LuaNormalizeResult,
  type PauseData,
  type Step,
} from './luaReportResult.ts';
import { decodeDocument } from './names.ts';

export type {
  LuaNormalizeContext,
  LuaNormalizeError,
  LuaNormalizeErrorCode,
  LuaNormalizeResult,
  PauseData,
} from './luaReportResult.ts';

/** The receiver's body limit; larger input is refused before it is decoded. */
export const MAX_LUA_REPORT_BYTES = 64 * 1024;

export type LuaShape =
  | 'et-ledger.round/1'
  | 'et-ledger.round/2'
  | 'et-ledger.pause/1'
  | 'legacy.stats-ready'
  | 'legacy.gametime';

const ownSchemas: readonly unknown[] = ['et-ledger.round/1', 'et-ledger.round/2', 'et-ledger.pause/1'];

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Which report shape a decoded JSON value has, from its marker keys only (no validation). */
export function detectLuaShape(value: unknown): LuaShape | null {
  if (!isRecord(value)) return null;
  if (ownSchemas.includes(value.schema)) return value.schema as LuaShape;
  if (value.content === 'STATS_READY') return 'legacy.stats-ready';
  if (isRecord(value.meta) && isRecord(value.payload) && value.payload.content === 'STATS_READY') {
    return 'legacy.gametime';
  }
  return null;
}

/** Decodes as UTF-8, or Windows-1252 when the bytes are not UTF-8 (names.ts rule), then parses JSON. */
export function parseJsonBytes(bytes: Uint8Array): { ok: true; value: unknown } | { ok: false; detail: string } {
  try {
    return { ok: true, value: JSON.parse(decodeDocument(bytes)) };
  } catch (e) {
    return { ok: false, detail: e instanceof Error ? e.message : String(e) };
  }
}

export function normalizeLuaReport(bytes: Uint8Array, context: LuaNormalizeContext): LuaNormalizeResult {
  if (bytes.length > MAX_LUA_REPORT_BYTES) {
    return {
      ok: false,
      error: { code: 'too_large', detail: `${bytes.length} bytes, the limit is ${MAX_LUA_REPORT_BYTES}` },
    };
  }
  const json = parseJsonBytes(bytes);
  if (!json.ok) return { ok: false, error: { code: 'not_json', detail: json.detail } };
  const value = json.value;

  const shape = detectLuaShape(value);
  switch (shape) {
    case null:
      return {
        ok: false,
        error: {
          code: 'unknown_shape',
          detail:
            'not et-ledger.round/1 or /2, et-ledger.pause/1, a STATS_READY webhook body or a {meta, payload} file',
        },
      };
    case 'et-ledger.pause/1': {
      const pause = checked(normalizeOwnPause(value, context), PauseRecorded.shape.data);
      return pause.ok ? { ok: true, kind: 'pause', pause: pause.value } : pause;
    }
    case 'et-ledger.round/1':
    case 'et-ledger.round/2':
      return roundResult(normalizeOwnRound(value, context, shape));
    case 'legacy.stats-ready':
      return roundResult(normalizeLegacy(value, shape, context, ''));
    case 'legacy.gametime':
      return roundResult(normalizeLegacy((value as { payload: unknown }).payload, shape, context, 'payload'));
  }
}

function roundResult(step: Step<LuaReport>): LuaNormalizeResult {
  // Every report we write says whether it has per-player time: only `/2` does (the legacy shapes never).
  const complete: Step<LuaReport> = step.ok
    ? { ok: true, value: { ...step.value, playerTimes: step.value.playerTimes ?? null } }
    : step;
  const report = checked(complete, LuaRoundEnded.shape.data);
  if (!report.ok) return report;
  const pauses: PauseData[] = [];
  for (const p of pausesOf(report.value)) {
    const pause = checked({ ok: true, value: p }, PauseRecorded.shape.data);
    if (!pause.ok) return pause;
    pauses.push(pause.value);
  }
  return { ok: true, kind: 'round', report: report.value, pauses };
}

/** The event schema has the last word: context values (server id, instant) are checked here too. */
function checked<T>(step: Step<T>, schema: z.ZodType<T>): Step<T> {
  if (!step.ok) return step;
  const result = schema.safeParse(step.value);
  return result.success ? { ok: true, value: result.data } : fromZodError(result.error, step.value);
}

/** One PauseRecorded per listed, closed pause; a pause open at round end has no interval to record. */
function pausesOf(report: LuaReport): PauseData[] {
  return report.pauses.flatMap((p) =>
    p.endUnix === null || p.sec === null
      ? []
      : [
          {
            serverId: report.serverId,
            map: report.map,
            round: report.round,
            roundStartUnix: report.roundStartUnix,
            roundEndUnix: report.roundEndUnix,
            startUnix: p.startUnix,
            endUnix: p.endUnix,
            sec: p.sec,
            source: report.source,
            receivedAt: report.receivedAt,
          },
        ],
  );
}
