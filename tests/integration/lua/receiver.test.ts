// Cross-language, end to end: the Lua script (real Lua 5.4, real curl) signs and posts its report to
// et-ledger's real HTTP receiver, which verifies it and appends a LuaRoundEnded fact to PostgreSQL.
import { describe, expect, it } from 'vitest';
import { createLogger } from '../../../src/logger.ts';
import { createMetrics } from '../../../src/metrics.ts';
import { createReportReceiver } from '../../../src/sources/reportReceiver.ts';
import { openLedger } from '../../../src/store/openStore.ts';
import { freshPostgresUrl, postgresAvailable } from '../../support/databases.ts';
import { hasLua, newServerDir, runScenario, writeConfig } from './luaHarness.ts';

const SECRET = 'cross-language-secret';

describe.skipIf(!hasLua || !postgresAvailable())('the Lua script and the real receiver', () => {
  it('a report spooled and posted by the script becomes one LuaRoundEnded fact', async () => {
    const ledger = await openLedger({ kind: 'postgres', url: await freshPostgresUrl('luarecv') });
    const receiver = createReportReceiver({
      append: (events) => ledger.store.appendFacts(events),
      log: createLogger('silent'),
      metrics: createMetrics(),
      servers: [{ id: 'eu1', tz: 'Europe/Ljubljana', reportSecret: SECRET }],
      host: '127.0.0.1',
      port: 0,
      maxFileBytes: 1 << 20,
    });
    const { port } = await receiver.start();
    try {
      const dir = newServerDir();
      writeConfig(
        dir,
        `return { server = "eu1", secret = "${SECRET}", urls = { "http://127.0.0.1:${port}/v1/reports" } }`,
      );
      const run = await runScenario('delivery-down', {
        dir,
        args: [String(Math.floor(Date.now() / 1000) - 100), '300'],
      });
      expect(run.exitCode, run.log).toBe(0);
      expect(run.log).toMatch(/delivered .*; removed from the spool/);
      const facts = (
        await ledger.db.query<{
          type: string;
          stream_id: string;
          data: { serverId: string; shape: string; map: string };
        }>('select type, stream_id, data from ledger.events order by position')
      ).rows;
      const rounds = facts.filter((f) => f.type === 'LuaRoundEnded');
      expect(rounds).toHaveLength(1);
      expect(rounds[0]!.data).toMatchObject({ serverId: 'eu1', shape: 'et-ledger.round/2' });
      expect(rounds[0]!.stream_id).toMatch(/^lua-eu1:/);
    } finally {
      await receiver.stop();
      await ledger.close();
    }
  }, 60_000);
});
