import { LedgerError } from '../../errors.ts';
import { exportableNames, resolveExport } from '../../export/names.ts';
import { chunkWriter, ReaderGone } from '../../export/output.ts';
import { streamExport } from '../../export/streamExport.ts';
import { buildScratch, projectAllToHead } from '../../runtime/ledgerRuntime.ts';
import { loadProjections } from '../../runtime/registry.ts';
import { openExistingLedger, type StoreSpec } from '../../store/openStore.ts';
import type { Command } from '../command.ts';
import { cliRuntime } from './cliRuntime.ts';

/** Where the read models live when that is PostgreSQL: the export reads them with COPY. */
const readModelsUrl = (spec: StoreSpec): string | null =>
  spec.kind === 'postgres' ? spec.url : spec.kind === 'eventstoredb' ? spec.readModelsUrl : null;

export const exportCommand: Command = {
  name: 'export',
  usage: 'et-ledger export NAME [--format ndjson|csv] [--csv-safe] [--as-of POSITION] [--store STORE] | --list',
  summary: 'print a read model to stdout, rows in time order',
  details: `NAME is one of the main read models rounds, player-stats, lua-rounds, verdicts, maps,
quarantine, or any other read-model table under its name with - for _ (player-weapon-stats,
sessions, lua-round-players, pauses, verdict-history, …): --list prints every name there is.
Field names are camelCase; the README lists every field of every read model.

Rows come out in time order, then by the table's key, so history reads top to bottom: rounds,
sessions, maps and verdict-players by the stats file's time (fileTimeUnix); player-stats,
player-weapon-stats and map-timing by their round's; lua-rounds by the round's end
(roundEndUnix), lua-round-players by their report's; pauses by their start; verdicts by the stats
file's time, else the Lua round end; verdict-history by log position (when each was decided);
quarantine by recordedAt; account-links by linkedAt; discord-outbox by the round's time;
player-days by the day, player-totals by when the player last played. Rows without a time come last.

Rows are streamed as they are read: memory stays flat however many there are, and the first row
is out at once. A reader that stops early (\`et-ledger export rounds | head -1\`) ends the export
quietly, with exit status 0.

Options:
  --format ndjson|csv   one JSON object per line (default), or CSV (RFC 4180, CRLF line ends) with
                        a header row, printed even when there are no rows
  --csv-safe            spreadsheet-safe CSV: a text cell that starts with = + - @ or a tab gets a '
                        in front, so a spreadsheet shows it instead of running it as a formula.
                        Without it every value is printed exactly as stored (the clan tag -=TAG=-
                        stays -=TAG=-)
  --as-of POSITION      the read model as it stood at that log position, from 0 to the log's head
                        (built into a scratch schema from the log, printed, dropped)
  --list                print every exportable name, one a line, and exit

Examples:
  et-ledger export rounds --format csv > rounds.csv
  et-ledger export player-stats --format csv --csv-safe > for-a-spreadsheet.csv
  et-ledger export player-stats --as-of 1200 | jq .dpm`,
  options: {
    format: { type: 'string' },
    'as-of': { type: 'string' },
    'csv-safe': { type: 'boolean' },
    list: { type: 'boolean' },
  },
  async run({ args, values, config, log, io }) {
    const [name] = args;
    if (values.list === true) {
      for (const n of exportableNames(await loadProjections())) io.out(n);
      return 0;
    }
    const format = (values.format as string | undefined) ?? 'ndjson';
    if (format !== 'ndjson' && format !== 'csv')
      throw new LedgerError('USAGE', `--format must be ndjson or csv, not ${JSON.stringify(format)}`);
    const csvSafe = values['csv-safe'] === true;
    if (csvSafe && format !== 'csv') throw new LedgerError('USAGE', '--csv-safe is for --format csv');
    const asOfText = values['as-of'] as string | undefined;
    const asOf = asOfText === undefined ? undefined : Number(asOfText);
    if (asOf !== undefined && !(/^\d+$/.test(asOfText!) && Number.isSafeInteger(asOf)))
      throw new LedgerError(
        'USAGE',
        `--as-of must be a log position (a whole number ≥ 0), not ${JSON.stringify(asOfText)}`,
      );
    const projections = await loadProjections();
    if (!name) throw new LedgerError('USAGE', `name a read model: ${exportableNames(projections).join(', ')}`);
    const target = resolveExport(projections, name);
    const ledger = await openExistingLedger(config.store);
    const out = chunkWriter(process.stdout);
    try {
      const deps = cliRuntime(ledger, log, projections);
      const request = {
        db: ledger.db,
        postgresUrl: readModelsUrl(config.store),
        target,
        format,
        csvSafe,
        sessionGapMin: Number(config.sessionGapMin),
        out,
      } as const;
      if (asOf === undefined) {
        await projectAllToHead(deps);
        await streamExport({ ...request, schema: 'read' });
      } else {
        const head = await ledger.store.headPosition();
        if (asOf > head)
          throw new LedgerError(
            'USAGE',
            `--as-of ${asOf} is beyond the head of the log (position ${head}): nothing stood there yet; give a position from 0 to ${head}`,
          );
        const scratch = await buildScratch(deps, target.projection, { until: asOf });
        try {
          await streamExport({ ...request, schema: scratch.build.schemaName });
        } finally {
          await scratch.drop();
        }
      }
      await out.flush();
      return 0;
    } catch (e) {
      // The reader went away (`export … | head -1`): what it wanted it has; stop quietly.
      if (e instanceof ReaderGone) return 0;
      throw e;
    } finally {
      await ledger.close();
    }
  },
};
