// Many rows into one table, the fastest way the database offers: COPY in text format on
// PostgreSQL (several times faster than INSERT … SELECT FROM jsonb_populate_recordset for wide
// rows), that INSERT on PGlite. Rows are objects keyed by column name; the table's own column
// types decide how each value is written, so a jsonb array and a text[] never get confused.
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

/** COPY text format: backslash, and the row/column separators, escaped; null as \N. */
const needsEscape = /[\\\n\r\t]/;
const escapeCopy = (s: string) =>
  !needsEscape.test(s)
    ? s
    : s.replace(/[\\\n\r\t]/g, (c) => ({ '\\': '\\\\', '\n': '\\n', '\r': '\\r', '\t': '\\t' })[c]!);

/** An array element inside a PostgreSQL array literal; a nested array is a dimension (`{{1,2},{3,4}}`). */
const arrayElement = (v: unknown): string => {
  if (v === null || v === undefined) return 'NULL';
  if (Array.isArray(v)) return arrayLiteral(v);
  if (typeof v === 'number') return Number.isFinite(v) ? String(v) : 'NULL';
  return `"${String(v).replace(/["\\]/g, (c) => `\\${c}`)}"`;
};

const arrayLiteral = (values: readonly unknown[]): string => {
  let text = '{';
  for (let i = 0; i < values.length; i++) text += (i === 0 ? '' : ',') + arrayElement(values[i]);
  return `${text}}`;
};

/** How one column's values are written as COPY text; non-finite numbers become null, as JSON would make them. */
export function copyEncoder(type: string): (v: unknown) => string {
  if (type === 'jsonb' || type === 'json') return (v) => (v == null ? '\\N' : escapeCopy(JSON.stringify(v)));
  if (type.endsWith('[]'))
    return (v) => {
      if (v == null) return '\\N';
      if (!Array.isArray(v)) throw new TypeError(`column of type ${type} needs an array, got ${typeof v}`);
      return escapeCopy(arrayLiteral(v));
    };
  return (v) => {
    if (v == null) return '\\N';
    if (typeof v === 'number') return Number.isFinite(v) ? String(v) : '\\N';
    if (typeof v === 'string') return escapeCopy(v);
    if (typeof v === 'boolean') return v ? 't' : 'f';
    if (v instanceof Date) return v.toISOString();
    return escapeCopy(typeof v === 'object' ? JSON.stringify(v) : String(v));
  };
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
  let text = '';
  for (const row of rows) {
    for (let i = 0; i < props.length; i++) text += (i === 0 ? '' : '\t') + encoders[i]!(cell(row, props[i]!));
    text += '\n';
  }
  await tx.copyIn(`copy ${ident(table)} (${names.map(ident).join(', ')}) from stdin`, text);
}
