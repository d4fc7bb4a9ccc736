// The verdicts read model: the standing RoundTimingReconciled per round key, and the history of all.
import { defineProjection } from '../src/runtime/projection.ts';
import { insertRows, type Row } from '../src/store/insertRows.ts';
import { sqlFile } from '../src/store/sqlDatabase.ts';

/** v2: an index on event_id (supersession deletes by it). */
const version = 2;

export const verdicts = defineProjection({
  name: 'verdicts',
  version,
  schemaSql: () => sqlFile(import.meta.url, 'verdicts.sql'),
  tables: { verdicts: { key: ['round_key'] }, verdict_history: { key: ['position'] } },
  on: {
    RoundTimingReconciled: async (items, { tx }) => {
      await insertRows(
        tx,
        'verdict_history',
        items.map(({ event: { data: v }, meta }) => ({
          event_id: meta.eventId,
          round_key: v.roundKey,
          status: v.status,
          supersedes: v.supersedes,
          position: meta.position,
          verdict: v,
        })),
      );
      // Folded in order in memory, then written once: a verdict replaces its round key's row and
      // the rows it supersedes, whatever their round key (a LUA_ONLY report now joined).
      const standing = new Map<string, { eventId: string; row: Row }>();
      const goneKeys = new Set<string>();
      const goneEvents = new Set<string>();
      for (const { event, meta } of items) {
        const v = event.data;
        for (const id of v.supersedes) goneEvents.add(id);
        goneKeys.add(v.roundKey);
        if (v.supersedes.length > 0)
          for (const [key, s] of standing) if (v.supersedes.includes(s.eventId)) standing.delete(key);
        standing.set(v.roundKey, {
          eventId: meta.eventId,
          row: [{ eventId: meta.eventId, position: meta.position }, v],
        });
      }
      await tx.query('delete from verdicts where round_key = any($1::text[]) or event_id = any($2::text[])', [
        [...goneKeys],
        [...goneEvents],
      ]);
      await insertRows(
        tx,
        'verdicts',
        [...standing.values()].map((s) => s.row),
        { keys: 'camel' },
      );
    },
  },
});
