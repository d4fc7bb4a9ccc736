// One export, streamed: rows leave the database a page at a time (COPY on PostgreSQL, a cursor on
// PGlite: readers.ts) in export order (order.ts) and go out in the chosen format as they come, so
// memory stays flat however many rows there are and the first row is out as soon as the database
// has it.
import { LedgerError } from '../errors.ts';
import { type MapExportRow, mapExportRows, type StoredMapRow } from '../stopwatch/mapRows.ts';
import { ident, type SqlDatabase } from '../store/sqlDatabase.ts';
import { camelCase, type ExportFormat, rowFormatter } from './formats.ts';
import type { ExportTarget } from './names.ts';
import { type ExportPlan, exportPlan, timeOrderOf } from './order.ts';
import type { ChunkWriter } from './output.ts';
import { type Column, type RowReader, withReader } from './readers.ts';

export type ExportRequest = {
  db: SqlDatabase;
  /** The read models' PostgreSQL URL (COPY on a connection of its own); null for PGlite. */
  postgresUrl: string | null;
  /** `read` (the serving builds) or a scratch build's schema (`--as-of`). */
  schema: string;
  target: ExportTarget;
  format: ExportFormat;
  csvSafe: boolean;
  /** The session gap (minutes) the `sessions` view and the maps' evenings use. */
  sessionGapMin: number;
  out: ChunkWriter;
  /** Rows per FETCH on the cursor path. */
  pageSize?: number;
};

/** Children read per page of parents: about this many rows, however many children a parent has. */
const CHILD_ROWS_PER_PAGE = 20_000;

/** Writes the whole export (CSV's header row even when there are no rows); returns the rows written. */
export async function streamExport(req: ExportRequest): Promise<number> {
  const settings = { 'et_ledger.session_gap_min': String(Math.trunc(req.sessionGapMin)) };
  return withReader(
    { db: req.db, postgresUrl: req.postgresUrl },
    { settings, pageSize: req.pageSize },
    async (reader) => {
      const { schema, target } = req;
      if (target.table === 'maps') return writeMaps(req, reader);
      const columns = await reader.columns(schema, target.table);
      if (columns.length === 0)
        throw new LedgerError(
          'PROJECTION_FAILED',
          `${target.name}: ${schema}.${target.table} does not exist (a build of ${target.projection.name} older than the table?); et-ledger rebuild ${target.projection.name} makes one`,
        );
      const order = timeOrderOf(
        target.table,
        columns.map((c) => c.name),
      );
      let parent: { exists: boolean; keyType: string } | null = null;
      if (order?.kind === 'parent') {
        const keyColumn = (await reader.columns(schema, order.parent)).find((c) => c.name === order.on);
        parent = { exists: keyColumn !== undefined, keyType: keyColumn?.type ?? 'text' };
      }
      const plan = exportPlan(schema, target.table, target.projection.tables[target.table]?.key ?? [], order, parent);
      const formatter = rowFormatter(
        req.format,
        columns.map((c) => camelCase(c.name)),
        { csvSafe: req.csvSafe },
      );
      if (formatter.header) await req.out.write(formatter.header);
      let rows = 0;
      for await (const page of planPages(reader, plan, columns)) {
        let text = '';
        for (const values of page) text += formatter.line(values);
        rows += page.length;
        await req.out.write(text);
      }
      return rows;
    },
  );
}

/** The pages of rows a plan reads, in export order. */
async function* planPages(
  reader: RowReader,
  plan: ExportPlan,
  columns: readonly Column[],
): AsyncGenerator<unknown[][]> {
  if (plan.kind === 'sorted') {
    yield* reader.rows(plan.select, columns);
    return;
  }
  // The parents' plan is made here, when their cursor is declared; the children's after it, as
  // look-ups by key: a planner that thinks a whole scan cheaper than a few hundred index look-ups
  // (it often does, for keys spread over a table) would read every row for every page.
  const parents = await reader.cursor(plan.parents);
  await reader.exec('set local enable_hashjoin = off; set local enable_mergejoin = off');
  try {
    // A few parents first (the first rows out soon), then as many as make about CHILD_ROWS_PER_PAGE children.
    let want = 20;
    for (;;) {
      const keys = (await parents.fetch(want)).map((r) => r.k);
      if (keys.length === 0) break;
      let children = 0;
      for await (const page of reader.rows(plan.children(keys), columns)) {
        children += page.length;
        yield page;
      }
      if (keys.length < want) break;
      const perParent = Math.max(1, children / keys.length);
      want = Math.min(10_000, Math.max(1, Math.round(CHILD_ROWS_PER_PAGE / perParent)));
    }
  } finally {
    await parents.close();
  }
  await reader.exec('reset enable_hashjoin; reset enable_mergejoin');
  yield* reader.rows(plan.orphans, columns);
}

/** The fields of an exported map, in order (the header of an empty maps CSV). */
export const mapExportColumns: readonly (keyof MapExportRow)[] = [
  'serverId',
  'map',
  'fileTimeUtc',
  'sessionStartUtc',
  'r1RoundId',
  'r1FileName',
  'r2RoundId',
  'r2FileName',
  'timeSetSec',
  'r2TimeSec',
  'result',
  'winnerTeam',
  'teamA',
  'teamB',
  'teamAPoints',
  'teamBPoints',
  'flags',
];

/**
 * Maps are few (one row per map played) and scored per evening from their neighbours, so they are
 * read whole, scored (src/stopwatch/mapRows.ts), put in time order and then written.
 */
async function writeMaps(req: ExportRequest, reader: RowReader): Promise<number> {
  const columns = await reader.columns(req.schema, 'maps');
  const names = columns.map((c) => camelCase(c.name));
  const stored: StoredMapRow[] = [];
  for await (const page of reader.rows(`select * from ${ident(req.schema)}.${ident('maps')}`, columns))
    for (const values of page) stored.push(Object.fromEntries(names.map((n, i) => [n, values[i]])) as StoredMapRow);
  // mapExportRows gives server by server; a stable sort by time keeps that as the tie-break.
  const rows = mapExportRows(stored, req.sessionGapMin);
  const time = (r: MapExportRow) => r.fileTimeUtc ?? '\uffff';
  rows.sort((a, b) => (time(a) < time(b) ? -1 : time(a) > time(b) ? 1 : 0));
  const formatter = rowFormatter(req.format, mapExportColumns, { csvSafe: req.csvSafe });
  if (formatter.header) await req.out.write(formatter.header);
  for (let i = 0; i < rows.length; i += 2000) {
    let text = '';
    for (const row of rows.slice(i, i + 2000)) text += formatter.line(mapExportColumns.map((c) => row[c]));
    await req.out.write(text);
  }
  return rows.length;
}
