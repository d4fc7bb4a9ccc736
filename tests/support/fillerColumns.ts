// Rows straight into a read-model table for tests and benches that need many of them without the
// fold: an expression for every NOT NULL column the caller does not set, by type, so the filler
// keeps working whatever columns the tables gain later.
import type { SqlExecutor } from '../../src/store/sqlDatabase.ts';

export async function fillerColumns(
  db: SqlExecutor,
  schema: string,
  relation: string,
  set: Record<string, string>,
): Promise<{ names: string; values: string }> {
  const cols = await db.query<{ name: string; type: string; notnull: boolean }>(
    `select a.attname::text as name, format_type(a.atttypid, a.atttypmod) as type, a.attnotnull as notnull
       from pg_attribute a where a.attrelid = to_regclass($1) and a.attnum > 0 and not a.attisdropped order by a.attnum`,
    [`"${schema}"."${relation}"`],
  );
  const byType = (t: string) =>
    t.endsWith('[]')
      ? "'{}'"
      : t === 'jsonb' || t === 'json'
        ? "'[]'"
        : t === 'boolean'
          ? 'false'
          : t.startsWith('timestamp')
            ? 'now()'
            : /^(smallint|integer|bigint|double precision|real|numeric)/.test(t)
              ? '0'
              : "''";
  const chosen = cols.rows.filter((c) => set[c.name] !== undefined || c.notnull);
  return {
    names: chosen.map((c) => `"${c.name}"`).join(', '),
    values: chosen.map((c) => set[c.name] ?? byType(c.type)).join(', '),
  };
}
