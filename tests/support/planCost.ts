// What a statement's plan costs, as PostgreSQL counts it (EXPLAIN ANALYZE runs the statement): the
// buffers it touches and the table rows its scans read. Both depend on the plan, not on the machine,
// so tests can assert that a lookup stays bounded as a table grows.
import type { SqlExecutor } from '../../src/store/sqlDatabase.ts';

export type PlanNode = {
  'Node Type': string;
  'Relation Name'?: string;
  'Actual Rows': number;
  'Actual Loops': number;
  'Rows Removed by Filter'?: number;
  'Shared Hit Blocks': number;
  'Shared Read Blocks': number;
  Plans?: PlanNode[];
};

/** The top node of `sql`'s plan, the statement run once (with its buffer counts). */
export async function planOf(tx: SqlExecutor, sql: string, params: readonly unknown[]): Promise<PlanNode> {
  const r = await tx.query<{ 'QUERY PLAN': { Plan: PlanNode }[] }>(
    `explain (analyze, buffers, format json) ${sql}`,
    params,
  );
  return r.rows[0]!['QUERY PLAN'][0]!.Plan;
}

/** Buffers the statement touched: the top node counts its children's. */
export const buffersTouched = (top: PlanNode): number => top['Shared Hit Blocks'] + top['Shared Read Blocks'];

/** Table rows a plan's scans read: each scan node's rows, kept or filtered out, times its loops. */
export function rowsRead(node: PlanNode): number {
  const own = node['Relation Name']
    ? (node['Actual Rows'] + (node['Rows Removed by Filter'] ?? 0)) * node['Actual Loops']
    : 0;
  return own + (node.Plans ?? []).reduce((sum, child) => sum + rowsRead(child), 0);
}

/**
 * An executor over `tx` that measures each statement `pick` chooses (pushing `cost` of its plan to
 * `seen`; EXPLAIN ANALYZE runs it once) and then runs it as asked.
 */
export function measuring(
  tx: SqlExecutor,
  pick: (sql: string) => boolean,
  cost: (top: PlanNode) => number,
  seen: number[],
): SqlExecutor {
  return {
    query: async (sql, params) => {
      if (pick(sql)) seen.push(cost(await planOf(tx, sql, params ?? [])));
      return tx.query(sql, params);
    },
    exec: (sql) => tx.exec(sql),
  };
}
