import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
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

  describe('a database URL whose password breaks it never shows the password', () => {
    // The password is `s3cr@t/h1dd3n`: its unencoded @ and / end the user:password part early.
    const secretParts = ['s3cr', 'h1dd3n'];
    const leaksNothing = (r: { stdout: string; stderr: string }) => {
      for (const part of secretParts) {
        expect(r.stdout).not.toContain(part);
        expect(r.stderr).not.toContain(part);
      }
    };
    const GOOD_URL = 'postgres://postgres@127.0.0.1:5432/etl';

    it.each([
      ['an @ and a /', 'postgres://etl:s3cr@t/h1dd3n@db.example.org:5432/etl'],
      ['a / alone', 'postgres://etl:s3cr/h1dd3n@db.example.org:5432/etl'],
      ['two @', 'postgres://etl:s3cr@h1dd3n@db.example.org:5432/etl'],
    ])('DATABASE_URL with %s: names the variable, masks up to the last @, says to percent-encode', async (_, url) => {
      const r = await runCli(['status', '--store', 'postgres:'], { DATABASE_URL: url });
      expect(r.code).toBe(2);
      expect(r.stderr).toContain('DATABASE_URL = "postgres://***@db.example.org:5432/etl"');
      expect(r.stderr).toMatch(/password must be percent-encoded.*p%40ss/);
      expect(r.stderr).toContain('[CONFIG_INVALID]');
      leaksNothing(r);
    });

    it('a postgres: store with such a URL names ET_LEDGER_STORE (or --store)', async () => {
      const url = 'postgres://etl:s3cr@t/h1dd3n@db.example.org/etl';
      for (const [args, env] of [
        [['status', '--store', `postgres:${url}`], {}],
        [['status'], { ET_LEDGER_STORE: `postgres:${url}` }],
      ] as const) {
        const r = await runCli([...args], { ...env, DATABASE_URL: undefined });
        expect(r.code).toBe(2);
        expect(r.stderr).toContain('ET_LEDGER_STORE (or --store) = "postgres:postgres://***@db.example.org/etl"');
        expect(r.stderr).toMatch(/password must be percent-encoded.*p%40ss/);
        leaksNothing(r);
      }
    });

    it('an eventstoredb: store with such a URL names ET_LEDGER_STORE (or --store)', async () => {
      const r = await runCli(['status', '--store', 'eventstoredb:esdb://admin:s3cr@t/h1dd3n@kurrent:2113?tls=false'], {
        DATABASE_URL: GOOD_URL,
      });
      expect(r.code).toBe(2);
      expect(r.stderr).toContain('ET_LEDGER_STORE (or --store) = "eventstoredb:esdb://***@kurrent:2113?tls=false"');
      expect(r.stderr).toMatch(/password must be percent-encoded.*p%40ss/);
      leaksNothing(r);
      const noReadModels = await runCli(['status', '--store', 'eventstoredb:esdb://admin:s3cr3t-h1dd3n@kurrent:2113'], {
        DATABASE_URL: undefined,
      });
      expect(noReadModels.code).toBe(2);
      expect(noReadModels.stderr).toContain('eventstoredb:esdb://admin:***@kurrent:2113');
      leaksNothing(noReadModels);
    });

    it('a URL that parses but is refused for another reason shows it with the password masked', async () => {
      const wrongScheme = await runCli(['status'], { DATABASE_URL: 'mysql://etl:s3cr3t-h1dd3n@db/etl' });
      expect(wrongScheme.code).toBe(2);
      expect(wrongScheme.stderr).toContain('DATABASE_URL = "mysql://etl:***@db/etl": must be a postgres:// URL');
      leaksNothing(wrongScheme);
      const noPrefix = await runCli(['status'], { ET_LEDGER_STORE: 'postgresql://etl:s3cr3t-h1dd3n@db/etl' });
      expect(noPrefix.code).toBe(2);
      expect(noPrefix.stderr).toContain('ET_LEDGER_STORE (or --store) = "postgresql://etl:***@db/etl"');
      leaksNothing(noPrefix);
      const notUrl = await runCli(['status', '--store', 'postgres:etl:s3cr3t-h1dd3n@db/etl'], {});
      expect(notUrl.code).toBe(2);
      expect(notUrl.stderr).toContain('the part after postgres: must be a postgres:// URL');
      expect(notUrl.stderr).toContain('p%40ss');
      leaksNothing(notUrl);
    });
  });

  it('run --help lists ET_LEDGER_METRICS_TOKEN and the loopback default; a bad token is CONFIG_INVALID naming it', async () => {
    const help = await runCli(['run', '--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toContain('ET_LEDGER_METRICS_TOKEN');
    expect(help.stdout).toMatch(/ET_LEDGER_HTTP_HOST.*default 127\.0\.0\.1/);
    const r = await runCli(['run'], {
      ET_LEDGER_STORE: `pglite:${freshPgliteDir()}`,
      ET_LEDGER_METRICS_TOKEN: 'shorty-tok',
    });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('ET_LEDGER_METRICS_TOKEN = (hidden): must be at least 16 characters');
    expect(r.stderr).toContain('[CONFIG_INVALID]');
    expect(r.stderr).not.toContain('shorty-tok');
  });

  it('status on an embedded store made by ingesting nothing shows head position 0', async () => {
    const dir = freshPgliteDir();
    const empty = mkdtempSync(join(tmpdir(), 'etl-empty-'));
    // Before: a database, but no store in it; status says so and makes none.
    const none = await runCli(['status', '--json'], { ET_LEDGER_STORE: `pglite:${dir}` });
    expect(none.code).toBe(1);
    expect(none.stderr).toContain('[STORE_MISSING]');
    const made = await runCli(['ingest', empty], { ET_LEDGER_STORE: `pglite:${dir}` });
    expect(made.code, made.stderr).toBe(0);
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
      // A store to read (status never makes one): ingesting nothing into the database makes it.
      const made = await runCli(['ingest', mkdtempSync(join(tmpdir(), 'etl-empty-')), '--store', `postgres:${url}`]);
      expect(made.code, made.stderr).toBe(0);
      const viaFlag = await runCli(['status', '--json', '--store', 'postgres:'], {
        ET_LEDGER_STORE: 'pglite:/nonexistent/never',
        DATABASE_URL: url,
      });
      expect(viaFlag.code, viaFlag.stderr).toBe(0);
      expect(JSON.parse(viaFlag.stdout).store).toMatch(/^postgres:postgres:\/\//);
      const dir = freshPgliteDir();
      const stays = await runCli(['status', '--json'], { ET_LEDGER_STORE: `pglite:${dir}`, DATABASE_URL: url });
      // That folder holds no store: the message names the one it looked at, the PGlite folder.
      expect(stays.code).toBe(1);
      expect(stays.stderr).toContain(`there is no et-ledger store in pglite:${dir}`);
    },
  );
});
