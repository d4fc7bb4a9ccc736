import { ident, type SqlExecutor } from '../store/sqlDatabase.ts';
import type { Projection } from './projection.ts';

/** The CLI names of read models (DESIGN's command line) → their table; any other table by its name with - for _. */
export const exportAliases: Record<string, string> = {
  rounds: 'rounds',
  'player-stats': 'player_stats',
  'lua-rounds': 'lua_round_teams',
  verdicts: 'verdicts',
  maps: 'maps',
  quarantine: 'quarantine',
};

export const tableForExportName = (name: string): string => exportAliases[name] ?? name.replace(/-/g, '_');

const camel = (column: string) => column.replace(/_([a-z0-9])/g, (_, c: string) => c.toUpperCase());

function plain(value: unknown): unknown {
  if (value instanceof Date) return value.toISOString();
  return value;
}

/** Rows of one table of a build (or of `read`), sorted by its key, with camelCase field names. */
export async function readRows(
  db: SqlExecutor,
  schema: string,
  p: Projection,
  table: string,
): Promise<Record<string, unknown>[]> {
  const key = p.tables[table]?.key ?? [];
  const order = key.length > 0 ? ` order by ${key.map((k) => ident(k)).join(', ')}` : '';
  const r = await db.query<Record<string, unknown>>(`select * from ${ident(schema)}.${ident(table)}${order}`);
  return r.rows.map((row) => Object.fromEntries(Object.entries(row).map(([k, v]) => [camel(k), plain(v)])));
}

export function toNdjson(rows: Record<string, unknown>[]): string {
  return rows.map((r) => JSON.stringify(r)).join('\n') + (rows.length > 0 ? '\n' : '');
}

/** RFC 4180 CSV; arrays and objects as JSON text; a cell that could start a formula is prefixed with '. */
export function toCsv(rows: Record<string, unknown>[]): string {
  const first = rows[0];
  if (!first) return '';
  const columns = Object.keys(first);
  const cell = (v: unknown) => {
    if (v === null || v === undefined) return '';
    let s = typeof v === 'object' ? JSON.stringify(v) : String(v);
    if (/^[=+\-@\t\r]/.test(s) && typeof v === 'string') s = `'${s}`;
    return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
  };
  return `${[columns.join(','), ...rows.map((r) => columns.map((c) => cell(r[c])).join(','))].join('\r\n')}\r\n`;
}
