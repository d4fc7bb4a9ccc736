import { rmSync } from 'node:fs';
import { expect, it } from 'vitest';
import { isLedgerError } from '../../src/errors.ts';
import { openLedger } from '../../src/store/openStore.ts';
import { freshPgliteDir } from '../support/databases.ts';
import { eventStoreContract, fact } from './eventStoreContract.ts';

async function openFresh() {
  const dir = freshPgliteDir();
  const ledger = await openLedger({ kind: 'pglite', dir });
  return { dir, ledger };
}

eventStoreContract('pglite', async () => {
  const { dir, ledger } = await openFresh();
  return {
    store: ledger.store,
    dispose: async () => {
      await ledger.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
});

it('pglite: reopening the data folder finds every event and keeps numbering after them', async () => {
  const { dir, ledger } = await openFresh();
  await ledger.store.appendFacts([fact('reopen-a'), fact('reopen-b')]);
  await ledger.close();
  const again = await openLedger({ kind: 'pglite', dir });
  try {
    expect((await again.store.readAll(0, 10)).map((e) => e.streamId)).toEqual(['reopen-a', 'reopen-b']);
    const [c] = await again.store.appendFacts([fact('reopen-c'), fact('reopen-a')].slice(0, 1));
    expect(c!.position).toBe(3);
    expect((await again.store.appendFacts([fact('reopen-a')]))[0]!.status).toBe('duplicate');
  } finally {
    await again.close();
    rmSync(dir, { recursive: true, force: true });
  }
});

it('pglite: a second opener of the same folder is refused with a clear error', async () => {
  const { dir, ledger } = await openFresh();
  try {
    await expect(openLedger({ kind: 'pglite', dir })).rejects.toSatisfy(
      (e) =>
        isLedgerError(e, 'STORE_LOCKED') && /in use by process|already open in this process/.test((e as Error).message),
    );
  } finally {
    await ledger.close();
    rmSync(dir, { recursive: true, force: true });
  }
});

it('pglite: an append after the store went away fails clearly and leaves nothing behind', async () => {
  const { dir, ledger } = await openFresh();
  await ledger.store.appendFacts([fact('gone-a')]);
  await ledger.db.close();
  await expect(ledger.store.appendFacts([fact('gone-b')])).rejects.toSatisfy((e) =>
    isLedgerError(e, 'STORE_UNAVAILABLE'),
  );
  const again = await openLedger({ kind: 'pglite', dir });
  try {
    expect((await again.store.readAll(0, 10)).map((e) => e.streamId)).toEqual(['gone-a']);
  } finally {
    await again.close();
    rmSync(dir, { recursive: true, force: true });
  }
});
