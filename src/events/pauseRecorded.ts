import { z } from 'zod';
import { FactSource, IsoInstant, RawBytes, ServerId, UnixSeconds } from './common.ts';

/** One pause interval of one round. */
export const PauseRecorded = z.object({
  type: z.literal('PauseRecorded'),
  schemaVersion: z.literal(1),
  data: z.object({
    serverId: ServerId,
    map: z.string().min(1),
    round: z.union([z.literal(1), z.literal(2)]),
    roundStartUnix: UnixSeconds.nullable(),
    /** Known when the pause came inside a round-end report; our own pause records are sent before the end. */
    roundEndUnix: UnixSeconds.nullable(),
    startUnix: UnixSeconds,
    endUnix: UnixSeconds,
    sec: z.number().nonnegative(),
    source: FactSource,
    receivedAt: IsoInstant,
  }),
  raw: RawBytes,
});
export type PauseRecorded = z.output<typeof PauseRecorded>;
