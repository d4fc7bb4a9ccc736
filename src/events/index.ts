import { z } from 'zod';
import { ClockTicked } from './clockTicked.ts';
import { ClockTickedV1, upcastClockTickedV1 } from './clockTicked.v1.ts';
import { LuaRoundEnded } from './luaRoundEnded.ts';
import { PauseRecorded } from './pauseRecorded.ts';
import { RoundTimingReconciled } from './roundTimingReconciled.ts';
import { StatsFileArrived } from './statsFileArrived.ts';
import { UnrecognizedFactArrived } from './unrecognizedFactArrived.ts';

export * from './clockTicked.ts';
export * from './common.ts';
export * from './ids.ts';
export * from './luaRoundEnded.ts';
export * from './pauseRecorded.ts';
export * from './roundTimingReconciled.ts';
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
]);
export type LedgerEvent = z.output<typeof LedgerEvent>;
export type EventType = LedgerEvent['type'];
export type EventOf<T extends EventType> = Extract<LedgerEvent, { type: T }>;

/** Old shapes still found in logs, each with its pure upcaster to the current shape. */
const upcasters: { schema: z.ZodType; upcast: (old: never) => LedgerEvent }[] = [
  { schema: ClockTickedV1, upcast: upcastClockTickedV1 },
];

export type DecodeResult = { ok: true; event: LedgerEvent } | { ok: false; reason: string };

/** Reads a stored event of any known version as the current shape (upcast on read, never rewritten). */
export function decodeEvent(stored: {
  type: string;
  schemaVersion: number;
  data: unknown;
  raw?: Uint8Array | null;
}): DecodeResult {
  const candidate = stored.raw
    ? { type: stored.type, schemaVersion: stored.schemaVersion, data: stored.data, raw: stored.raw }
    : { type: stored.type, schemaVersion: stored.schemaVersion, data: stored.data };
  const current = LedgerEvent.safeParse(candidate);
  if (current.success) return { ok: true, event: current.data };
  for (const { schema, upcast } of upcasters) {
    const old = schema.safeParse(candidate);
    if (old.success) return { ok: true, event: upcast(old.data as never) };
  }
  return { ok: false, reason: z.prettifyError(current.error) };
}
