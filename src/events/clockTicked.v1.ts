import { z } from 'zod';
import type { ClockTicked } from './clockTicked.ts';

/** v1 (0.0.x) wrote the tick as an ISO string under `server`. Kept so old logs still read. */
export const ClockTickedV1 = z.object({
  type: z.literal('ClockTicked'),
  schemaVersion: z.literal(1),
  data: z.object({ server: z.string(), at: z.iso.datetime({ offset: true }) }),
});
export type ClockTickedV1 = z.output<typeof ClockTickedV1>;

export function upcastClockTickedV1(old: ClockTickedV1): ClockTicked {
  return {
    type: 'ClockTicked',
    schemaVersion: 2,
    data: { serverId: old.data.server, atUnix: Math.floor(Date.parse(old.data.at) / 1000) },
  };
}
