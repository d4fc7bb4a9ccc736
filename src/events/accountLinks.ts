import { z } from 'zod';
import { IsoInstant } from './common.ts';

/** A Discord user id (a snowflake). */
export const DiscordUserId = z.string().regex(/^\d{1,25}$/, 'a Discord user id is digits');

/** An ET GUID as players know it: the 32 hex characters of cl_guid, or the 8 the stats file shows. */
export const PlayerGuid = z
  .string()
  .regex(/^([0-9A-F]{8}|[0-9A-F]{32})$/, 'a GUID is 8 or 32 hexadecimal characters (upper case)');

/**
 * A Discord user says a GUID is theirs (`/link`): a fact from the interaction, so `/stats` without a
 * player means "me", and a rebuild keeps the link. The interaction id makes the append idempotent.
 */
export const AccountLinked = z.object({
  type: z.literal('AccountLinked'),
  schemaVersion: z.literal(1),
  data: z.object({
    discordUserId: DiscordUserId,
    guid: PlayerGuid,
    interactionId: z.string().min(1).max(32),
    at: IsoInstant,
  }),
});
export type AccountLinked = z.output<typeof AccountLinked>;

/** The user takes their link back (`/unlink`). */
export const AccountUnlinked = z.object({
  type: z.literal('AccountUnlinked'),
  schemaVersion: z.literal(1),
  data: z.object({ discordUserId: DiscordUserId, interactionId: z.string().min(1).max(32), at: IsoInstant }),
});
export type AccountUnlinked = z.output<typeof AccountUnlinked>;
