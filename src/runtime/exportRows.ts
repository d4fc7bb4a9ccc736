import { ident, type SqlExecutor } from '../store/sqlDatabase.ts';
import type { Projection } from './projection.ts';

/**
 * The CLI's short names of read models (DESIGN's command line) → their table; any other table is
 * exported under its name with - for _ (src/export/names.ts lists them all).
 */
export const exportAliases: Record<string, string> = {
  rounds: 'rounds',
  'player-stats': 'player_stats',
  'lua-rounds': 'lua_round_teams',
  verdicts: 'verdicts',
  maps: 'maps',
  quarantine: 'quarantine',
};

const camel = (column: string) => column.replace(/_([a-z0-9])/g, (_, c: string) => c.toUpperCase());

function plain(value: unknown): unknown {
  if (value instanceof Date) return value.toISOString();
  return value;
}

/**
 * Rows of one table of a build (or of `read`), sorted by its key, with camelCase field names, read
 * whole: for small tables and tests. `et-ledger export` streams instead (src/export/streamExport.ts).
 */
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
