// Every session of a PostgreSQL pool writes large values with lz4 where the server has it
// (src/store/postgresDatabase.ts): the first session, opened before the pool knew, and the ones
// opened later under load alike. Debian's PostgreSQL has lz4; the embedded server's build does not,
// and there every session keeps the default, pglz, and nothing fails. Values read back exactly. Below a
// page (toast_tuple_target), a stats file is not compressed at all (src/store/ledgerSchema.sql).
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { openLedger, type StoreSpec } from '../../../src/store/openStore.ts';
import { embeddedPostgresBinaries } from '../../../src/store/storeFolders.ts';
import { fact } from '../../contract/eventStoreContract.ts';
import { freshPostgresUrl, postgresAvailable } from '../../support/databases.ts';

const root = mkdtempSync(join(tmpdir(), 'etl-toast-'));
chmodSync(root, 0o755); // as root, the embedded server runs as the user postgres, who must enter it
afterAll(() => rmSync(root, { recursive: true, force: true }));

/** A stats file's worth of compressible text, over the 2 kB at which TOAST compresses. */
const bigRaw = (i: number) =>
  new TextEncoder().encode(
    Array.from({ length: 200 }, (_, l) => `${i}\\Player ${l}\\1\\0\\134217728 3 10 1 0 0 4 12 2 1 0\n`).join(''),
  );

const stores = [
  {
    kind: 'PostgreSQL',
    skip: !postgresAvailable(),
    spec: async (): Promise<StoreSpec> => ({ kind: 'postgres', url: await freshPostgresUrl('toast') }),
  },
  {
    kind: 'embedded',
    skip: embeddedPostgresBinaries() === null,
    spec: async (): Promise<StoreSpec> => ({ kind: 'embedded', dir: join(root, 'embedded') }),
  },
];

describe.each(stores)('TOAST compression ($kind)', ({ kind, skip, spec }) => {
  it.skipIf(skip)(
    'is lz4 on every session of the pool where the server has it, and the values read back exactly',
    async () => {
      const ledger = await openLedger(await spec());
      try {
        const available = await ledger.db.query<{ lz4: boolean }>(
          "select 'lz4' = any(enumvals) as lz4 from pg_settings where name = 'default_toast_compression'",
        );
        const expected = kind === 'PostgreSQL' ? 'lz4' : 'pglz';
        expect(available.rows[0]?.lz4, 'this machine’s server has lz4, the embedded build not').toBe(
          expected === 'lz4',
        );
        // Six sessions at once: the probe's own and five the pool opens while they all wait.
        const settings = await Promise.all(
          Array.from({ length: 6 }, () =>
            ledger.db.transaction(async (tx) => {
              const shown = await tx.query<{ c: string }>('select current_setting($1) as c', [
                'default_toast_compression',
              ]);
              await tx.query('select pg_sleep(0.2)');
              return shown.rows[0]!.c;
            }),
          ),
        );
        expect(settings).toEqual(Array(6).fill(expected));
        const raws = Array.from({ length: 8 }, (_, i) => bigRaw(i));
        await ledger.store.appendFacts(raws.map((raw, i) => fact(`toast-${i}`, i, raw)));
        const stored = await ledger.db.query<{ c: string | null; raw: Buffer }>(
          "select pg_column_compression(raw) as c, raw from ledger.events where stream_id like 'toast-%' order by position",
        );
        expect(stored.rows.map((r) => r.c)).toEqual(Array(8).fill(expected));
        expect(stored.rows.map((r) => new Uint8Array(r.raw))).toEqual(raws);
      } finally {
        await ledger.close();
      }
    },
    120_000,
  );

  it.skipIf(skip)(
    'keeps a stats file of a few kB inline and uncompressed; a value beyond a page is still compressed',
    async () => {
      const ledger = await openLedger(await spec());
      try {
        const usual = bigRaw(1).subarray(0, 3300); // a 12-player stats file's size
        const large = bigRaw(2); // ≈ 9 kB, beyond toast_tuple_target
        await ledger.store.appendFacts([fact('inline-0', 0, usual), fact('inline-1', 1, large)]);
        const stored = await ledger.db.query<{ c: string | null; raw: Buffer }>(
          "select pg_column_compression(raw) as c, raw from ledger.events where stream_id like 'inline-%' order by position",
        );
        expect(stored.rows.map((r) => r.c)).toEqual([null, kind === 'PostgreSQL' ? 'lz4' : 'pglz']);
        expect(stored.rows.map((r) => new Uint8Array(r.raw))).toEqual([usual, large]);
        // Opening again leaves the setting as it is (the schema runs at every start).
        const options = await ledger.db.query<{ o: string[] }>(
          "select reloptions as o from pg_class where oid = 'ledger.events'::regclass",
        );
        expect(options.rows[0]?.o).toEqual(['toast_tuple_target=8160']);
      } finally {
        await ledger.close();
      }
    },
    120_000,
  );
});
