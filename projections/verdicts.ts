// The verdicts read model: the standing RoundTimingReconciled per round key, and the history of all
// (verdicts and retractions), of the correlator's active generation only (`follows`).
import { type DerivedFact, isVerdict } from '../src/events/index.ts';
import { defineProjection } from '../src/runtime/projection.ts';
import { insertRows, type Row } from '../src/store/insertRows.ts';
import { type SqlExecutor, sqlFile } from '../src/store/sqlDatabase.ts';
import { RowsByVerdict } from './support/rowsByVerdict.ts';

/** v3: follows the correlator's generation; retractions; `generation` and `kind` columns. v4: verdict_players. */
const version = 4;

type Item = { event: { data: DerivedFact }; meta: { eventId: string; position: number } };

export const verdicts = defineProjection({
  name: 'verdicts',
  version,
  follows: 'correlator',
  schemaSql: () => sqlFile(import.meta.url, 'verdicts.sql'),
  tables: {
    verdicts: { key: ['round_key'] },
    verdict_history: { key: ['position'] },
    verdict_players: { key: ['round_key', 'ordinal'] },
  },
  on: {
    RoundTimingReconciled: (items, { tx }) => fold(tx, items),
    RoundVerdictRetracted: (items, { tx }) => fold(tx, items),
  },
});

/**
 * Folded in order in memory, then written once: a verdict replaces its round key's row and the
 * rows it supersedes, whatever their round key (a LUA_ONLY report now joined); a retraction
 * removes the rows it supersedes and leaves its key empty.
 */
async function fold(tx: SqlExecutor, items: Item[]): Promise<void> {
  await insertRows(
    tx,
    'verdict_history',
    items.map(({ event: { data: v }, meta }) => ({
      event_id: meta.eventId,
      round_key: v.roundKey,
      kind: isVerdict(v) ? 'verdict' : 'retraction',
      status: isVerdict(v) ? v.status : 'RETRACTED',
      supersedes: v.supersedes,
      generation: v.generation,
      position: meta.position,
      verdict: v,
    })),
  );
  // The run's standing rows by round key, found by verdict id when a later verdict supersedes them.
  const standing = new RowsByVerdict<{ verdict_event_id: string; roundKey: string; row: Row }>((s) => s.roundKey);
  const goneKeys = new Set<string>();
  const goneEvents = new Set<string>();
  for (const { event, meta } of items) {
    const v = event.data;
    goneKeys.add(v.roundKey);
    for (const id of v.supersedes) goneEvents.add(id);
    standing.remove(v.roundKey);
    standing.removeVerdicts(v.supersedes);
    if (isVerdict(v))
      standing.set({
        verdict_event_id: meta.eventId,
        roundKey: v.roundKey,
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
    [...standing.rows.values()].map((s) => s.row),
    { keys: 'camel' },
  );
}
