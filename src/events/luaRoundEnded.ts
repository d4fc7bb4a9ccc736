import { z } from 'zod';
import { FactSource, IsoInstant, RawBytes, ServerId, Side, UnixSeconds } from './common.ts';

export const LuaReportShape = z.enum([
  'et-ledger.round/1',
  'et-ledger.round/2',
  'legacy.stats-ready',
  'legacy.gametime',
]);
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

/** Largest per-team time a read model holds (int4 milliseconds, ≈ 24.8 days): beyond it is not a time. */
export const MAX_PLAYER_MS = 2_147_483_647;

/**
 * One client's own time in play (`et-ledger.round/2`, lua-report.md): milliseconds of levelTime on
 * each side while the round clock ran, leavers included. `guid` null: a bot; `team` at round end
 * (0 gone, 1 Axis, 2 Allies, 3 spectator).
 */
export const LuaPlayerTime = z.object({
  guid: z.string().nullable(),
  name: z.string(),
  rawName: z.string().nullable(),
  team: z.union([z.literal(0), z.literal(1), z.literal(2), z.literal(3)]),
  axisMs: z.int().nonnegative().max(MAX_PLAYER_MS),
  alliesMs: z.int().nonnegative().max(MAX_PLAYER_MS),
});
export type LuaPlayerTime = z.output<typeof LuaPlayerTime>;

/**
 * Entries in `playerTimes`. Not MAX_CLIENTS (64): the list names every client of the round, and on
 * a busy server clients come and go (lua/ tests 176 over 32 slots); the script keeps the report
 * within 64 KiB. A shortest entry is ~56 bytes, so 64 KiB holds ~1 170: beyond 1 024 is not a report.
 */
export const MAX_REPORT_PLAYERS = 1024;

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
    /**
     * Each client's own time in play (`et-ledger.round/2`); null for `/1` and the legacy shapes.
     * Absent in events stored before `/2` was read: a reader takes absent as null (additive, so
     * schemaVersion stays 1 and every stored event still passes).
     */
    playerTimes: z.array(LuaPlayerTime).max(MAX_REPORT_PLAYERS).nullable().optional(),
    scriptVersion: z.string().nullable(),
    shape: LuaReportShape,
    source: FactSource,
    receivedAt: IsoInstant,
  }),
  raw: RawBytes,
});
export type LuaRoundEnded = z.output<typeof LuaRoundEnded>;
export type LuaReport = LuaRoundEnded['data'];
