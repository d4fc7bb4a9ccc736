// Readers of the read models (the web pages) learn that what they show may have changed from one
// notification, sent in the transaction that changed it: a serving build's checkpoint moving, or a
// build swapped in. PostgreSQL delivers a NOTIFY only when its transaction commits, so a listener
// never reads a change before it is visible, and a rolled-back batch notifies no one.
import type { SqlExecutor } from '../store/sqlDatabase.ts';

export const READ_MODELS_CHANNEL = 'ledger_read_models';

/** Says, inside `tx`, that `projection`'s serving read models change when `tx` commits (payload: its name). */
export async function noticeReadModelChange(tx: SqlExecutor, projection: string): Promise<void> {
  await tx.query('select pg_notify($1, $2)', [READ_MODELS_CHANNEL, projection]);
}
