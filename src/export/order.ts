// The order export prints rows in: by the time each row is about (a round's stats-file time, a Lua
// report's round end, when a fact was recorded), then by the table's key, so a reader sees history
// in order and two exports of the same rows are byte for byte the same.
import { ident } from '../store/sqlDatabase.ts';

/**
 * How a table's rows are placed in time: a column (or expression) of its own, or its parent's
 * time through the parent's key, which is `on` (a player's row takes its round's file time).
 */
export type TimeOrder = { kind: 'own'; time: string } | { kind: 'parent'; parent: string; on: string; column: string };

const own = (column: string): TimeOrder => ({ kind: 'own', time: `t.${ident(column)}` });
const parent = (parentTable: string, on: string, column: string): TimeOrder => ({
  kind: 'parent',
  parent: parentTable,
  on,
  column,
});

/** Every table the projections declare today; a table added later falls back to timeColumns below. */
export const timeOrders: Readonly<Record<string, TimeOrder>> = {
  rounds: own('file_time_unix'),
  player_stats: parent('rounds', 'round_id', 'file_time_unix'),
  player_weapon_stats: parent('rounds', 'round_id', 'file_time_unix'),
  sessions: own('file_time_unix'),
  map_halves: own('file_time_unix'),
  map_timing: parent('rounds', 'round_id', 'file_time_unix'),
  map_results: own('file_time_unix'),
  map_players: own('file_time_unix'),
  maps: own('file_time_unix'),
  lua_round_teams: own('round_end_unix'),
  lua_round_players: parent('lua_round_teams', 'report_id', 'round_end_unix'),
  pauses: own('start_unix'),
  verdicts: { kind: 'own', time: 'coalesce(t.file_time_unix, t.lua_round_end_unix)' },
  verdict_players: own('file_time_unix'),
  // A verdict's chain is history itself: the log position it was decided at.
  verdict_history: own('position'),
  quarantine: own('recorded_at'),
  account_links: own('linked_at'),
  discord_outbox: own('round_time_unix'),
  player_days: own('day_unix'),
  // A player's all-time sums: when he last played.
  player_totals: own('last_unix'),
};

/** For a table not listed above: the first of these columns it has. */
const timeColumns = [
  'file_time_unix',
  'round_end_unix',
  'start_unix',
  'round_time_unix',
  'time_unix',
  'day_unix',
  'recorded_at',
  'position',
];

/** The time order of `table` given its columns, or null (key order only). */
export function timeOrderOf(table: string, columns: readonly string[]): TimeOrder | null {
  const known = timeOrders[table];
  if (known) return known;
  const column = timeColumns.find((c) => columns.includes(c));
  return column ? own(column) : null;
}

/** A value of a key as an SQL literal of `type` (parent keys go into the child query's text: COPY takes no parameters). */
function literal(value: unknown, type: string): string {
  if (!/^[a-z][a-z0-9 _]*$/.test(type)) throw new Error(`refusing unsafe SQL type name ${JSON.stringify(type)}`);
  return `'${String(value).replace(/'/g, "''")}'::${type}`;
}

/**
 * How the rows of a table are read in export order:
 * - `sorted`: one statement, `order by time, key` (the database sorts; tables with a time of
 *   their own, which are the smaller ones);
 * - `byParent`: a child table in its parent's time order without sorting it whole: the parents'
 *   keys in time order, a page at a time, then for each page the children of those parents in
 *   that order (an index look-up by the key they start with), then any child whose parent is gone
 *   (no time: last). The first rows are out after sorting the parents alone.
 */
export type ExportPlan =
  | { kind: 'sorted'; select: string }
  | {
      kind: 'byParent';
      /** One column, `k`: the parents' keys in time order. */
      parents: string;
      children: (keys: readonly unknown[]) => string;
      orphans: string;
    };

export function exportPlan(
  schema: string,
  table: string,
  key: readonly string[],
  order: TimeOrder | null,
  parent: { exists: boolean; keyType: string } | null,
): ExportPlan {
  const from = `${ident(schema)}.${ident(table)} t`;
  const keys = key.map((k) => `t.${ident(k)}`);
  if (order?.kind === 'parent' && parent?.exists) {
    const p = `${ident(schema)}.${ident(order.parent)} o`;
    const on = ident(order.on);
    return {
      kind: 'byParent',
      parents: `select o.${on} as k from ${p} order by o.${ident(order.column)}, o.${on}`,
      children: (values) =>
        `select t.* from ${from} join unnest(array[${values.map((v) => literal(v, parent.keyType)).join(', ')}])
           with ordinality as u(k, ord) on t.${on} = u.k order by ${['u.ord', ...keys].join(', ')}`,
      orphans: `select t.* from ${from} where not exists (select 1 from ${p} where o.${on} = t.${on})${
        keys.length > 0 ? ` order by ${keys.join(', ')}` : ''
      }`,
    };
  }
  const by = [...(order?.kind === 'own' ? [order.time] : []), ...keys];
  return { kind: 'sorted', select: `select t.* from ${from}${by.length > 0 ? ` order by ${by.join(', ')}` : ''}` };
}
