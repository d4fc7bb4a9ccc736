// The two export formats, a row at a time: NDJSON (one JSON object per line) and RFC 4180 CSV with
// a header row. Field names are camelCase; dates are ISO 8601 UTC; arrays and objects are JSON
// text in a CSV cell. Values are printed exactly as stored unless `csvSafe` asks for the
// spreadsheet-safe form of text cells.

export type ExportFormat = 'ndjson' | 'csv';

export const camelCase = (column: string): string => column.replace(/_([a-z0-9])/g, (_, c: string) => c.toUpperCase());

export type RowFormatter = {
  /** The first line (CSV's header row, with its line end), or '' (NDJSON has none). */
  header: string;
  /** One row (its values in the order of the field names) as one line, with its line end. */
  line(values: readonly unknown[]): string;
};

/** A formatter for rows whose values come in the order of `names` (the printed field names). */
export function rowFormatter(
  format: ExportFormat,
  names: readonly string[],
  opts: { csvSafe?: boolean } = {},
): RowFormatter {
  return format === 'csv' ? csvFormatter(names, opts.csvSafe ?? false) : ndjsonFormatter(names);
}

function ndjsonFormatter(fields: readonly string[]): RowFormatter {
  // `"name":` once per column; JSON.stringify(value) per cell is what JSON.stringify(row) does.
  const names = fields.map((name) => `${JSON.stringify(name)}:`);
  return {
    header: '',
    line(values) {
      let s = '';
      for (let i = 0; i < names.length; i++) {
        const text = JSON.stringify(values[i]);
        if (text === undefined) continue; // an undefined field is left out, as JSON.stringify does
        s += (s === '' ? '' : ',') + names[i]! + text;
      }
      return `{${s}}\n`;
    },
  };
}

/** A text cell a spreadsheet would read as a formula (or that it would trim) starts with one of these. */
const formulaStart = /^[=+\-@\t\r]/;
const needsQuotes = /[",\r\n]/;

/** One CSV cell: empty for null; JSON text for arrays and objects; quoted when it holds `"`, `,` or a line break. */
export function csvCell(value: unknown, safe: boolean): string {
  if (value === null || value === undefined) return '';
  let s: string;
  if (value instanceof Date) s = value.toISOString();
  else if (typeof value === 'object') s = JSON.stringify(value);
  else s = String(value);
  // Only text is guarded: a negative number is a number in any spreadsheet.
  if (safe && typeof value === 'string' && formulaStart.test(s)) s = `'${s}`;
  return needsQuotes.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

function csvFormatter(names: readonly string[], safe: boolean): RowFormatter {
  return {
    header: `${names.map((name) => csvCell(name, false)).join(',')}\r\n`,
    line(values) {
      let s = '';
      for (let i = 0; i < names.length; i++) s += (i === 0 ? '' : ',') + csvCell(values[i], safe);
      return `${s}\r\n`;
    },
  };
}
