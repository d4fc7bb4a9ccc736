// Which servers the clock ticker ticks every interval: those with a decision deadline or an open
// session ahead of the facts' clock, on a real correlator build in PostgreSQL.
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { clockTickIdentity } from '../../../src/events/index.ts';
import { createLogger } from '../../../src/logger.ts';
import { projectAllToHead } from '../../../src/runtime/ledgerRuntime.ts';
import { loadProjections } from '../../../src/runtime/registry.ts';
import { waitingServers } from '../../../src/runtime/waitingServers.ts';
import { openLedger } from '../../../src/store/openStore.ts';
import { runCli } from '../../support/cli.ts';
import { freshPostgresUrl, postgresAvailable } from '../../support/databases.ts';

const stats = fileURLToPath(new URL('../../../samples/stats/', import.meta.url));

describe.skipIf(!postgresAvailable())('waitingServers', () => {
  it('says a server waits after a round, not once the clock passed its deadline and the session gap', async () => {
    const url = await freshPostgresUrl('waiting');
    const ledger = await openLedger({ kind: 'postgres', url });
    try {
      expect(await waitingServers(ledger.db, ['eu1'], 45 * 60)).toBeNull(); // no correlator yet: tick
      const r = await runCli(
        ['ingest', '--server', 'eu1', '--tz', 'Europe/Ljubljana', join(stats, '2026-08-19-214136-supply-round-1.txt')],
        {
          ET_LEDGER_STORE: `postgres:${url}`,
        },
      );
      expect(r.code, r.stderr).toBe(0);
      expect(await waitingServers(ledger.db, ['eu1', 'quiet'], 45 * 60)).toEqual(new Set(['eu1']));

      const tick = async (atUnix: number) => {
        await ledger.store.appendFacts([
          {
            ...clockTickIdentity('eu1', atUnix),
            type: 'ClockTicked',
            schemaVersion: 2,
            data: { serverId: 'eu1', atUnix },
          },
        ]);
        await projectAllToHead({
          db: ledger.db,
          store: ledger.store,
          log: createLogger('silent'),
          projections: await loadProjections(),
        });
      };
      // 19:41:36Z + a few minutes: the round's deadline may have passed, the session is still open.
      await tick(Date.parse('2026-08-19T20:00:00Z') / 1000);
      expect(await waitingServers(ledger.db, ['eu1'], 45 * 60)).toEqual(new Set(['eu1']));
      await tick(Date.parse('2026-08-19T23:00:00Z') / 1000);
      expect(await waitingServers(ledger.db, ['eu1'], 45 * 60)).toEqual(new Set());
    } finally {
      await ledger.close();
    }
  }, 60_000);
});
