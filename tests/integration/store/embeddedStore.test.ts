// The default store as an operator meets it: `et-ledger run` on embedded:DIR starts PostgreSQL from
// the folder and owns it. SIGTERM and SIGINT stop both cleanly; a SIGKILL of et-ledger leaves no
// server behind (the kernel's parent-death signal asks it for a fast shutdown); a second owner is
// refused with STORE_LOCKED while the first runs; and what was committed before the kill is there
// after it, byte for byte.
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { isAlive } from '../../../src/store/folderLock.ts';
import { openLedger } from '../../../src/store/openStore.ts';
import { embeddedPostgresBinaries } from '../../../src/store/storeFolders.ts';
import { runCli } from '../../support/cli.ts';
import { generateStatsCorpus } from '../../support/statsFileGenerator.ts';
import { exitOf, type RunProcess, startRun } from '../sources/runProcess.ts';
import { waitFor } from '../sources/support.ts';

const root = mkdtempSync(join(tmpdir(), 'etl-embedded-store-'));
chmodSync(root, 0o755); // as root, the server runs as the user postgres, who must enter it
afterAll(() => rmSync(root, { recursive: true, force: true }));

let folders = 0;
function folderWithFiles(count: number): { store: string; watched: string } {
  const base = join(root, `case-${++folders}`);
  const watched = join(base, 'watched');
  mkdirSync(watched, { recursive: true });
  for (const f of generateStatsCorpus(count, 20261206 + folders)) writeFileSync(join(watched, f.fileName), f.bytes);
  return { store: join(base, 'store'), watched };
}

function startService(store: string, watched: string): RunProcess {
  return startRun(
    {
      ET_LEDGER_SERVER_ID: 'eu1',
      ET_LEDGER_TZ: 'Europe/Ljubljana',
      ET_LEDGER_WATCH_DIR: watched,
      ET_LEDGER_HTTP_HOST: '127.0.0.1',
      ET_LEDGER_HTTP_PORT: '0',
    },
    ['--store', `embedded:${store}`],
  );
}

/** The running server's pid and a URL to it, from the folder (postmaster.pid, et-ledger.secret). */
function serverOf(store: string): { pid: number; url: string } {
  const lines = readFileSync(join(store, 'postgres', 'postmaster.pid'), 'utf8').split('\n');
  const password = readFileSync(join(store, 'et-ledger.secret'), 'utf8').trim();
  return {
    pid: Number(lines[0]),
    url: `postgres://postgres:${encodeURIComponent(password)}@127.0.0.1:${lines[3]}/et_ledger`,
  };
}

/** The log as committed: position, id and the raw bytes' digest of every event. */
const logSql =
  "select position || ' ' || event_id || ' ' || coalesce(md5(raw), '-') as row from ledger.events order by position";

async function committedLog(url: string): Promise<string[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query<{ row: string }>(logSql)).rows.map((x) => x.row);
  } finally {
    await client.end();
  }
}

describe.skipIf(embeddedPostgresBinaries() === null)('the embedded store under et-ledger run', () => {
  for (const signal of ['SIGTERM', 'SIGINT'] as const)
    it(`${signal} stops the service and its server: exit 0, no server left, the folder free for the next owner`, async () => {
      const { store, watched } = folderWithFiles(3);
      const run = startService(store, watched);
      try {
        await run.line('HTTP receiver listening');
        const server = serverOf(store);
        expect(isAlive(server.pid)).toBe(true);
        run.child.kill(signal);
        expect(await exitOf(run.child), run.stderr()).toBe(0);
        expect(isAlive(server.pid)).toBe(false);
        expect(existsSync(join(store, 'postgres', 'postmaster.pid'))).toBe(false); // a clean shutdown
        expect(existsSync(join(store, 'et-ledger.lock'))).toBe(false);
        const status = await runCli(['status', '--store', `embedded:${store}`]);
        expect(status.code, status.stderr).toBe(0);
        expect(status.stdout).toContain('embedded:');
      } finally {
        run.kill();
      }
    });

  it('a second owner is refused with STORE_LOCKED while run holds the folder, and nothing of the first is touched', async () => {
    const { store, watched } = folderWithFiles(2);
    const run = startService(store, watched);
    try {
      await run.line('HTTP receiver listening');
      const server = serverOf(store);
      const second = await runCli(['status', '--store', `embedded:${store}`]);
      expect(second.code).not.toBe(0);
      expect(second.stderr).toMatch(/in use by process \d+.*\[STORE_LOCKED\]/);
      expect(second.stderr).not.toMatch(/\n\s+at /); // no stack trace
      expect(isAlive(server.pid)).toBe(true);
      expect(serverOf(store).pid).toBe(server.pid);
    } finally {
      expect(await run.stop()).toBe(0);
    }
  });

  it('SIGKILL of et-ledger mid-ingest: the server stops by itself, and every event committed before the kill is there after it', async () => {
    const { store, watched } = folderWithFiles(60);
    const run = startService(store, watched);
    let before: string[] = [];
    let pid = 0;
    try {
      await run.line('HTTP receiver listening');
      const server = serverOf(store);
      pid = server.pid;
      before = await waitFor('a first committed fact', async () => {
        const log = await committedLog(server.url);
        return log.length > 0 ? log : undefined;
      });
    } finally {
      run.kill();
    }
    await exitOf(run.child);
    await waitFor('the orphaned server to stop', () => !isAlive(pid), 30_000);
    const after = await openLedger({ kind: 'embedded', dir: store });
    try {
      const r = await after.db.query<{ row: string }>(logSql);
      expect(r.rows.map((x) => x.row).slice(0, before.length)).toEqual(before);
    } finally {
      await after.close();
    }
    // The service takes the folder up again and ingests the rest: no file lost, none twice.
    const again = startService(store, watched);
    try {
      const server = await waitFor('the server again', () => {
        if (again.child.exitCode !== null) throw new Error(again.stderr());
        return again.lines.some((l) => l.msg === 'HTTP receiver listening') ? serverOf(store) : undefined;
      });
      const client = new pg.Client({ connectionString: server.url });
      await client.connect();
      try {
        // A fifth of the generated files are hostile (quarantined as unrecognised): every file is one fact.
        const files = async () =>
          (
            await client.query<{ n: number; distinct: number }>(
              `select count(*)::int as n, count(distinct data->>'fileName')::int as distinct from ledger.events
               where type in ('StatsFileArrived', 'UnrecognizedFactArrived')`,
            )
          ).rows[0]!;
        await waitFor('all 60 files', async () => (await files()).distinct >= 60, 120_000);
        expect(await files()).toEqual({ n: 60, distinct: 60 });
      } finally {
        await client.end();
      }
    } finally {
      const code = await again.stop();
      again.kill();
      expect(code).toBe(0);
    }
  }, 240_000);
});
