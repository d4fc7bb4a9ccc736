// Keeps the README true: every column of every read-model table is listed there by its export name.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { loadProjections } from '../../src/runtime/registry.ts';

const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
const camel = (c: string) => c.replace(/_([a-z0-9])/g, (_, x: string) => x.toUpperCase());
/** Views whose rows are a table's rows (plus what the README lists by hand). */
const viewOf: Record<string, string> = { player_stats: 'player_rows' };

describe('README', () => {
  it('lists every field of every read model', async () => {
    const missing: string[] = [];
    for (const p of await loadProjections()) {
      const sql = await p.schemaSql();
      for (const table of Object.keys(p.tables)) {
        const m = new RegExp(`create table ${viewOf[table] ?? table} \\((.*?)\\n\\);`, 's').exec(sql);
        if (!m) continue;
        for (const line of m[1]!.split('\n').map((l) => l.trim())) {
          if (!line || /^(primary key|unique|--)/.test(line)) continue;
          const field = camel(line.split(/\s+/)[0]!);
          if (!readme.includes(`\`${field}\``)) missing.push(`${table}.${field}`);
        }
      }
    }
    expect(missing).toEqual([]);
  });

  it('shows the two newcomer commands', () => {
    expect(readme).toContain('npx et-ledger demo');
    expect(readme).toContain('bash .ci/run');
  });
});
