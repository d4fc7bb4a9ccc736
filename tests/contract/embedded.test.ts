// The event-store contract on the embedded store (PostgreSQL 18 run from a folder by this process):
// the same SQL log as postgres:, on the server version npm ships, opened through the folder. Every
// case gets its own folder, copied (owners and modes kept) from one cluster made once.
import { execFileSync } from 'node:child_process';
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openLedger } from '../../src/store/openStore.ts';
import { embeddedPostgresBinaries } from '../../src/store/storeFolders.ts';
import { eventStoreContract, fact } from './eventStoreContract.ts';

const root = mkdtempSync(join(tmpdir(), 'etl-embedded-contract-'));
chmodSync(root, 0o755); // as root, the server runs as the user postgres, who must enter it
const template = join(root, 'template');
let copies = 0;

function freshFolder(): string {
  const dir = join(root, `case-${++copies}`);
  execFileSync('cp', ['-a', template, dir]);
  return dir;
}

describe.skipIf(embeddedPostgresBinaries() === null)('embedded', () => {
  beforeAll(async () => {
    const ledger = await openLedger({ kind: 'embedded', dir: template });
    await ledger.close();
  }, 120_000);
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  eventStoreContract('embedded', async () => {
    const ledger = await openLedger({ kind: 'embedded', dir: freshFolder() });
    return { store: ledger.store, dispose: () => ledger.close() };
  });

  it('embedded: reopening the folder finds every event and keeps numbering after them', async () => {
    const dir = freshFolder();
    const first = await openLedger({ kind: 'embedded', dir });
    await first.store.appendFacts([fact('reopen-a'), fact('reopen-b')]);
    await first.close();
    const again = await openLedger({ kind: 'embedded', dir });
    try {
      expect((await again.store.readAll(0, 10)).map((e) => e.streamId)).toEqual(['reopen-a', 'reopen-b']);
      expect((await again.store.appendFacts([fact('reopen-c')]))[0]!.position).toBe(3);
      expect((await again.store.appendFacts([fact('reopen-a')]))[0]!.status).toBe('duplicate');
      expect((await again.db.query<{ v: string }>("select current_setting('server_version') as v")).rows[0]!.v).toMatch(
        /^18\./,
      );
    } finally {
      await again.close();
    }
  });
});
