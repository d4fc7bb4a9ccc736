// The verdicts read model: the standing RoundTimingReconciled per round key, and the history of all.
import { defineProjection } from '../src/runtime/projection.ts';
import { sqlFile } from '../src/store/sqlDatabase.ts';
import { snakeKeys } from './support/rows.ts';

const version = 1;

export const verdicts = defineProjection({
  name: 'verdicts',
  version,
  schemaSql: () => sqlFile(import.meta.url, 'verdicts.sql'),
  tables: { verdicts: { key: ['round_key'] }, verdict_history: { key: ['position'] } },
  on: {
    RoundTimingReconciled: async (items, { tx }) => {
      for (const { event, meta } of items) {
        const v = event.data;
        await tx.query(
          'insert into verdict_history (event_id, round_key, status, supersedes, position, verdict) values ($1, $2, $3, $4, $5, $6::jsonb) on conflict do nothing',
          [meta.eventId, v.roundKey, v.status, v.supersedes, meta.position, JSON.stringify(v)],
        );
        // A verdict replaces the ones it names, whatever their round key (a LUA_ONLY now joined).
        await tx.query('delete from verdicts where event_id = any($1::text[]) or round_key = $2', [
          v.supersedes,
          v.roundKey,
        ]);
        const { luaFactId: _l, ...rest } = v;
        const row = snakeKeys({ ...rest, eventId: meta.eventId, position: meta.position });
        await tx.query('insert into verdicts select * from jsonb_populate_record(null::verdicts, $1::jsonb)', [
          JSON.stringify(row),
        ]);
      }
    },
  },
});
