import { LedgerError } from '../../errors.ts';
import { changedFields } from '../../runtime/diffBuilds.ts';
import { buildAndSwap, prepareRuntime } from '../../runtime/ledgerRuntime.ts';
import { findProjection, loadProjections } from '../../runtime/registry.ts';
import { openLedger } from '../../store/openStore.ts';
import type { Command } from '../command.ts';
import { cliRuntime } from './cliRuntime.ts';

export const rebuildCommand: Command = {
  name: 'rebuild',
  usage: 'et-ledger rebuild NAME [--report] [--store STORE]',
  summary: 'rebuild one projection as the code defines it into a fresh schema, swap it in, print what changed',
  details: `After a parser or fold fix (bump the projection's version), this replays the whole log into a
new schema while the current version keeps serving readers, then swaps the read views in one
transaction and drops the old schema. An interrupted rebuild leaves the old version serving; the
next rebuild resumes where it stopped.

NAME is a projection (rounds, lua-rounds, correlator, verdicts, quarantine, …) or one of its tables.

Options:
  --report   row-level differences: the first few added, removed and changed rows per table

Examples:
  et-ledger rebuild rounds
  et-ledger rebuild quarantine --report`,
  options: { report: { type: 'boolean' } },
  async run({ args, values, config, io, log }) {
    const [name] = args;
    if (!name) throw new LedgerError('USAGE', 'name the projection to rebuild (see et-ledger rebuild --help)');
    const projections = await loadProjections();
    const projection = findProjection(projections, name);
    const ledger = await openLedger(config.store);
    try {
      const deps = cliRuntime(ledger, log, projections);
      await prepareRuntime(deps);
      const result = await buildAndSwap(deps, projection, { report: true });
      const from = result.previous ? `v${result.previous.version} (${result.previous.schemaName})` : 'nothing';
      io.out(
        `${projection.name}: ${from} → v${result.build.version} (${result.build.schemaName}), ${result.applied} events applied, at position ${result.build.position}`,
      );
      for (const t of result.diff ?? []) {
        io.out(`  ${t.table.padEnd(22)} +${t.added} added  -${t.removed} removed  ~${t.changed} changed`);
        if (!values.report) continue;
        for (const ex of t.examples) {
          const detail =
            ex.kind === 'changed'
              ? JSON.stringify(changedFields(ex.before, ex.after))
              : JSON.stringify(ex.kind === 'added' ? ex.after : ex.before);
          io.out(
            `    ${ex.kind} ${JSON.stringify(ex.key)} ${detail.length > 600 ? `${detail.slice(0, 600)}…` : detail}`,
          );
        }
      }
      return 0;
    } finally {
      await ledger.close();
    }
  },
};
