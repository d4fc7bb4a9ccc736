import { z } from 'zod';
import { AccountLinked, AccountUnlinked } from './accountLinks.ts';
import { ClockTicked } from './clockTicked.ts';
import { ClockTickedV1, upcastClockTickedV1 } from './clockTicked.v1.ts';
import { LuaRoundEnded } from './luaRoundEnded.ts';
import { PauseRecorded } from './pauseRecorded.ts';
import {
  RoundTimingReconciled,
  RoundTimingReconciledV1,
  upcastRoundTimingReconciledV1,
} from './roundTimingReconciled.ts';
import { RoundVerdictRetracted } from './roundVerdictRetracted.ts';
import { ServerZoneCorrected } from './serverZoneCorrected.ts';
import { StatsFileArrived } from './statsFileArrived.ts';
import { UnrecognizedFactArrived } from './unrecognizedFactArrived.ts';

export * from './accountLinks.ts';
export * from './clockTicked.ts';
export * from './common.ts';
export * from './ids.ts';
export * from './luaRoundEnded.ts';
export * from './pauseRecorded.ts';
export * from './roundTimingReconciled.ts';
export * from './roundVerdictRetracted.ts';
export * from './serverZoneCorrected.ts';
export * from './statsFileArrived.ts';
export * from './unrecognizedFactArrived.ts';

/** Every event as the current code writes it. */
export const LedgerEvent = z.discriminatedUnion('type', [
  StatsFileArrived,
  LuaRoundEnded,
  PauseRecorded,
  ClockTicked,
  UnrecognizedFactArrived,
  RoundTimingReconciled,
  RoundVerdictRetracted,
  AccountLinked,
  AccountUnlinked,
  ServerZoneCorrected,
]);
export type LedgerEvent = z.output<typeof LedgerEvent>;
export type EventType = LedgerEvent['type'];
export type EventOf<T extends EventType> = Extract<LedgerEvent, { type: T }>;

/** The current schema version of each event type. */
const currentVersions = new Map<string, number>(
  LedgerEvent.options.map((o) => [o.shape.type.value, o.shape.schemaVersion.value]),
);

/** The schema version events of `type` are written in today (undefined for an unknown type). */
export const currentSchemaVersion = (type: string): number | undefined => currentVersions.get(type);

/** Old shapes still found in logs, each with its pure upcaster to the current shape. */
const upcasters: { type: string; schemaVersion: number; schema: z.ZodType; upcast: (old: never) => LedgerEvent }[] = [
  { type: 'ClockTicked', schemaVersion: 1, schema: ClockTickedV1, upcast: upcastClockTickedV1 },
  {
    type: 'RoundTimingReconciled',
    schemaVersion: 1,
    schema: RoundTimingReconciledV1,
    upcast: upcastRoundTimingReconciledV1,
  },
];

export type DecodeResult = { ok: true; event: LedgerEvent } | { ok: false; reason: string };

type Stored = { type: string; schemaVersion: number; data: unknown; raw?: Uint8Array | null };

/**
 * Reads a stored event of any known version as the current shape (upcast on read, never
 * rewritten). Events of the current version were validated when they were made (every fact
 * passes its schema in the parser or source that builds it), so reading trusts them: a rebuild
 * of a large log is not spent re-validating it. `validate` re-checks them all (tests, audits).
 */
export function decodeEvent(stored: Stored, opts: { validate?: boolean } = {}): DecodeResult {
  const candidate = stored.raw
    ? { type: stored.type, schemaVersion: stored.schemaVersion, data: stored.data, raw: stored.raw }
    : { type: stored.type, schemaVersion: stored.schemaVersion, data: stored.data };
  if (currentVersions.get(stored.type) === stored.schemaVersion) {
    if (!opts.validate) return { ok: true, event: candidate as LedgerEvent };
    const current = LedgerEvent.safeParse(candidate);
    return current.success ? { ok: true, event: current.data } : { ok: false, reason: z.prettifyError(current.error) };
  }
  const up = upcasters.find((u) => u.type === stored.type && u.schemaVersion === stored.schemaVersion);
  if (!up) return { ok: false, reason: `no schema for ${stored.type} v${stored.schemaVersion}` };
  const old = up.schema.safeParse(candidate);
  return old.success
    ? { ok: true, event: up.upcast(old.data as never) }
    : { ok: false, reason: z.prettifyError(old.error) };
}
