// The rebuild report's row diff (src/runtime/diffBuilds.ts) on both SQL stores: rows compared by
// their text where both builds have the same columns, as jsonb where they do not; either way the
// same counts and examples, -0 against 0 is no change, and a view is diffed like a table.
import { describe, expect, it, onTestFinished } from 'vitest';
import { diffBuilds } from '../../../src/runtime/diffBuilds.ts';
import type { Projection } from '../../../src/runtime/projection.ts';
import { postgresAvailable } from '../../support/databases.ts';
import { openTestLedger } from '../../support/factBuilders.ts';

const kinds = ['pglite', ...(postgresAvailable() ? ['postgres' as const] : [])] as const;
const projection = {
  tables: { t: { key: ['k', 'side'] }, v: { key: ['k', 'side', 'i'] } },
} as unknown as Projection & {
  tables: Record<string, { key: string[] }>;
};

/** A build: table t, and a view v unnesting its array column (as player_weapon_stats does). */
const build = (schema: string, extra = '') => `
  create schema ${schema};
  create table ${schema}.t (k int, side text, a int, x float8, tags int[]${extra}, primary key (k, side));
  create view ${schema}.v as select t.k, t.side, u.i, u.n from ${schema}.t t, unnest(t.tags) with ordinality as u(n, i);`;

describe.each(kinds)('diffBuilds (%s)', (kind) => {
  it('counts added, removed and changed rows alike whether columns match or not, with examples by key', async () => {
    const ledger = await openTestLedger(kind, 'diffbuilds');
    onTestFinished(() => ledger.close());
    await ledger.db.exec(`${build('old_b')}${build('new_b')}${build('wide_b', ', note text')}
      insert into old_b.t values (1, 'a', 1, 0.5, '{1,2}'), (2, 'a', 2, -0, '{3}'), (3, 'b', 3, 1, '{}'), (4, 'a', 4, 1, null);
      insert into new_b.t values (1, 'a', 1, 0.5, '{1,2}'), (2, 'a', 2, 0, '{3}'), (3, 'b', 30, 1, '{}'), (5, 'a', 5, 1, '{9}');
      insert into wide_b.t select *, null from new_b.t;`);
    const same = await diffBuilds(ledger.db, projection, 'old_b', 'new_b');
    expect(same.map((d) => [d.table, d.added, d.removed, d.changed])).toEqual([
      ['t', 1, 1, 1], // 5 added, 4 removed, 3 changed; 2 only went from -0 to 0
      ['v', 1, 0, 0], // (5, a, 1) added
    ]);
    expect(same[0]!.examples).toEqual([
      {
        kind: 'changed',
        key: [3, 'b'],
        before: { k: 3, side: 'b', a: 3, x: 1, tags: [] },
        after: { k: 3, side: 'b', a: 30, x: 1, tags: [] },
      },
      { kind: 'removed', key: [4, 'a'], before: { k: 4, side: 'a', a: 4, x: 1, tags: null }, after: null },
      { kind: 'added', key: [5, 'a'], before: null, after: { k: 5, side: 'a', a: 5, x: 1, tags: [9] } },
    ]);
    // Another shape (a column more): compared by name as jsonb, so every kept row shows the new column.
    const wide = await diffBuilds(ledger.db, projection, 'old_b', 'wide_b');
    expect(wide.map((d) => [d.table, d.added, d.removed, d.changed])).toEqual([
      ['t', 1, 1, 3],
      ['v', 1, 0, 0],
    ]);
    // A first build: every row added.
    const first = await diffBuilds(ledger.db, projection, null, 'new_b', 2);
    expect(first.map((d) => [d.table, d.added, d.removed, d.changed])).toEqual([
      ['t', 4, 0, 0],
      ['v', 4, 0, 0],
    ]);
    expect(first[0]!.examples.map((e) => e.key)).toEqual([
      [1, 'a'],
      [2, 'a'],
    ]);
    // A view declared to change with t is compared only under t's changed keys: the same report.
    await ledger.db.exec(
      `update new_b.t set tags = '{1,3,4}' where k = 1; update wide_b.t set tags = '{1,3,4}' where k = 1;`,
    );
    const within = {
      tables: { ...projection.tables, v: { ...projection.tables.v, changesWith: 't' } },
    } as unknown as Projection;
    for (const [from, to] of [
      ['old_b', 'new_b'],
      ['old_b', 'wide_b'],
      [null, 'new_b'],
    ] as const) {
      const whole = await diffBuilds(ledger.db, projection, from, to);
      expect(await diffBuilds(ledger.db, within, from, to)).toEqual(whole);
    }
    const v = (await diffBuilds(ledger.db, within, 'old_b', 'new_b')).find((d) => d.table === 'v')!;
    expect([v.added, v.removed, v.changed]).toEqual([2, 0, 1]); // (1,a,2) 2 → 3, (1,a,3) and (5,a,1) added
  }, 60_000);
});
