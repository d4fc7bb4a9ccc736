// Many rows into one table, the fastest way the database offers: COPY in text format on
// PostgreSQL (several times faster than INSERT … SELECT FROM jsonb_populate_recordset for wide
// rows), that INSERT on PGlite. Rows are objects keyed by column name; the table's own column
// types decide how each value is written, so a jsonb array and a text[] never get confused.
import { type CopyEncoder, CopyText, copyEncoder } from './copyText.ts';
import { ident, type SqlExecutor } from './sqlDatabase.ts';

type Column = { name: string; type: string };

async function columnsOf(tx: SqlExecutor, table: string): Promise<Column[]> {
  // regclass resolves through the search_path: the build's own schema.
  const r = await tx.query<{ name: string; type: string }>(
    `select attname as name, format_type(atttypid, atttypmod) as type from pg_attribute
     where attrelid = $1::regclass and attnum > 0 and not attisdropped order by attnum`,
    [table],
  );
  return r.rows;
}

const columnNames = new Map<string, string>();
const propertyNames = new Map<string, string>();

/** `damageGiven` → `damage_given`: a camelCase property's column (cached: called per field of every row). */
export function columnName(property: string): string {
  let column = columnNames.get(property);
  if (column === undefined) {
    column = property.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
    columnNames.set(property, column);
  }
  return column;
}

/** `damage_given` → `damageGiven`. */
function propertyName(column: string): string {
  let property = propertyNames.get(column);
  if (property === undefined) {
    property = column.replace(/_([a-z0-9])/g, (_, c: string) => c.toUpperCase());
    propertyNames.set(column, property);
  }
  return property;
}

export type InsertOptions = {
  /** How rows name their values: by column (`snake`, the default) or by camelCase property. */
  keys?: 'snake' | 'camel';
};

/**
 * A row: an object, or layers of objects searched in order — `[{ roundId }, player]` — so a fold
 * can add a few values to parsed objects without copying each of them.
 */
export type Row = Record<string, unknown> | readonly Record<string, unknown>[];

function cell(row: Row, property: string): unknown {
  if (!Array.isArray(row)) return (row as Record<string, unknown>)[property];
  for (const layer of row as readonly Record<string, unknown>[]) if (property in layer) return layer[property];
  return undefined;
}

/**
 * Inserts `rows` into `table` of the current schema. A row's value for a column is its property
 * of that name (or camelCase name); missing ones are null, extra properties are ignored.
 */
export async function insertRows(
  tx: SqlExecutor,
  table: string,
  rows: readonly Row[],
  opts: InsertOptions = {},
): Promise<void> {
  if (rows.length === 0) return;
  const columns = await columnsOf(tx, table);
  const names = columns.map((c) => c.name);
  const props = opts.keys === 'camel' ? names.map(propertyName) : names;
  if (!tx.copyIn) {
    const objects = rows.map((row) => Object.fromEntries(names.map((n, i) => [n, cell(row, props[i]!) ?? null])));
    await tx.query(
      `insert into ${ident(table)} select * from jsonb_populate_recordset(null::${ident(table)}, $1::jsonb)`,
      [JSON.stringify(objects)],
    );
    return;
  }
  const encoders = columns.map((c) => copyEncoder(c.type));
  const writers = new Map<number, LineWriter>();
  const out = CopyText.borrow();
  for (const row of rows) {
    const layers = Array.isArray(row) ? row.length : 0;
    let write = writers.get(layers);
    if (write === undefined) {
      write = lineWriter(props, layers);
      writers.set(layers, write);
    }
    write(row, encoders, out);
  }
  await tx.copyIn(`copy ${ident(table)} (${names.map(ident).join(', ')}) from stdin`, out.done());
  // Not after a failed COPY: its socket may not have finished with the bytes.
  out.giveBack();
}

type LineWriter = (row: Row, encoders: CopyEncoder[], out: CopyText) => void;

/**
 * Writes one row's COPY line, the values `cell` finds, through a function generated for these
 * columns and this many layers (0: a plain object). A loop over the columns reads every property
 * at one site, which V8 cannot specialise; here each column has its own site, so each read and
 * each encoder call is monomorphic. Property names enter the code only as JSON string literals.
 */
function lineWriter(props: readonly string[], layers: number): LineWriter {
  const read = (p: string): string => {
    const key = JSON.stringify(p);
    if (layers === 0) return `row[${key}]`;
    let expr = 'undefined';
    for (let l = layers - 1; l >= 0; l--) expr = `(${key} in l${l} ? l${l}[${key}] : ${expr})`;
    return expr;
  };
  const unpack = Array.from({ length: layers }, (_, l) => `const l${l} = row[${l}];`).join(' ');
  const body = props.map((p, i) => `${i === 0 ? '' : 'out.tab(); '}e[${i}](${read(p)}, out);`).join(' ');
  return new Function('row', 'e', 'out', `${unpack} ${body} out.endLine();`) as LineWriter;
}
