import { z } from 'zod';
import { FactSource, IsoInstant, RawBytes, ServerId, Side, UnixSeconds } from './common.ts';

export const LuaReportShape = z.enum(['et-ledger.round/1', 'legacy.stats-ready', 'legacy.gametime']);
export const EndReason = z.enum(['objective', 'time_expired', 'surrender', 'aborted', 'unknown']);

export const LuaPlayer = z.object({
  guid: z.string(),
  /** Clean display name: colour codes and control bytes removed. */
  name: z.string(),
  /** The engine's bytes as text; null when the report carried only one name. */
  rawName: z.string().nullable(),
  team: z.union([z.literal(1), z.literal(2)]),
});
export type LuaPlayer = z.output<typeof LuaPlayer>;

export const LuaPause = z.object({
  startUnix: UnixSeconds,
  endUnix: UnixSeconds.nullable(),
  sec: z.number().nonnegative().nullable(),
});

/**
 * One round-end report of a game-server Lua script, normalised from any of its shapes;
 * `raw` keeps the payload exactly as received so a later normaliser can read it again.
 */
export const LuaRoundEnded = z.object({
  type: z.literal('LuaRoundEnded'),
  schemaVersion: z.literal(1),
  data: z.object({
    serverId: ServerId,
    map: z.string().min(1),
    round: z.union([z.literal(1), z.literal(2)]),
    roundStartUnix: UnixSeconds.nullable(),
    roundEndUnix: UnixSeconds,
    /** end − start − pauses as the script reported it (legacy: capped at the limit). */
    playtimeSec: z.number().nonnegative().nullable(),
    timelimitSec: z.number().nonnegative().nullable(),
    warmupSec: z.number().nonnegative().nullable(),
    warmupStartUnix: UnixSeconds.nullable(),
    /** null when the script could not know (legacy before 1.7.1). */
    pauseCount: z.number().int().nonnegative().nullable(),
    pausedSec: z.number().nonnegative().nullable(),
    pauses: z.array(LuaPause),
    endReason: EndReason,
    /** As reported: the legacy script fills it even after a failed vote. */
    surrender: z
      .object({ team: Side, callerGuid: z.string().nullable(), callerName: z.string().nullable() })
      .nullable(),
    winner: Side,
    defender: Side,
    players: z.array(LuaPlayer),
    scriptVersion: z.string().nullable(),
    shape: LuaReportShape,
    source: FactSource,
    receivedAt: IsoInstant,
  }),
  raw: RawBytes,
});
export type LuaRoundEnded = z.output<typeof LuaRoundEnded>;
export type LuaReport = LuaRoundEnded['data'];
