import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { isLedgerError } from '../../src/errors.ts';
import { openLedger } from '../../src/store/openStore.ts';
import { freshPostgresUrl, postgresAvailable } from '../support/databases.ts';
import { eventStoreContract, fact } from './eventStoreContract.ts';

describe.skipIf(!postgresAvailable())('postgres', () => {
  eventStoreContract('postgres', async () => {
    const ledger = await openLedger({ kind: 'postgres', url: await freshPostgresUrl('contract') });
    return { store: ledger.store, dispose: () => ledger.close() };
  });

  it('postgres: an append whose connection dies mid-transaction fails clearly and writes nothing', async () => {
    const url = await freshPostgresUrl('gone');
    const ledger = await openLedger({ kind: 'postgres', url });
    const blocker = new pg.Client({ connectionString: url });
    await blocker.connect();
    try {
      await ledger.store.appendFacts([fact('dies-a')]);
      // Hold the log's lock so the next append waits inside its transaction, then kill that backend.
      await blocker.query('begin; lock table ledger.events in exclusive mode');
      const doomed = ledger.store.appendFacts(Array.from({ length: 500 }, (_, i) => fact(`dies-b-${i}`)));
      const outcome = doomed.then(
        () => 'ok',
        (e) => e,
      );
      let victims = 0;
      for (let i = 0; i < 100 && victims === 0; i++) {
        const r = await blocker.query(
          "select pg_terminate_backend(pid) from pg_stat_activity where datname = current_database() and wait_event_type = 'Lock' and pid <> pg_backend_pid()",
        );
        victims = r.rowCount ?? 0;
        if (!victims) await new Promise((r) => setTimeout(r, 50));
      }
      await blocker.query('rollback');
      expect(victims).toBe(1);
      const error = await outcome;
      expect(isLedgerError(error, 'STORE_UNAVAILABLE')).toBe(true);
      expect((error as Error).message).toMatch(/went away.*Nothing of this operation was committed/);
      expect((await ledger.store.readAll(0, 1000)).map((e) => e.streamId)).toEqual(['dies-a']);
      // The store recovers with a new connection.
      expect((await ledger.store.appendFacts([fact('dies-c')]))[0]!.status).toBe('appended');
    } finally {
      await blocker.end();
      await ledger.close();
    }
  });

  it('postgres: an unreachable server is a clear, retriable error naming the address', async () => {
    await expect(
      openLedger({ kind: 'postgres', url: 'postgres://postgres:secret@127.0.0.1:1/nothing' }),
    ).rejects.toSatisfy(
      (e) =>
        isLedgerError(e, 'STORE_UNAVAILABLE') &&
        (e as Error).message.includes('127.0.0.1:1') &&
        !(e as Error).message.includes('secret'),
    );
  });
});
