import { ident, type SqlExecutor } from '../store/sqlDatabase.ts';
import type { Projection } from './projection.ts';

export type TableDiff = {
  table: string;
  added: number;
  removed: number;
  changed: number;
  examples: { kind: 'added' | 'removed' | 'changed'; key: unknown; before: unknown; after: unknown }[];
};

/**
 * Row-level differences between two builds of one projection, matched by each table's key. One
 * pass over each table. Where both builds have the same columns (the usual rebuild), rows are
 * matched and compared as their text (`t::text`): building a jsonb of every row of both builds
 * twice took 75 of the 100 s of `rebuild rounds` at 20 000 rounds (1.7 million weapon rows a side).
 * Otherwise (a column added, renamed or retyped) they are compared as jsonb, by column name.
 */
export async function diffBuilds(
  tx: SqlExecutor,
  p: Projection,
  oldSchema: string | null,
  newSchema: string,
  examples = 5,
): Promise<TableDiff[]> {
  const diffs: TableDiff[] = [];
  const bases = new Set(Object.values(p.tables).flatMap((t) => (t.changesWith ? [t.changesWith] : [])));
  /** A base table's changed keys (a jsonb array of key arrays), for the views that change with it. */
  const changedKeys = new Map<string, string>();
  for (const [table, { key, changesWith }] of Object.entries(p.tables)) {
    const keys = changesWith === undefined ? undefined : changedKeys.get(changesWith);
    const within =
      changesWith !== undefined && keys !== undefined
        ? await restriction(tx, newSchema, changesWith, p.tables[changesWith]!.key)
        : '';
    const sameShape = oldSchema !== null && (await sameColumns(tx, oldSchema, newSchema, table));
    const differing = sameShape
      ? byText(oldSchema, newSchema, table, key, within)
      : byJsonb(oldSchema, newSchema, table, key, within);
    const r = await tx.query<{
      added: number;
      removed: number;
      changed: number;
      examples: TableDiff['examples'];
      keys: unknown;
    }>(
      `with d as materialized (${differing})
       select count(*) filter (where kind = 'added')::int as added,
              count(*) filter (where kind = 'removed')::int as removed,
              count(*) filter (where kind = 'changed')::int as changed,
              (select coalesce(jsonb_agg(x order by x.key), '[]'::jsonb)
                 from (select kind, key, before, after from d order by key limit ${Number(examples)}) x) as examples,
              ${bases.has(table) ? "(select coalesce(jsonb_agg(key), '[]'::jsonb) from d)" : 'null'} as keys
       from d`,
      within ? [keys] : [],
    );
    const { keys: changed, ...counts } = r.rows[0]!;
    if (bases.has(table)) changedKeys.set(table, JSON.stringify(changed));
    diffs.push({ table, ...counts });
  }
  return diffs;
}

/**
 * `where` keeping a view's rows under the changed keys of the table it changes with ($1: those keys
 * as a jsonb array of arrays), typed as that table's key columns so that the view's base is probed
 * by its index rather than read whole.
 */
async function restriction(tx: SqlExecutor, schema: string, base: string, key: string[]): Promise<string> {
  const r = await tx.query<{ name: string; type: string }>(
    `select a.attname as name, format_type(a.atttypid, a.atttypmod) as type
     from pg_attribute a join pg_class k on k.oid = a.attrelid join pg_namespace n on n.oid = k.relnamespace
     where n.nspname = $1 and k.relname = $2 and a.attname = any($3::text[]) and a.attnum > 0 and not a.attisdropped`,
    [schema, base, key],
  );
  const types = new Map(r.rows.map((c) => [c.name, c.type]));
  const columns = key.map((c) => `t.${ident(c)}`).join(', ');
  const typed = key.map((c, i) => `(e->>${i})::${types.get(c) ?? 'text'}`).join(', ');
  return `where (${columns}) in (select ${typed} from jsonb_array_elements($1::jsonb) e)`;
}

/** Differing rows as (kind, key, before, after), with the whole-row jsonb of every row compared. */
function byJsonb(oldSchema: string | null, newSchema: string, table: string, key: string[], within: string): string {
  const keyExpr = `jsonb_build_array(${key.map((c) => `t.${ident(c)}`).join(', ')})`;
  const side = (schema: string | null) =>
    schema
      ? `select ${keyExpr} as k, to_jsonb(t) as j from ${ident(schema)}.${ident(table)} t ${within}`
      : 'select null::jsonb as k, null::jsonb as j where false';
  return `select case when o.k is null then 'added' when n.k is null then 'removed' else 'changed' end as kind,
                 coalesce(n.k, o.k) as key, o.j as before, n.j as after
          from (${side(oldSchema)}) o full join (${side(newSchema)}) n on o.k = n.k
          where o.k is null or n.k is null or o.j <> n.j`;
}

/**
 * The same, comparing each row's text (equal columns in the same order and of the same types make
 * equal rows print alike); the jsonb, as byJsonb compares it, only where the texts differ (-0 and 0).
 */
function byText(oldSchema: string, newSchema: string, table: string, key: string[], within: string): string {
  const side = (schema: string) =>
    `select row(${key.map((c) => `t.${ident(c)}`).join(', ')})::text as k, t::text as s, t as r
     from ${ident(schema)}.${ident(table)} t ${within}`;
  const keyOf = (row: string) => `jsonb_build_array(${key.map((c) => `(${row}).${ident(c)}`).join(', ')})`;
  return `select case when o.k is null then 'added' when n.k is null then 'removed' else 'changed' end as kind,
                 case when n.k is null then ${keyOf('o.r')} else ${keyOf('n.r')} end as key,
                 case when o.k is null then null else to_jsonb(o.r) end as before,
                 case when n.k is null then null else to_jsonb(n.r) end as after
          from (${side(oldSchema)}) o full join (${side(newSchema)}) n on o.k = n.k
          where o.k is null or n.k is null or (o.s <> n.s and to_jsonb(o.r) <> to_jsonb(n.r))`;
}

/** Both builds' table (or view) has the same columns, in the same order, of the same types. */
async function sameColumns(tx: SqlExecutor, oldSchema: string, newSchema: string, table: string): Promise<boolean> {
  const r = await tx.query<{ same: boolean }>(
    `with c as (
       select n.nspname as schema, a.attnum, a.attname, a.atttypid, a.atttypmod
       from pg_attribute a join pg_class k on k.oid = a.attrelid join pg_namespace n on n.oid = k.relnamespace
       where n.nspname in ($1, $2) and k.relname = $3 and a.attnum > 0 and not a.attisdropped)
     select not exists (
       (select attnum, attname, atttypid, atttypmod from c where schema = $1
        except select attnum, attname, atttypid, atttypmod from c where schema = $2)
       union all
       (select attnum, attname, atttypid, atttypmod from c where schema = $2
        except select attnum, attname, atttypid, atttypmod from c where schema = $1)
     ) and exists (select 1 from c where schema = $1) as same`,
    [oldSchema, newSchema, table],
  );
  return r.rows[0]?.same === true;
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
