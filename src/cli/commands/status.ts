import { openLedger } from '../../store/openStore.ts';
import type { Command } from '../command.ts';
import { describeStore } from '../describeStore.ts';

export const statusCommand: Command = {
  name: 'status',
  usage: 'et-ledger status [--store STORE] [--json]',
  summary: 'positions, checkpoints, lag, quarantine count',
  details: `Prints the log's head position, how many facts of each type it holds, and for each
projection its version, checkpoint, lag behind the head and state.

Examples:
  et-ledger status
  et-ledger status --store postgres:postgres://postgres@127.0.0.1:5432/etl --json`,
  options: { json: { type: 'boolean' } },
  async run({ config, io, values }) {
    const ledger = await openLedger(config.store);
    try {
      const head = await ledger.store.headPosition();
      const types = await ledger.db.query<{ type: string; n: number }>(
        'select type, count(*)::int as n from ledger.events group by type order by type',
      );
      const report = {
        store: describeStore(config.store),
        headPosition: head,
        facts: Object.fromEntries(types.rows.map((r) => [r.type, r.n])),
      };
      if (values.json) io.out(JSON.stringify(report, null, 2));
      else {
        io.out(`store          ${report.store}`);
        io.out(`head position  ${head}`);
        for (const r of types.rows) io.out(`  ${r.type.padEnd(26)} ${String(r.n).padStart(8)}`);
      }
      return 0;
    } finally {
      await ledger.close();
    }
  },
};
