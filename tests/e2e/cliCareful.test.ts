// The command line as a careful user meets it (issue 18): one-line errors, a reader that leaves a
// pipe early, read commands that never create a store, usage errors in our words, every variable
// in --help, and an import that ends with what it still waits for (`ingest --close` decides it).
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { beforeAll, describe, expect, it } from 'vitest';
import { envVariables } from '../../src/config/common.ts';
import { discordEnvVariables } from '../../src/config/discord.ts';
import { kafkaEnvVariables } from '../../src/config/kafka.ts';
import { runEnvVariables } from '../../src/config/service.ts';
import { webEnvVariables } from '../../src/config/web.ts';
import { binPath, runCli } from '../support/cli.ts';
import { freshPgliteDir, freshPostgresUrl, postgresAvailable } from '../support/databases.ts';

const statsDir = fileURLToPath(new URL('../../samples/stats', import.meta.url));
const luaDir = fileURLToPath(new URL('../../samples/lua-legacy', import.meta.url));
const stackLine = /^\s+at .+[:(]/m;

type Spawned = { code: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string };

/**
 * Runs et-ledger with stdout a pipe that this side closes: at once (`afterLines` 0: every write
 * meets a closed pipe), or once that many lines have come (as `| head -n` does).
 */
function runWithClosingReader(args: string[], env: Record<string, string>, afterLines: number): Promise<Spawned> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [binPath, ...args], {
      env: { ...process.env, ET_LEDGER_STORE: undefined, ET_LEDGER_LOG_LEVEL: 'warn', ...env } as NodeJS.ProcessEnv,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stderr.on('data', (d) => {
      stderr += d;
    });
    if (afterLines === 0) child.stdout.destroy();
    else
      child.stdout.on('data', (d) => {
        stdout += d;
        if (stdout.split('\n').length > afterLines) child.stdout.destroy();
      });
    child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr }));
  });
}

