import { describe, expect, it } from 'vitest';
import { hasUnencodedCredentials, maskDatabaseUrl, maskStoreText } from '../../../src/store/openStore.ts';

describe('database URLs in messages', () => {
  it('masks the password of a URL that parses', () => {
    expect(maskDatabaseUrl('postgres://etl:p%40ss%2Fword@db:5432/etl')).toBe('postgres://etl:***@db:5432/etl');
    expect(maskDatabaseUrl('esdb://admin:changeit@h1:2113,h2:2113?tls=false')).toBe(
      'esdb://admin:***@h1:2113,h2:2113?tls=false',
    );
    expect(maskDatabaseUrl('postgres://etl@db/etl')).toBe('postgres://etl@db/etl');
    expect(maskDatabaseUrl('postgres://db/etl')).toBe('postgres://db/etl');
  });

  it('masks everything between the scheme and the last @ when an unencoded @ or / breaks the credentials', () => {
    for (const url of [
      'postgres://u:p@ss/word@host/db',
      'postgres://u:p/ss@host/db',
      'postgres://u:p@ss@host/db',
      'postgres://u:12?34@host/db',
      'postgres://u:p#ss@host/db',
    ]) {
      expect(hasUnencodedCredentials(url), url).toBe(true);
      expect(maskDatabaseUrl(url), url).toBe('postgres://***@host/db');
    }
    expect(maskDatabaseUrl('u:p@ss@host/db')).toBe('u:***@host/db');
    expect(hasUnencodedCredentials('postgres://u:p%40ss@host/db')).toBe(false);
    expect(hasUnencodedCredentials('postgres://host/db')).toBe(false);
  });

  it('masks the URL inside a store text and leaves a pglite folder alone', () => {
    expect(maskStoreText('postgres:postgres://u:p@ss/word@host/db')).toBe('postgres:postgres://***@host/db');
    expect(maskStoreText('eventstoredb:esdb://admin:secret@kdb:2113')).toBe('eventstoredb:esdb://admin:***@kdb:2113');
    expect(maskStoreText('postgresql://u:secret@host/db')).toBe('postgresql://u:***@host/db');
    expect(maskStoreText('pglite:./a@b')).toBe('pglite:./a@b');
    expect(maskStoreText('postgres:')).toBe('postgres:');
  });
});
