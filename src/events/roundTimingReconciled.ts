import { z } from 'zod';
import { ServerId, Side, UnixSeconds } from './common.ts';

export const VerdictStatus = z.enum([
  'ALIGNED',
  'MINOR_DIFF',
  'DISCREPANCY',
  'NO_LUA_DATA',
  'LUA_ONLY',
  'NO_STATS_TIME',
]);
export type VerdictStatus = z.output<typeof VerdictStatus>;

export const VerdictFlag = z.enum([
  'pausesIncomplete',
  'pausesUnknown',
  'approximateStatsTime',
  'ambiguous',
  'inconsistentSurrender',
  'suspectedAbort',
  'ghost',
  'overLimit',
  'unlinkedPlayers',
  /** Some player's corrected time is the stats file's (no `/2` own time for him, or no report). */
  'approximatePlayerTime',
  /** Some player's own time exceeded the round's Lua playtime by more than 1 s: capped to it. */
  'playerTimeOverRound',
  /** Some player's figures are R1 + R2 (an R2 without its R1): rates use his cumulative time. */
  'cumulativeFigures',
]);
export type VerdictFlag = z.output<typeof VerdictFlag>;

export const VerdictPlayer = z.object({
  guid8: z.string(),
  /** The Lua report's 32-character GUID, when the per-player join found exactly one. */
  fullGuid: z.string().nullable(),
  name: z.string(),
  team: z.number().int(),
  damageGiven: z.number().int().nonnegative(),
  statsTimeSec: z.number().nonnegative(),
  correctedTimeSec: z.number().nonnegative(),
  factor: z.number().nullable(),
  dpm: z.number().nullable(),
  correctedDpm: z.number().nullable(),
});
export type VerdictPlayer = z.output<typeof VerdictPlayer>;

/**
 * The correlator's verdict for one round (spec/correlation.md). `roundKey` names the target:
 * the stats fact's event id when a stats round is involved, else `lua:<report id>`.
 */
export const RoundTimingReconciledV1Data = z.object({
  roundKey: z.string(),
  serverId: ServerId,
  map: z.string(),
  round: z.union([z.literal(1), z.literal(2)]),
  statsFactId: z.string().nullable(),
  statsFileName: z.string().nullable(),
  fileTimeUnix: UnixSeconds.nullable(),
  luaFactId: z.string().nullable(),
  luaReportId: z.string().nullable(),
  luaRoundEndUnix: UnixSeconds.nullable(),
  deltaSec: z.number().int().nullable(),
  statsPlaytimeSec: z.number().nonnegative().nullable(),
  luaPlaytimeSec: z.number().nonnegative().nullable(),
  pausedSec: z.number().nonnegative().nullable(),
  pauseCount: z.number().int().nonnegative().nullable(),
  warmupSec: z.number().nonnegative().nullable(),
  wallClockSec: z.number().nonnegative().nullable(),
  timelimitSec: z.number().nonnegative().nullable(),
  fightingTimeSec: z.number().nonnegative().nullable(),
  diffSec: z.number().nonnegative().nullable(),
  status: VerdictStatus,
  surrender: z.boolean(),
  surrenderTeam: Side.nullable(),
  outcome: z.enum(['COMPLETED', 'FULL_HOLD']).nullable(),
  winner: Side,
  defender: Side,
  flags: z.array(VerdictFlag),
  players: z.array(VerdictPlayer),
  correlatorVersion: z.number().int().positive(),
  /** Event id of the verdict this one replaces, for the same round key or a former LUA_ONLY/NO_LUA_DATA. */
  supersedes: z.array(z.string()),
  /** The per-server watermark (event time) at which the decision was taken. */
  watermarkUnix: UnixSeconds,
});

/**
 * v2 adds `generation`: the correlator build that decided (DESIGN invariant 8). Readers follow the
 * active build's generation only; a rebuild's verdicts are facts of their own generation.
 */
export const RoundTimingReconciled = z.object({
  type: z.literal('RoundTimingReconciled'),
  schemaVersion: z.literal(2),
  data: RoundTimingReconciledV1Data.extend({ generation: z.number().int().nonnegative() }),
});
export type RoundTimingReconciled = z.output<typeof RoundTimingReconciled>;
export type Verdict = RoundTimingReconciled['data'];

/** v1 verdicts were written before generations; they belong to generation 0, which no build follows. */
export const RoundTimingReconciledV1 = z.object({
  type: z.literal('RoundTimingReconciled'),
  schemaVersion: z.literal(1),
  data: RoundTimingReconciledV1Data,
});
export type RoundTimingReconciledV1 = z.output<typeof RoundTimingReconciledV1>;

export function upcastRoundTimingReconciledV1(old: RoundTimingReconciledV1): RoundTimingReconciled {
  return { type: 'RoundTimingReconciled', schemaVersion: 2, data: { ...old.data, generation: 0 } };
}
