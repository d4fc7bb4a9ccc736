import { describe, expect, it } from 'vitest';
import { runCli } from '../support/cli.ts';
import { freshPgliteDir, freshPostgresUrl, postgresAvailable } from '../support/databases.ts';
import { startEsdbDouble } from '../support/esdbDouble.ts';

describe('et-ledger command line', () => {
  it('--help teaches: commands, store selection, every environment variable', async () => {
    const r = await runCli(['--help']);
    expect(r.code).toBe(0);
    for (const word of ['status', '--store', 'pglite:', 'ET_LEDGER_STORE', 'DATABASE_URL', 'ET_LEDGER_TZ'])
      expect(r.stdout).toContain(word);
  });

  it('--version prints the package version', async () => {
    const r = await runCli(['--version']);
    expect(r.stdout.trim()).toMatch(/^\d+\.\d+\.\d+$/);
  });

  it('an unknown command exits 2 and lists the commands', async () => {
    const r = await runCli(['frobnicate']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/unknown command "frobnicate".*status/);
  });

  it('a bad variable names the variable, the problem and a good example', async () => {
    const r = await runCli(['status'], { ET_LEDGER_TZ: 'Mars/Olympus' });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('ET_LEDGER_TZ');
    expect(r.stderr).toContain('"Mars/Olympus"');
    expect(r.stderr).toContain('example: ET_LEDGER_TZ=Europe/Ljubljana');
  });

  it('a bad store names ET_LEDGER_STORE and the accepted forms', async () => {
    const r = await runCli(['status'], { ET_LEDGER_STORE: 'mysql://x' });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/ET_LEDGER_STORE.*pglite:, postgres: or eventstoredb:/s);
  });

  it('a bare postgres: store without DATABASE_URL says which variable to set', async () => {
    const r = await runCli(['status', '--store', 'postgres:'], { DATABASE_URL: undefined });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/DATABASE_URL is not set/);
  });

  it('status on a fresh embedded store shows head position 0', async () => {
    const dir = freshPgliteDir();
    const r = await runCli(['status', '--json'], { ET_LEDGER_STORE: `pglite:${dir}` });
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ store: `pglite:${dir}`, headPosition: 0 });
  });

  it.skipIf(!postgresAvailable())(
    'status works on an eventstoredb: log (a protocol double) with read models in PostgreSQL',
    async () => {
      const double = await startEsdbDouble();
      try {
        const r = await runCli(['status', '--json', '--store', `eventstoredb:${double.url}`], {
          DATABASE_URL: await freshPostgresUrl('cli_esdb'),
        });
        expect(r.code, r.stderr).toBe(0);
        expect(JSON.parse(r.stdout)).toMatchObject({ headPosition: 0, facts: null, projections: [] });
      } finally {
        await double.close();
      }
    },
  );

  it.skipIf(!postgresAvailable())(
    '--store wins over ET_LEDGER_STORE, and DATABASE_URL alone never switches the store',
    async () => {
      const url = await freshPostgresUrl('cli');
      const viaFlag = await runCli(['status', '--json', '--store', 'postgres:'], {
        ET_LEDGER_STORE: 'pglite:/nonexistent/never',
        DATABASE_URL: url,
      });
      expect(viaFlag.code, viaFlag.stderr).toBe(0);
      expect(JSON.parse(viaFlag.stdout).store).toMatch(/^postgres:postgres:\/\//);
      const dir = freshPgliteDir();
      const stays = await runCli(['status', '--json'], { ET_LEDGER_STORE: `pglite:${dir}`, DATABASE_URL: url });
      expect(JSON.parse(stays.stdout).store).toBe(`pglite:${dir}`);
    },
  );
});
