import { ident, type SqlExecutor } from '../store/sqlDatabase.ts';
import type { Projection } from './projection.ts';

export type TableDiff = {
  table: string;
  added: number;
  removed: number;
  changed: number;
  examples: { kind: 'added' | 'removed' | 'changed'; key: unknown; before: unknown; after: unknown }[];
};

/** Row-level differences between two builds of one projection, matched by each table's key. */
export async function diffBuilds(
  tx: SqlExecutor,
  p: Projection,
  oldSchema: string | null,
  newSchema: string,
  examples = 5,
): Promise<TableDiff[]> {
  const diffs: TableDiff[] = [];
  for (const [table, { key }] of Object.entries(p.tables)) {
    const keyExpr = `jsonb_build_array(${key.map((c) => `t.${ident(c)}`).join(', ')})`;
    const side = (schema: string | null) =>
      schema
        ? `select ${keyExpr} as k, to_jsonb(t) as j from ${ident(schema)}.${ident(table)} t`
        : 'select null::jsonb as k, null::jsonb as j where false';
    const joined = `(${side(oldSchema)}) o full join (${side(newSchema)}) n on o.k = n.k`;
    const counts = await tx.query<{ added: number; removed: number; changed: number }>(
      `select count(*) filter (where o.k is null)::int as added,
              count(*) filter (where n.k is null)::int as removed,
              count(*) filter (where o.k is not null and n.k is not null and o.j <> n.j)::int as changed
       from ${joined}`,
    );
    const sample = await tx.query<{
      kind: TableDiff['examples'][number]['kind'];
      key: unknown;
      before: unknown;
      after: unknown;
    }>(
      `select case when o.k is null then 'added' when n.k is null then 'removed' else 'changed' end as kind,
              coalesce(n.k, o.k) as key, o.j as before, n.j as after
       from ${joined}
       where o.k is null or n.k is null or o.j <> n.j
       order by coalesce(n.k, o.k) limit ${Number(examples)}`,
    );
    diffs.push({ table, ...counts.rows[0]!, examples: sample.rows });
  }
  return diffs;
}

/** Only the fields that differ, so a report line shows what changed rather than two whole rows. */
export function changedFields(before: unknown, after: unknown): Record<string, { before: unknown; after: unknown }> {
  const b = (before ?? {}) as Record<string, unknown>;
  const a = (after ?? {}) as Record<string, unknown>;
  const out: Record<string, { before: unknown; after: unknown }> = {};
  for (const k of new Set([...Object.keys(b), ...Object.keys(a)])) {
    if (JSON.stringify(b[k]) !== JSON.stringify(a[k])) out[k] = { before: b[k], after: a[k] };
  }
  return out;
}
