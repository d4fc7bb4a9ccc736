import { z } from 'zod';
import { IanaZone, IsoInstant, ServerId } from './common.ts';

/** A stats file name's local time, `YYYY-MM-DD-HHMMSS` (what the game server's clock read). */
export const LocalStamp = z.string().regex(/^\d{4}-\d{2}-\d{2}-\d{6}$/, 'a local time is YYYY-MM-DD-HHMMSS');

/**
 * An operator says the game server's clock was in another zone than the one its stats facts were
 * ingested with (`et-ledger correct-zone`). The facts stay as they arrived; every projection that
 * reads a stats file's time reads it in the corrected zone from now on, and re-reads the facts it
 * already holds. It covers the files of `serverId` whose names' local time lies in
 * [fromLocal, toLocal] (either end open when null); a later correction wins where two overlap.
 */
export const ServerZoneCorrected = z.object({
  type: z.literal('ServerZoneCorrected'),
  schemaVersion: z.literal(1),
  data: z.object({
    serverId: ServerId,
    tz: IanaZone,
    fromLocal: LocalStamp.nullable(),
    toLocal: LocalStamp.nullable(),
    at: IsoInstant,
  }),
});
export type ServerZoneCorrected = z.output<typeof ServerZoneCorrected>;
