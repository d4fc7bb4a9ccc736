// Which names `et-ledger export` takes: exactly the tables (and views) the projections declare,
// under their short CLI names. A name that is none of them is refused with the whole list.
import { LedgerError } from '../errors.ts';
import { exportAliases } from '../runtime/exportRows.ts';
import type { Projection } from '../runtime/projection.ts';

export type ExportTarget = { name: string; projection: Projection; table: string };

const dashed = (table: string) => table.replace(/_/g, '-');

/** Every exportable name, each once: the short names first (rounds, player-stats, …), then the other tables. */
export function exportTargets(projections: readonly Projection[]): ExportTarget[] {
  const byTable = new Map<string, Projection>();
  for (const p of projections) for (const table of Object.keys(p.tables)) byTable.set(table, p);
  const targets: ExportTarget[] = [];
  for (const [name, table] of Object.entries(exportAliases)) {
    const projection = byTable.get(table);
    if (projection) targets.push({ name, projection, table });
  }
  const aliased = new Set(targets.map((t) => t.table));
  const rest = [...byTable.entries()]
    .filter(([table]) => !aliased.has(table))
    .map(([table, projection]) => ({ name: dashed(table), projection, table }))
    .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  return [...targets, ...rest];
}

export const exportableNames = (projections: readonly Projection[]): string[] =>
  exportTargets(projections).map((t) => t.name);

/**
 * The table a name exports. Besides the listed names, a table's own name (`lua-round-teams`,
 * `player_stats`) is taken, as it always was; anything else is a usage error naming every
 * exportable name and the nearest one.
 */
export function resolveExport(projections: readonly Projection[], name: string): ExportTarget {
  const targets = exportTargets(projections);
  const found =
    targets.find((t) => t.name === name) ?? targets.find((t) => t.table === name || dashed(t.table) === name);
  if (found) return found;
  const names = targets.map((t) => t.name);
  const near = nearest(name, names);
  throw new LedgerError(
    'USAGE',
    `nothing to export named ${JSON.stringify(name)}${near ? ` (did you mean ${near}?)` : ''}; exportable: ${names.join(', ')}`,
  );
}

/** The name within a third of its length in edits (at least 2) of `typed`, the closest first. */
function nearest(typed: string, names: readonly string[]): string | null {
  let best: { name: string; d: number } | null = null;
  for (const name of names) {
    const d = editDistance(typed.toLowerCase(), name);
    if (d <= Math.max(2, Math.floor(name.length / 3)) && (!best || d < best.d)) best = { name, d };
  }
  return best?.name ?? null;
}

function editDistance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const row = [i];
    for (let j = 1; j <= b.length; j++)
      row[j] = Math.min(prev[j]! + 1, row[j - 1]! + 1, prev[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    prev = row;
  }
  return prev[b.length]!;
}
