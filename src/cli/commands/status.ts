import { listBuilds } from '../../runtime/catalog.ts';
import { listDeadLetters, POISON_ATTEMPTS } from '../../runtime/deadLetters.ts';
import { prepareRuntime } from '../../runtime/ledgerRuntime.ts';
import { openExistingLedger } from '../../store/openStore.ts';
import type { Command } from '../command.ts';
import { describeStore } from '../describeStore.ts';

export const statusCommand: Command = {
  name: 'status',
  usage: 'et-ledger status [--store STORE] [--json]',
  summary: 'positions, checkpoints, lag, quarantine count',
  details: `Prints the log's head position, how many facts of each type it holds, and for each
projection build its version, schema, checkpoint, lag behind the head and state (active,
building — a rebuild in progress or interrupted —, failures and the last error), and the
dead letters: events a projection skipped after they failed it the same way ${POISON_ATTEMPTS} times
(a value a column cannot hold, a bug). A rebuild retries them and stops on one that still fails.
It only reads: where there is no store (a PGlite folder without one, a PostgreSQL database without
the ledger schema) it says so and exits 1, creating nothing.

Examples:
  et-ledger status
  et-ledger status --store postgres:postgres://postgres@127.0.0.1:5432/etl --json`,
  options: { json: { type: 'boolean' } },
  async run({ config, io, values, log }) {
    const ledger = await openExistingLedger(config.store);
    try {
      await prepareRuntime({ db: ledger.db, store: ledger.store, log, projections: [] });
      const head = await ledger.store.headPosition();
      // Counting by type is one query where the log is SQL; on EventStoreDB it would be a full read.
      const types =
        ledger.store.kind === 'eventstoredb'
          ? null
          : await ledger.db.query<{ type: string; n: number }>(
              'select type, count(*)::int as n from ledger.events group by type order by type',
            );
      const builds = await listBuilds(ledger.db);
      const deadLetters = await listDeadLetters(ledger.db, { state: 'skipped' });
      const quarantine = await ledger.db
        .query<{ n: number }>('select count(*)::int as n from read.quarantine')
        .then((r) => r.rows[0]!.n)
        .catch(() => null);
      const report = {
        store: describeStore(config.store),
        headPosition: head,
        facts: types ? Object.fromEntries(types.rows.map((r) => [r.type, r.n])) : null,
        projections: builds.map((b) => ({
          name: b.name,
          version: b.version,
          schema: b.schemaName,
          status: b.status,
          position: b.position,
          lag: head - b.position,
          failures: b.failures,
          lastError: b.lastError?.split('\n')[0] ?? null,
        })),
        quarantined: quarantine,
        deadLetters: deadLetters.map((d) => ({
          projection: d.projection,
          version: d.version,
          eventId: d.eventId,
          position: d.position,
          type: d.eventType,
          error: d.error,
          attempts: d.attempts,
          firstSeen: d.firstSeen.toISOString(),
          lastSeen: d.lastSeen.toISOString(),
        })),
      };
      if (values.json) {
        io.out(JSON.stringify(report, null, 2));
        return 0;
      }
      io.out(`store          ${report.store}`);
      io.out(`head position  ${head}`);
      if (types) for (const r of types.rows) io.out(`  ${r.type.padEnd(26)} ${String(r.n).padStart(8)}`);
      else io.out('  (facts by type are counted for SQL stores only)');
      io.out('projections');
      for (const b of report.projections) {
        const state = b.failures > 0 ? `${b.status}, failing ×${b.failures}: ${b.lastError}` : b.status;
        io.out(
          `  ${b.name.padEnd(14)} v${b.version}  ${b.schema.padEnd(28)} position ${String(b.position).padStart(8)}  lag ${String(b.lag).padStart(6)}  ${state}`,
        );
      }
      io.out(`quarantined    ${quarantine ?? '(no quarantine read model yet)'}`);
      io.out(
        `dead letters   ${deadLetters.length}${deadLetters.length ? ' (skipped events; `et-ledger rebuild NAME` retries them)' : ''}`,
      );
      for (const d of report.deadLetters)
        io.out(
          `  ${d.projection.padEnd(14)} v${d.version}  position ${d.position}  ${d.type} ${d.eventId}  ×${d.attempts}: ${d.error}`,
        );
      return 0;
    } finally {
      await ledger.close();
    }
  },
};
