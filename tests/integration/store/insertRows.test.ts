// insertRows writes COPY text on PostgreSQL and a jsonb INSERT on PGlite: both must store every
// value exactly — hostile text (COPY's own separators, backslashes, array syntax), nulls inside
// arrays, jsonb that is itself an array of strings, non-finite numbers, 2-D integer arrays — and
// read back the same.
import { rmSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { insertRows } from '../../../src/store/insertRows.ts';
import { openPgliteDatabase } from '../../../src/store/pgliteDatabase.ts';
import { openPostgresDatabase } from '../../../src/store/postgresDatabase.ts';
import type { SqlDatabase } from '../../../src/store/sqlDatabase.ts';
import { freshPgliteDir, freshPostgresUrl, postgresAvailable } from '../../support/databases.ts';

const hostile = [
  'tab\there',
  'new\nline and \r carriage',
  'back\\slash \\N not null \\t',
  "@everyone '; DROP TABLE rounds; --",
  '{"a",b} array "syntax", NULL',
  'ünïcödé ^1colour ✓',
  '',
];

const rows = hostile.map((text, i) => ({
  id: i,
  name: text,
  tags: [text, null, 'x,y', '"quoted"', 'NULL'],
  doc: i % 2 === 0 ? [text, 'second'] : { text, nested: { list: [1, null, text] } },
  ratio: i === 0 ? Number.NaN : i / 3,
  big: 1_787_168_493 + i,
  flag: i % 2 === 0,
  // A 2-D array (player_rows.weapons): one row per weapon, none at all for some.
  grid: i % 3 === 0 ? [] : Array.from({ length: i }, (_, w) => [w, 10 * w, -3 * w - 1, 2_000_000_000, 0, i]),
  missing: undefined,
}));

const ddl = `create table t (
  id integer primary key, name text not null, tags text[] not null, doc jsonb not null,
  ratio double precision, big bigint not null, flag boolean not null, grid integer[] not null, missing text)`;

async function roundTrip(db: SqlDatabase) {
  await db.transaction(async (tx) => {
    await tx.exec(ddl);
    // Half the rows as they are, half as camelCase layers: an added id over the rest of the row.
    const half = Math.ceil(rows.length / 2);
    await insertRows(tx, 't', rows.slice(0, half));
    await insertRows(
      tx,
      't',
      rows.slice(half).map(({ id, ...rest }) => [{ id }, rest]),
      { keys: 'camel' },
    );
  });
  const back = await db.query<Record<string, unknown>>('select * from t order by id');
  expect(back.rows).toEqual(
    rows.map(({ missing: _m, ratio, big, ...r }) => ({
      ...r,
      ratio: Number.isFinite(ratio) ? ratio : null,
      big: Number(big),
      missing: null,
    })),
  );
}

describe('insertRows', () => {
  const cleanup: (() => Promise<void> | void)[] = [];
  afterAll(async () => {
    for (const c of cleanup) await c();
  });

  it.runIf(postgresAvailable())('PostgreSQL (COPY text format) stores hostile values exactly', async () => {
    const db = await openPostgresDatabase(await freshPostgresUrl('insert_rows'));
    cleanup.push(() => db.close());
    expect(db.copyIn).toBeTypeOf('function');
    await roundTrip(db);
  });

  it('PGlite (jsonb insert) stores the same values exactly', async () => {
    const dir = freshPgliteDir();
    const db = await openPgliteDatabase(dir);
    cleanup.push(async () => {
      await db.close();
      rmSync(dir, { recursive: true, force: true });
    });
    await roundTrip(db);
  });

  it.runIf(postgresAvailable())('camelCase layers: the first layer holding a property wins', async () => {
    const db = await openPostgresDatabase(await freshPostgresUrl('insert_rows_layers'));
    cleanup.push(() => db.close());
    await db.exec('create table p (round_id text, time_played_sec integer, guid8 text)');
    const player = { timePlayedSec: 300, guid8: 'ABCD1234', roundId: 'not this one' };
    await db.transaction((tx) => insertRows(tx, 'p', [[{ roundId: 'r1' }, player], player], { keys: 'camel' }));
    expect((await db.query('select * from p order by round_id')).rows).toEqual([
      { round_id: 'not this one', time_played_sec: 300, guid8: 'ABCD1234' },
      { round_id: 'r1', time_played_sec: 300, guid8: 'ABCD1234' },
    ]);
  });

  it.runIf(postgresAvailable())('a row that breaks the table rolls the whole COPY back', async () => {
    const db = await openPostgresDatabase(await freshPostgresUrl('insert_rows_bad'));
    cleanup.push(() => db.close());
    await db.exec(ddl);
    await expect(
      db.transaction((tx) => insertRows(tx, 't', [rows[1]!, { ...rows[2]!, id: 'not a number' }])),
    ).rejects.toThrow();
    expect((await db.query('select * from t')).rows).toHaveLength(0);
  });
});
