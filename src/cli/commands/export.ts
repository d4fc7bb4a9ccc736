import { LedgerError } from '../../errors.ts';
import { exportAliases, readRows, tableForExportName, toCsv, toNdjson } from '../../runtime/exportRows.ts';
import { buildScratch, projectAllToHead } from '../../runtime/ledgerRuntime.ts';
import { findProjection, loadProjections } from '../../runtime/registry.ts';
import { mapExportRows, type StoredMapRow } from '../../stopwatch/mapRows.ts';
import { openLedger } from '../../store/openStore.ts';
import type { Command } from '../command.ts';
import { cliRuntime } from './cliRuntime.ts';

export const exportCommand: Command = {
  name: 'export',
  usage: 'et-ledger export NAME [--format ndjson|csv] [--as-of POSITION] [--store STORE]',
  summary: 'print a read model to stdout, sorted by a stable key',
  details: `NAME is one of ${Object.keys(exportAliases).join(', ')}, or any other read-model table
(player-weapon-stats, sessions, lua-round-players, pauses, verdict-history). Field names are
camelCase; the README lists every field of every read model.

Options:
  --format ndjson|csv   one JSON object per line (default) or CSV with a header row
  --as-of POSITION      the read model as it stood at that log position (built into a scratch
                        schema from the log, printed, dropped)

Examples:
  et-ledger export rounds --format csv > rounds.csv
  et-ledger export player-stats --as-of 1200 | jq .dpm`,
  options: { format: { type: 'string' }, 'as-of': { type: 'string' } },
  async run({ args, values, config, io, log }) {
    const [name] = args;
    if (!name) throw new LedgerError('USAGE', `name a read model: ${Object.keys(exportAliases).join(', ')}`);
    const format = (values.format as string | undefined) ?? 'ndjson';
    if (format !== 'ndjson' && format !== 'csv')
      throw new LedgerError('USAGE', `--format must be ndjson or csv, not ${JSON.stringify(format)}`);
    const asOfText = values['as-of'] as string | undefined;
    const asOf = asOfText === undefined ? undefined : Number(asOfText);
    if (asOf !== undefined && !(Number.isInteger(asOf) && asOf >= 0))
      throw new LedgerError(
        'USAGE',
        `--as-of must be a log position (a whole number ≥ 0), not ${JSON.stringify(asOfText)}`,
      );
    const projections = await loadProjections();
    const table = tableForExportName(name);
    const projection = findProjection(projections, table);
    if (!Object.hasOwn(projection.tables, table))
      throw new LedgerError('USAGE', `${projection.name} has no table ${table}`);
    const ledger = await openLedger(config.store);
    try {
      const deps = cliRuntime(ledger, log, projections);
      await ledger.db.exec(`set et_ledger.session_gap_min = ${Number(config.sessionGapMin)}`);
      let rows: Record<string, unknown>[];
      if (asOf === undefined) {
        await projectAllToHead(deps);
        rows = await readRows(ledger.db, 'read', projection, table);
      } else {
        const scratch = await buildScratch(deps, projection, { until: asOf });
        try {
          rows = await readRows(ledger.db, scratch.build.schemaName, projection, table);
        } finally {
          await scratch.drop();
        }
      }
      if (table === 'maps') rows = mapExportRows(rows as StoredMapRow[], Number(config.sessionGapMin));
      io.out((format === 'csv' ? toCsv(rows) : toNdjson(rows)).replace(/\r?\n$/, ''));
      return 0;
    } finally {
      await ledger.close();
    }
  },
};
