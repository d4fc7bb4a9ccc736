// One LISTEN session per pool (src/store/listenerHub.ts): every listener of every channel is woken by
// a NOTIFY, the server holds one session for all of them, and it is given back with the last one.
import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { openPostgresDatabase } from '../../../src/store/postgresDatabase.ts';
import { freshPostgresUrl, postgresAvailable } from '../../support/databases.ts';
import { waitFor } from '../sources/support.ts';

describe.skipIf(!postgresAvailable())('LISTEN on one session', () => {
  it('wakes every listener of every channel, holds one session for all, and gives it back with the last', async () => {
    const url = await freshPostgresUrl('listen_hub');
    const db = await openPostgresDatabase(url);
    const admin = new pg.Client({ connectionString: url });
    await admin.connect();
    const listening = async () =>
      Number(
        (
          await admin.query<{ n: string }>(
            "select count(*) as n from pg_stat_activity where datname = current_database() and pid <> pg_backend_pid() and query ilike 'listen %'",
          )
        ).rows[0]!.n,
      );
    try {
      const woken = { a1: 0, a2: 0, b: 0 };
      const offA1 = await db.listen('hub_a', () => woken.a1++);
      const offA2 = await db.listen('hub_a', () => woken.a2++);
      const offB = await db.listen('hub_b', () => woken.b++);
      expect(await listening()).toBe(1);
      await admin.query('notify hub_a');
      await admin.query('notify hub_b');
      await waitFor('the three listeners', () => woken.a1 === 1 && woken.a2 === 1 && woken.b === 1);

      await offA1();
      await admin.query('notify hub_a');
      await waitFor('the listener left on hub_a', () => woken.a2 === 2);
      expect(woken.a1).toBe(1);
      await offA1(); // twice is once

      await offA2();
      await offB();
      await waitFor('the session given back', async () => (await listening()) === 0);
      // A listener after that opens a session again.
      const offAgain = await db.listen('hub_b', () => woken.b++);
      await admin.query('notify hub_b');
      await waitFor('a listener on a new session', () => woken.b === 2);
      await offAgain();
    } finally {
      await admin.end();
      await db.close();
    }
  });
});
