import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { resolveStore } from '../../../src/config/store.ts';
import { embeddedPostgresBinaries, embeddedPostgresProblem } from '../../../src/store/storeFolders.ts';
import { configFailure } from '../../support/configFailure.ts';

const DB = 'postgres://etl@127.0.0.1:5432/etl';

describe('the store a command opens', () => {
  it('reads pglite, postgres (its own URL or DATABASE_URL) and eventstoredb with read models in DATABASE_URL', () => {
    expect(resolveStore('pglite:', undefined)).toEqual({ kind: 'pglite', dir: './.et-ledger' });
    expect(resolveStore('pglite:/var/lib/etl', DB)).toEqual({ kind: 'pglite', dir: '/var/lib/etl' });
    expect(resolveStore('postgres:', DB)).toEqual({ kind: 'postgres', url: DB });
    expect(resolveStore(`postgres:${DB}`, 'postgres://other@h/db')).toEqual({ kind: 'postgres', url: DB });
    expect(resolveStore('eventstoredb:esdb://h:2113?tls=false', DB)).toEqual({
      kind: 'eventstoredb',
      url: 'esdb://h:2113?tls=false',
      readModelsUrl: DB,
    });
  });

  it.each([
    [
      'a bare postgres: without DATABASE_URL',
      'postgres:',
      undefined,
      '  ET_LEDGER_STORE (or --store) = "postgres:": a bare `postgres:` takes its URL from DATABASE_URL, and DATABASE_URL is not set\n    example: DATABASE_URL=',
    ],
    [
      'a postgres: URL that is none',
      'postgres:etl:s3cret@db/etl',
      undefined,
      ': the part after postgres: must be a postgres:// URL',
    ],
    [
      'an unencoded @ in a postgres: password',
      'postgres:postgres://etl:s3cr@t@db/etl',
      undefined,
      '  ET_LEDGER_STORE (or --store) = "postgres:postgres://***@db/etl": the password must be percent-encoded',
    ],
    [
      'an eventstoredb: log without DATABASE_URL',
      'eventstoredb:esdb://admin:changeit@h:2113',
      undefined,
      '  DATABASE_URL = (unset): is required when ET_LEDGER_STORE is "eventstoredb:esdb://admin:***@h:2113": the read models live in PostgreSQL',
    ],
    [
      'an eventstoredb: without its URL',
      'eventstoredb:',
      DB,
      '  ET_LEDGER_STORE (or --store) = "eventstoredb:": needs the server URL\n    example: --store eventstoredb:esdb://',
    ],
    [
      'an unencoded / in an eventstoredb: password',
      'eventstoredb:esdb://admin:s3cr/h1dd3n@h:2113',
      DB,
      '  ET_LEDGER_STORE (or --store) = "eventstoredb:esdb://***@h:2113": the password must be percent-encoded',
    ],
    [
      'a DATABASE_URL that is no postgres:// URL',
      'postgres:',
      'mysql://etl:s3cret@db/etl',
      '  DATABASE_URL = "mysql://etl:***@db/etl": must be a postgres:// URL',
    ],
  ])('refuses %s in the one error shape, the password masked', (_, text, databaseUrl, entry) => {
    const message = configFailure(() => resolveStore(text, databaseUrl));
    expect(message.startsWith('invalid configuration:\n  ')).toBe(true);
    expect(message).toContain(entry);
    expect(message).toMatch(/\n {4}example: /);
    expect(message).not.toMatch(/changeit|s3cr|h1dd3n/);
  });
});

describe('embedded: (the default store)', () => {
  const folders: string[] = [];
  const folder = (mode = 0o755) => {
    const parent = mkdtempSync(join(tmpdir(), 'etl-store-kind-'));
    chmodSync(parent, mode);
    folders.push(parent);
    return join(parent, 'store');
  };
  afterAll(() => {
    for (const f of folders) rmSync(f, { recursive: true, force: true });
  });
  const runnable = embeddedPostgresBinaries() !== null;

  it.skipIf(!runnable)(
    'is PostgreSQL run from the folder for a new folder, and stays so for a folder that holds its cluster',
    () => {
      const dir = folder();
      expect(resolveStore(`embedded:${dir}`, undefined)).toEqual({ kind: 'embedded', dir });
      mkdirSync(join(dir, 'postgres'), { recursive: true });
      writeFileSync(join(dir, 'postgres', 'PG_VERSION'), '18\n');
      writeFileSync(join(dir, 'et-ledger.secret'), 'x\n');
      expect(resolveStore(`embedded:${dir}`, undefined)).toEqual({ kind: 'embedded', dir });
    },
  );

  it('keeps a folder that already holds a PGlite store (the default before): never a second store beside it', () => {
    const dir = folder();
    mkdirSync(join(dir, 'pgdata'), { recursive: true });
    writeFileSync(join(dir, 'pgdata', 'PG_VERSION'), '17\n');
    expect(resolveStore(`embedded:${dir}`, undefined)).toEqual({ kind: 'pglite', dir });
    expect(resolveStore('embedded:', undefined)).toMatchObject({ dir: './.et-ledger' });
  });

  it.skipIf(!runnable || process.getuid?.() !== 0)(
    'as root, is PGlite in the same folder when the user postgres cannot enter a folder above it',
    () => {
      const dir = folder(0o700);
      expect(embeddedPostgresProblem(dir)).toMatch(/the user postgres it runs as cannot enter \/tmp\/etl-store-kind-/);
      expect(resolveStore(`embedded:${dir}`, undefined)).toEqual({ kind: 'pglite', dir });
    },
  );
});
