// `et-ledger export NAME`: exactly the tables the projections declare are exportable; anything
// else is refused with that list and the nearest name.
import { describe, expect, it } from 'vitest';
import { exportableNames, exportTargets, resolveExport } from '../../../src/export/names.ts';
import { timeOrderOf } from '../../../src/export/order.ts';
import { loadProjections } from '../../../src/runtime/registry.ts';

const projections = await loadProjections();

describe('exportable names', () => {
  it('are the declared tables, each once, the short names first; no processor without tables', () => {
    const names = exportableNames(projections);
    const tables = projections.flatMap((p) => Object.keys(p.tables));
    expect(names).toHaveLength(tables.length);
    expect(new Set(exportTargets(projections).map((t) => t.table))).toEqual(new Set(tables));
    expect(names.slice(0, 6)).toEqual(['rounds', 'player-stats', 'lua-rounds', 'verdicts', 'maps', 'quarantine']);
    expect(names).toContain('player-weapon-stats');
    expect(names).not.toContain('correlator');
    for (const n of names) expect(resolveExport(projections, n).name).toBe(n);
  });

  it('still takes a table by its own name', () => {
    expect(resolveExport(projections, 'lua-round-teams').name).toBe('lua-rounds');
    expect(resolveExport(projections, 'player_stats').name).toBe('player-stats');
  });

  it('refuses anything else with the list and the nearest name', () => {
    expect(() => resolveExport(projections, 'roundz')).toThrow(/did you mean rounds\?/);
    expect(() => resolveExport(projections, 'correlator')).toThrow(
      `exportable: ${exportableNames(projections).join(', ')}`,
    );
    expect(() => resolveExport(projections, 'xyzzy')).toThrow(/^nothing to export named "xyzzy"; exportable: /);
  });

  it('every table has a time order', () => {
    for (const t of exportTargets(projections)) expect(timeOrderOf(t.table, []), t.table).not.toBeNull();
  });
});
