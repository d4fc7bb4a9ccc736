import { LedgerError } from '../../errors.ts';
import { buildScratch } from '../../runtime/ledgerRuntime.ts';
import { findProjection, loadProjections } from '../../runtime/registry.ts';
import { openExistingLedger } from '../../store/openStore.ts';
import { ident } from '../../store/sqlDatabase.ts';
import type { Command } from '../command.ts';
import { cliRuntime } from './cliRuntime.ts';

function parseTime(flag: string, text: string | undefined): Date | null {
  if (text === undefined) return null;
  const d = /^\d+$/.test(text) ? new Date(Number(text) * 1000) : new Date(text);
  if (Number.isNaN(d.getTime()))
    throw new LedgerError(
      'USAGE',
      `${flag} must be an ISO time (2026-08-19T20:00:00Z) or unix seconds, not ${JSON.stringify(text)}`,
    );
  return d;
}

export const replayCommand: Command = {
  name: 'replay',
  usage: 'et-ledger replay [--from T] [--to T] [--projection NAME] [--keep] [--store STORE]',
  summary: 're-run projections over a time range of recorded facts into a scratch schema',
  details: `Projects only the facts recorded between --from and --to (ISO time or unix seconds; either may
be left open; --from may not be after --to) into scratch schemas, prints the rows each table holds, and drops them — or keeps
them with --keep so they can be queried (their schema names are printed). The live read models
are not touched, and nothing is appended to the log. A store that is not there is never created:
replay says so and exits 1.

Examples:
  et-ledger replay --from 2026-08-19T19:00:00Z --to 2026-08-19T23:00:00Z
  et-ledger replay --projection rounds --keep`,
  options: {
    from: { type: 'string' },
    to: { type: 'string' },
    projection: { type: 'string' },
    keep: { type: 'boolean' },
  },
  async run({ values, config, io, log }) {
    const from = parseTime('--from', values.from as string | undefined);
    const to = parseTime('--to', values.to as string | undefined);
    if (from !== null && to !== null && from > to)
      throw new LedgerError(
        'USAGE',
        `--from (${from.toISOString()}) is after --to (${to.toISOString()}): the range holds no time, so there is nothing to replay; swap them`,
      );
    const all = await loadProjections();
    const chosen = values.projection ? [findProjection(all, values.projection as string)] : all;
    const ledger = await openExistingLedger(config.store);
    try {
      const deps = cliRuntime(ledger, log, all);
      const filter = (t: Date) => (from === null || t >= from) && (to === null || t <= to);
      for (const p of chosen) {
        const scratch = await buildScratch(deps, p, { filter });
        io.out(`${p.name}: ${scratch.applied} events replayed into ${scratch.build.schemaName}`);
        for (const table of Object.keys(p.tables)) {
          const n = await ledger.db.query<{ n: number }>(
            `select count(*)::int as n from ${ident(scratch.build.schemaName)}.${ident(table)}`,
          );
          io.out(`  ${table.padEnd(22)} ${n.rows[0]!.n} rows`);
        }
        if (!values.keep) await scratch.drop();
      }
      return 0;
    } finally {
      await ledger.close();
    }
  },
};
