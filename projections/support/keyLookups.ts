// Statements whose work must follow the batch, not the history: they touch a batch's keys (or small
// time ranges around them) through the tables' indexes. Given a batch of a thousand keys, the planner
// often prefers one pass over the whole table (a hash join over a sequential scan) to a thousand
// probes, above all while a build fills its tables faster than their statistics follow. That pass
// grows with every round the table holds: quadratic over a rebuild, and the reason a 100 000-round
// ingest ran slower per round than a 20 000-round one (issue 17). Inside `withKeyLookups` the planner
// uses indexes only, and no JIT (compiling a statement of a few thousand probes costs more than it
// saves).
import type { SqlExecutor } from '../../src/store/sqlDatabase.ts';

const keysOnly = ['enable_seqscan', 'enable_hashjoin', 'enable_mergejoin', 'jit'];

/** Runs `work` with the planner on keys only; the caller's settings are put back afterwards. */
export async function withKeyLookups<T>(tx: SqlExecutor, work: () => Promise<T>): Promise<T> {
  // One round trip each way; the settings are transaction-local (the caller's transaction goes on).
  const was = await tx.query<{ name: string; setting: string }>(
    `with was as materialized (select n as name, current_setting(n) as setting from unnest($1::text[]) n)
     select name, setting, set_config(name, 'off', true) from was`,
    [keysOnly],
  );
  try {
    return await work();
  } finally {
    // After a failure the transaction is aborted and rolls these back itself.
    await tx
      .query('select set_config(n, s, true) from unnest($1::text[], $2::text[]) as x(n, s)', [
        was.rows.map((r) => r.name),
        was.rows.map((r) => r.setting),
      ])
      .catch(() => {});
  }
}
