import { z } from 'zod';
import { ServerId, UnixSeconds } from './common.ts';
import type { Verdict } from './roundTimingReconciled.ts';

/**
 * A verdict that stopped being true before another replaced it (spec/correlation.md,
 * "Retractions"): a tie formed at the same |Δ|, or the facts of its round no longer decide it yet.
 * From its position on nothing shows the superseded verdict; the round's next verdict names this
 * retraction in `supersedes`, so every round's chain stays whole.
 */
export const RoundVerdictRetracted = z.object({
  type: z.literal('RoundVerdictRetracted'),
  schemaVersion: z.literal(1),
  data: z.object({
    roundKey: z.string(),
    serverId: ServerId,
    map: z.string(),
    round: z.union([z.literal(1), z.literal(2)]),
    statsFactId: z.string().nullable(),
    luaReportId: z.string().nullable(),
    /** Why no verdict stands for the round now, in words a reader of verdict_history understands. */
    reason: z.enum(['ambiguous', 'undecided']),
    supersedes: z.array(z.string()).min(1),
    correlatorVersion: z.number().int().positive(),
    generation: z.number().int().nonnegative(),
    watermarkUnix: UnixSeconds,
  }),
});
export type RoundVerdictRetracted = z.output<typeof RoundVerdictRetracted>;
export type Retraction = RoundVerdictRetracted['data'];

/** What a follower folds: a verdict or a retraction, in log order. */
export type DerivedFact = Verdict | Retraction;
export const isVerdict = (d: DerivedFact): d is Verdict => 'status' in d;

/** The derived events a correlator build appends: both carry its generation. */
export const derivedEventTypes = ['RoundTimingReconciled', 'RoundVerdictRetracted'] as const;