describe('the CLI, as a careful user meets it', () => {
  let store = '';
  let first: { awaitingDeadline: number; ticks: unknown[] };

  beforeAll(async () => {
    store = `pglite:${freshPgliteDir()}`;
    const r = await runCli(['ingest', '--json', '--tz', 'Europe/Ljubljana', '--store', store, statsDir, luaDir]);
    expect(r.code, r.stderr).toBe(0);
    first = JSON.parse(r.stdout);
  }, 180_000);

  describe('a path that is not there', () => {
    it('ingest /nonexistent: one line naming the path, exit 2, no stack trace, no store made', async () => {
      const dir = join(mkdtempSync(join(tmpdir(), 'etl-cli-')), 'store');
      const r = await runCli(['ingest', '/nonexistent', '--store', `pglite:${dir}`]);
      expect(r.code).toBe(2);
      expect(r.stderr.split('\n')[0]).toBe(
        'et-ledger ingest: /nonexistent: no such file or folder; nothing was ingested [USAGE]',
      );
      expect(r.stderr).not.toMatch(stackLine);
      expect(r.stderr).not.toContain('ENOENT');
      expect(r.stdout).toBe('');
      expect(existsSync(dir)).toBe(false);
    });

    it('names every missing path, even beside ones that exist, and ingests none of them', async () => {
      const dir = join(mkdtempSync(join(tmpdir(), 'etl-cli-')), 'store');
      const r = await runCli(['ingest', statsDir, '/nonexistent/a', '/nonexistent/b', '--store', `pglite:${dir}`]);
      expect(r.code).toBe(2);
      expect(r.stderr).toContain('/nonexistent/a: no such file or folder; /nonexistent/b: no such file or folder');
      expect(existsSync(dir)).toBe(false);
    });
  });

  describe('a reader that stops reading (EPIPE)', () => {
    it('status into a pipe closed before the first line: exit 0, nothing on stderr', async () => {
      const r = await runWithClosingReader(['status', '--store', store], {}, 0);
      expect(r.stderr).toBe('');
      expect(r.code).toBe(0);
    });

    it('replay into a pipe closed after its first line: exit 0, nothing on stderr', async () => {
      const r = await runWithClosingReader(['replay', '--store', store], {}, 1);
      expect(r.stdout.split('\n')[0]).toMatch(/events replayed into/);
      expect(r.stderr).toBe('');
      expect(r.code).toBe(0);
    });

    it('--help into a closed pipe, and `status | head -2` in a shell with pipefail', async () => {
      const help = await runWithClosingReader(['--help'], {}, 0);
      expect([help.code, help.stderr]).toEqual([0, '']);
      const shell = await new Promise<Spawned>((resolve) => {
        const child = spawn(
          'bash',
          ['-c', `set -o pipefail; "${process.execPath}" "${binPath}" status --store "${store}" | head -2`],
          { env: { ...process.env, ET_LEDGER_STORE: undefined } as NodeJS.ProcessEnv },
        );
        let stdout = '';
        let stderr = '';
        child.stdout.on('data', (d) => {
          stdout += d;
        });
        child.stderr.on('data', (d) => {
          stderr += d;
        });
        child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr }));
      });
      expect(shell.stdout.trim().split('\n')).toHaveLength(2);
      expect([shell.code, shell.stderr]).toEqual([0, '']);
    }, 180_000);
  });

  describe('read commands never create a store', () => {
    it('status, replay and rebuild on a folder that does not exist: say so, exit 1, create nothing', async () => {
      const parent = mkdtempSync(join(tmpdir(), 'etl-cli-'));
      const dir = join(parent, 'dir', 'x');
      for (const args of [['status'], ['replay'], ['rebuild', 'rounds', '--dry-run'], ['rebuild', 'rounds']]) {
        const r = await runCli([...args, '--store', `pglite:${dir}`]);
        expect(r.code, `${args.join(' ')}: ${r.stderr}`).toBe(1);
        expect(r.stderr).toContain(`there is no et-ledger store in pglite:${dir}`);
        expect(r.stderr).toContain(`et-ledger ingest --store pglite:${dir}`);
        expect(r.stderr).toContain('[STORE_MISSING]');
        expect(r.stderr).not.toMatch(stackLine);
        expect(readdirSync(parent)).toEqual([]);
      }
      const nowhere = await runCli(['status', '--store', 'pglite:/nonexistent/dir/x']);
      expect(nowhere.code).toBe(1);
      expect(existsSync('/nonexistent')).toBe(false);
    }, 180_000);

    it('an empty folder, or a PGlite database without the log, is no store either', async () => {
      const empty = mkdtempSync(join(tmpdir(), 'etl-cli-'));
      const r = await runCli(['status', '--store', `pglite:${empty}`]);
      expect(r.code).toBe(1);
      expect(r.stderr).toContain('the folder holds no database');
      expect(readdirSync(empty)).toEqual([]);
      const bare = freshPgliteDir(); // an initialised database, but nothing of et-ledger in it
      const b = await runCli(['status', '--store', `pglite:${bare}`]);
      expect(b.code).toBe(1);
      expect(b.stderr).toContain('its database holds no log');
      expect(readdirSync(bare)).toEqual(['pgdata']);
    }, 180_000);

    it.skipIf(!postgresAvailable())(
      'a PostgreSQL database without the ledger schema: refused, and the schema is still not there',
      async () => {
        const url = await freshPostgresUrl('cli_nostore');
        for (const args of [['status'], ['replay'], ['rebuild', 'rounds', '--dry-run']]) {
          const r = await runCli([...args, '--store', `postgres:${url}`]);
          expect(r.code, r.stderr).toBe(1);
          expect(r.stderr).toContain('the database has no ledger schema');
        }
        const client = new pg.Client({ connectionString: url });
        await client.connect();
        try {
          const schemas = await client.query("select nspname from pg_namespace where nspname in ('ledger', 'read')");
          expect(schemas.rows).toEqual([]);
        } finally {
          await client.end();
        }
      },
      180_000,
    );

    it('once ingested into, the store is there: status reads it', async () => {
      const r = await runCli(['status', '--json', '--store', store]);
      expect(r.code, r.stderr).toBe(0);
      expect(JSON.parse(r.stdout).headPosition).toBeGreaterThan(0);
    });
  });

  describe('usage errors in our words', () => {
    it('--stor x: did you mean --store, exit 2, none of parseArgs text', async () => {
      const r = await runCli(['status', '--stor', 'x']);
      expect(r.code).toBe(2);
      expect(r.stderr.split('\n')[0]).toBe('et-ledger status: unknown option --stor; did you mean --store? [USAGE]');
      expect(r.stderr).toContain('Usage: et-ledger status');
      expect(r.stderr).not.toMatch(/positional argument|ERR_PARSE_ARGS|Unknown option '/);
    });

    it('a long option with one dash, an option of another command, a missing value, a value where none is taken', async () => {
      const oneDash = await runCli(['status', '-store', 'x']);
      expect(oneDash.stderr).toContain('unknown option -store; did you mean --store?');
      const other = await runCli(['status', '--tz', 'Europe/Ljubljana']);
      expect(other.code).toBe(2);
      expect(other.stderr).toMatch(/unknown option --tz: it is an option of ingest\b.*not of this command/);
      const missing = await runCli(['ingest', '--tz']);
      expect(missing.code).toBe(2);
      expect(missing.stderr).toContain('--tz needs a value');
      const swallowed = await runCli(['ingest', '--tz', '--json', 'x']);
      expect(swallowed.stderr).toContain('--tz needs a value, but "--json" follows it');
      const valued = await runCli(['status', '--json=yes']);
      expect(valued.code).toBe(2);
      expect(valued.stderr).toContain('--json takes no value');
    }, 180_000);

    it('a mistyped command: did you mean', async () => {
      const r = await runCli(['stauts']);
      expect(r.code).toBe(2);
      expect(r.stderr).toContain('unknown command "stauts". Did you mean status?');
    });

    it('replay --from after --to is refused with the reason, exit 2', async () => {
      const r = await runCli(['replay', '--from', '2026-08-20T00:00:00Z', '--to', '2026-08-19T00:00:00Z']);
      expect(r.code).toBe(2);
      expect(r.stderr).toContain(
        '--from (2026-08-20T00:00:00.000Z) is after --to (2026-08-19T00:00:00.000Z): the range holds no time',
      );
    });
  });

  it('--help lists every variable any part of et-ledger declares', async () => {
    const r = await runCli(['--help']);
    expect(r.code).toBe(0);
    const tables = { envVariables, runEnvVariables, discordEnvVariables, kafkaEnvVariables, webEnvVariables };
    const missing = Object.entries(tables).flatMap(([table, vars]) =>
      Object.keys(vars)
        .filter((name) => !new RegExp(`^\\s+${name}\\s`, 'm').test(r.stdout))
        .map((name) => `${table}.${name}`),
    );
    expect(missing).toEqual([]);
    expect(r.stdout).toMatch(/Exit status:[\s\S]*2\s+the command line or the configuration is wrong/);
  });

  describe('ingest ends with the rounds awaiting their deadline; --close decides them', () => {
    const verdictCount = async () => {
      const r = await runCli(['status', '--json', '--store', store]);
      expect(r.code, r.stderr).toBe(0);
      return (JSON.parse(r.stdout).facts as Record<string, number>).RoundTimingReconciled ?? 0;
    };

    it('without --close: the last rounds of the import wait, and ingest says how many', async () => {
      expect(first.awaitingDeadline).toBeGreaterThan(0);
      expect(first.ticks).toEqual([]);
      // The text says the same (a second ingest of the same files appends nothing, decides nothing).
      const again = await runCli(['ingest', '--tz', 'Europe/Ljubljana', '--store', store, statsDir, luaDir]);
      expect(again.code, again.stderr).toBe(0);
      expect(again.stdout).toMatch(
        new RegExp(
          first.awaitingDeadline === 1
            ? '^1 round awaiting its deadline: .*et-ledger ingest --close$'
            : `^${first.awaitingDeadline} rounds awaiting their deadline: .*et-ledger ingest --close$`,
          'm',
        ),
      );
    }, 180_000);

    it('with --close: a clock tick per server at the current time, nothing waits, more verdicts', async () => {
      const before = await verdictCount();
      const startedUnix = Math.floor(Date.now() / 1000);
      const r = await runCli([
        'ingest',
        '--json',
        '--close',
        '--tz',
        'Europe/Ljubljana',
        '--store',
        store,
        statsDir,
        luaDir,
      ]);
      expect(r.code, r.stderr).toBe(0);
      const s = JSON.parse(r.stdout) as { awaitingDeadline: number; ticks: { serverId: string; atUnix: number }[] };
      expect(s.awaitingDeadline).toBe(0);
      expect(s.ticks.map((t) => t.serverId)).toEqual(['default']);
      expect(s.ticks[0]!.atUnix).toBeGreaterThanOrEqual(startedUnix);
      expect(s.ticks[0]!.atUnix).toBeLessThanOrEqual(Math.floor(Date.now() / 1000));
      const after = await verdictCount();
      expect(after).toBeGreaterThan(before);
      const status = JSON.parse((await runCli(['status', '--json', '--store', store])).stdout);
      expect(status.facts.ClockTicked).toBe(1);
    }, 180_000);

    it('the tick is a fact: a rebuild of the correlator from the log decides exactly the same', async () => {
      const r = await runCli(['rebuild', 'correlator', '--dry-run', '--store', store]);
      expect(r.code, r.stderr).toBe(0);
      expect(r.stdout).toContain('verdicts that would change: 0');
    }, 120_000);

    it('--close in text: the tick in the server zone, named, and nothing awaiting', async () => {
      const r = await runCli(['ingest', '--close', '--tz', 'Europe/Ljubljana', '--store', store, statsDir]);
      expect(r.code, r.stderr).toBe(0);
      expect(r.stdout).toMatch(/^clock of server default ticked at \d{4}-\d\d-\d\d \d\d:\d\d Europe\/Ljubljana/m);
      expect(r.stdout).toContain('0 rounds awaiting their deadline: every round is decided');
    });
  });
});
