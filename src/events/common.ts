import { z } from 'zod';

/** Where a raw fact came from; `ref` is the file path, URL path, topic/partition/offset or message id. */
export const FactSource = z.object({
  kind: z.enum(['sftp', 'dir', 'http', 'kafka', 'discord']),
  ref: z.string(),
});
export type FactSource = z.output<typeof FactSource>;

export const ServerId = z
  .string()
  .min(1)
  .max(64)
  .regex(/^[A-Za-z0-9._-]+$/, 'a server id is letters, digits, dot, dash or underscore');

/** An IANA zone, in its canonical spelling (`europe/ljubljana` is stored as `Europe/Ljubljana`). */
export const IanaZone = z
  .string()
  .refine(isIanaZone, { message: 'not an IANA time zone (example: Europe/Ljubljana)' })
  .transform(canonicalZone);

/** The IANA spelling of a zone Intl accepts in any case; the zone itself when Intl cannot say. */
export function canonicalZone(zone: string): string {
  try {
    return new Intl.DateTimeFormat('en-US', { timeZone: zone }).resolvedOptions().timeZone;
  } catch {
    return zone;
  }
}

const knownZones = new Map<string, boolean>();

/** Memoised: building an Intl formatter costs ~150 µs, and every fact names its zone. */
export function isIanaZone(zone: string): boolean {
  let ok = knownZones.get(zone);
  if (ok === undefined) {
    try {
      new Intl.DateTimeFormat('en-US', { timeZone: zone });
      ok = zone.length > 0;
    } catch {
      ok = false;
    }
    if (knownZones.size < 1000) knownZones.set(zone, ok);
  }
  return ok;
}

export const Sha256Hex = z.string().regex(/^[0-9a-f]{64}$/);
export const UnixSeconds = z.number().int();
export const IsoInstant = z.iso.datetime({ offset: true });
/** The exact bytes received; never decoded in place (stats files are not always UTF-8). */
export const RawBytes = z.instanceof(Uint8Array);
/** 1 Axis, 2 Allies, 0 unknown. */
export const Side = z.union([z.literal(0), z.literal(1), z.literal(2)]);
