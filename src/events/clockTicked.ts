import { z } from 'zod';
import { ServerId, UnixSeconds } from './common.ts';

/** The service's wall clock for one server: lets event time pass when no game fact arrives. */
export const ClockTicked = z.object({
  type: z.literal('ClockTicked'),
  schemaVersion: z.literal(2),
  data: z.object({ serverId: ServerId, atUnix: UnixSeconds }),
});
export type ClockTicked = z.output<typeof ClockTicked>;
