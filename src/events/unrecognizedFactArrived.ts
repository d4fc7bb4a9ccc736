import { z } from 'zod';
import { FactSource, IanaZone, IsoInstant, RawBytes, ServerId, Sha256Hex } from './common.ts';

/**
 * Bytes that arrived but could not be identified as a known fact (invariant 6: nothing lost).
 * Kept raw with the reason; the quarantine read model lists it and a later parser may accept it.
 */
export const UnrecognizedFactArrived = z.object({
  type: z.literal('UnrecognizedFactArrived'),
  schemaVersion: z.literal(1),
  data: z.object({
    serverId: ServerId,
    fileName: z.string().nullable(),
    tz: IanaZone,
    sha256: Sha256Hex,
    sizeBytes: z.number().int().nonnegative(),
    reason: z.string(),
    source: FactSource,
    arrivedAt: IsoInstant,
  }),
  raw: RawBytes,
});
export type UnrecognizedFactArrived = z.output<typeof UnrecognizedFactArrived>;
