// Who is who on Discord: the latest AccountLinked / AccountUnlinked of each Discord user, folded in
// log order, so a rebuild keeps every link (they are facts, not rows a command wrote).
import { defineProjection } from '../src/runtime/projection.ts';
import { sqlFile } from '../src/store/sqlDatabase.ts';

export const accounts = defineProjection({
  name: 'accounts',
  version: 1,
  schemaSql: () => sqlFile(import.meta.url, 'accounts.sql'),
  tables: { account_links: { key: ['discord_user_id'] } },
  on: {
    AccountLinked: async (items, { tx }) => {
      for (const { event, meta } of items) {
        await tx.query(
          `insert into account_links (discord_user_id, guid, linked_at, position) values ($1, $2, $3, $4)
           on conflict (discord_user_id) do update set guid = excluded.guid, linked_at = excluded.linked_at,
             position = excluded.position`,
          [event.data.discordUserId, event.data.guid, event.data.at, meta.position],
        );
      }
    },
    AccountUnlinked: async (items, { tx }) => {
      for (const { event, meta } of items) {
        await tx.query('delete from account_links where discord_user_id = $1 and position < $2', [
          event.data.discordUserId,
          meta.position,
        ]);
      }
    },
  },
});
