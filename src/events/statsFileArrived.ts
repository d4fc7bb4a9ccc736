import { z } from 'zod';
import { FactSource, IanaZone, IsoInstant, RawBytes, ServerId, Sha256Hex } from './common.ts';

/** One stats file, byte for byte, with what is needed to read it again later (the server's zone). */
export const StatsFileArrived = z.object({
  type: z.literal('StatsFileArrived'),
  schemaVersion: z.literal(1),
  data: z.object({
    serverId: ServerId,
    fileName: z.string().min(1).max(255),
    tz: IanaZone,
    sha256: Sha256Hex,
    sizeBytes: z.number().int().nonnegative(),
    source: FactSource,
    arrivedAt: IsoInstant,
  }),
  raw: RawBytes,
});
export type StatsFileArrived = z.output<typeof StatsFileArrived>;
