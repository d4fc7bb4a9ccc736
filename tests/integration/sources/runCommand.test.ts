// `et-ledger run` end to end: the real executable, configured by the environment only, on a fresh
// PostgreSQL store; a signed report over HTTP and a file in a watched folder become facts; SIGTERM
// stops it with exit code 0.
import type { ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, readFileSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { signReport } from '../../../src/sources/reportSignature.ts';
import { freshPostgresUrl, postgresAvailable } from '../../support/databases.ts';
import { startDiscordFake } from '../../support/discordFake.ts';
import { startRun } from './runProcess.ts';
import { ownRoundReport, statsFile, waitFor } from './support.ts';

const SECRET = 'e2e-secret-0123456789abcdef';

/** The receiver's 'listening' log line, once the service is up (it fails if the service exited). */
const listening = (run: ReturnType<typeof startRun>) =>
  waitFor(
    'the receiver to listen',
    () => {
      if (run.child.exitCode !== null) throw new Error(`et-ledger run exited early:\n${run.stderr()}`);
      return run.lines.find((l) => l.msg === 'HTTP receiver listening');
    },
    60_000,
  );

async function exitOf(child: ChildProcess): Promise<number | null> {
  if (child.exitCode !== null) return child.exitCode;
  const [code] = (await once(child, 'exit')) as [number | null];
  return code;
}

describe.skipIf(!postgresAvailable())('et-ledger run', () => {
  it('appends a signed report posted over HTTP and a watched file, ticks, and exits 0 on SIGTERM', async () => {
    const url = await freshPostgresUrl('run_e2e');
    const watched = mkdtempSync(join(tmpdir(), 'etl-run-watch-'));
    writeFileSync(join(watched, '2026-08-19-214136-supply-round-1.txt'), statsFile('e2e'));
    const run = startRun(
      {
        ET_LEDGER_SERVER_ID: 'eu1',
        ET_LEDGER_TZ: 'Europe/Ljubljana',
        ET_LEDGER_REPORT_SECRET: SECRET,
        ET_LEDGER_WATCH_DIR: watched,
        ET_LEDGER_HTTP_HOST: '127.0.0.1',
        ET_LEDGER_HTTP_PORT: '0',
      },
      ['--store', `postgres:${url}`],
    );
    const db = new pg.Client({ connectionString: url });
    try {
      const port = Number((await listening(run)).port);
      const body = ownRoundReport('eu1', 1787168493);
      const reply = await fetch(`http://127.0.0.1:${port}/v1/reports`, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'x-et-ledger-signature': signReport(SECRET, body, Math.floor(Date.now() / 1000)),
        },
        body,
      });
      expect(reply.status, run.stderr()).toBe(200);

      await db.connect();
      const types = async () =>
        (await db.query<{ type: string }>('select type from ledger.events order by position')).rows.map((r) => r.type);
      await waitFor('the facts', async () => {
        const t = await types();
        return t.includes('LuaRoundEnded') && t.includes('StatsFileArrived') && t.includes('ClockTicked');
      });
      const report = await db.query<{ data: { serverId: string }; raw: Buffer }>(
        "select data, raw from ledger.events where type = 'LuaRoundEnded'",
      );
      expect(report.rows[0]!.data.serverId).toBe('eu1');
      expect(report.rows[0]!.raw.equals(body)).toBe(true);

      expect((await fetch(`http://127.0.0.1:${port}/healthz`)).status).toBe(200);
      const metrics = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
      expect(metrics).toMatch(
        /et_ledger_facts_appended_total\{source="http",server="eu1",type="LuaRoundEnded",outcome="appended"\} 1/,
      );
      expect(metrics).toMatch(
        /et_ledger_facts_appended_total\{source="dir",server="eu1",type="StatsFileArrived",outcome="appended"\} 1/,
      );

      run.child.kill('SIGTERM');
      const code = await Promise.race([exitOf(run.child), new Promise((r) => setTimeout(() => r('hung'), 20_000))]);
      expect(code, run.stderr()).toBe(0);
      expect(run.lines.map((l) => l.msg)).toEqual(expect.arrayContaining(['stopping', 'stopped']));
    } finally {
      if (run.child.exitCode === null) run.child.kill('SIGKILL');
      await db.end().catch(() => {});
      rmSync(watched, { recursive: true, force: true });
    }
  });

  it('a 60 MB and a 300 MB file in a watched folder become small too_large facts; memory stays flat and later files land', async () => {
    const url = await freshPostgresUrl('run_large');
    const watched = mkdtempSync(join(tmpdir(), 'etl-run-large-'));
    // Sparse files: the sizes are real to every reader, the disk is spared.
    for (const [name, mb] of [
      ['2026-08-19-210000-supply-round-1.txt', 60],
      ['huge.txt', 300],
    ] as const) {
      writeFileSync(join(watched, name), '');
      truncateSync(join(watched, name), mb * 1024 * 1024);
    }
    const run = startRun(
      {
        ET_LEDGER_SERVER_ID: 'eu1',
        ET_LEDGER_TZ: 'Europe/Ljubljana',
        ET_LEDGER_WATCH_DIR: watched,
        ET_LEDGER_HTTP_HOST: '127.0.0.1',
        ET_LEDGER_HTTP_PORT: '0',
      },
      ['--store', `postgres:${url}`],
    );
    const db = new pg.Client({ connectionString: url });
    try {
      await listening(run);
      await db.connect();
      const quarantined = async () =>
        (
          await db
            .query<{ file_name: string; reason_code: string }>(
              "select file_name, reason_code from read.quarantine where reason_code = 'too_large' order by file_name",
            )
            .catch(() => ({ rows: [] }))
        ).rows;
      await waitFor('both files quarantined', async () => (await quarantined()).length === 2, 60_000);
      // The service goes on: a valid file written after them lands as a round.
      writeFileSync(join(watched, '2026-08-19-214136-supply-round-1.txt'), statsFile('after'));
      await waitFor(
        'the valid round',
        async () => (await db.query('select 1 from read.rounds').catch(() => ({ rowCount: 0 }))).rowCount === 1,
        60_000,
      );
      const sizes = await db.query<{ size: number; raw: number }>(
        "select (data->>'sizeBytes')::bigint as size, octet_length(raw) as raw from ledger.events where type = 'UnrecognizedFactArrived' order by 1",
      );
      expect(sizes.rows.map((r) => [Number(r.size), Number(r.raw)])).toEqual([
        [60 * 1024 * 1024, 0],
        [300 * 1024 * 1024, 0],
      ]);
      // Peak resident memory of the service: the files were never held (a 50 MB file used to add ≈ 600 MB).
      const hwmKb = Number(/VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${run.child.pid}/status`, 'utf8'))![1]);
      expect(hwmKb).toBeLessThan(400 * 1024);
      run.child.kill('SIGTERM');
      expect(await exitOf(run.child)).toBe(0);
    } finally {
      if (run.child.exitCode === null) run.child.kill('SIGKILL');
      await db.end().catch(() => {});
      rmSync(watched, { recursive: true, force: true });
    }
  }, 120_000);

  it('relays STATS_READY from a whitelisted webhook with only DISCORD_TOKEN and a relay channel set', async () => {
    const url = await freshPostgresUrl('run_relay');
    const fake = await startDiscordFake();
    const channel = '1012345678901234571';
    fake.addChannel(channel);
    const hook = fake.addWebhook(channel, 'ET:Legacy Stats');
    const run = startRun(
      {
        ET_LEDGER_SERVER_ID: 'eu2',
        ET_LEDGER_TZ: 'Europe/Berlin',
        ET_LEDGER_HTTP_HOST: '127.0.0.1',
        ET_LEDGER_HTTP_PORT: '0',
        DISCORD_TOKEN: fake.token,
        ET_LEDGER_DISCORD_API: fake.api,
        ET_LEDGER_RELAY_CHANNEL: channel,
        ET_LEDGER_RELAY_WEBHOOKS: hook.id,
        ET_LEDGER_RELAY_DELETE: 'true',
      },
      ['--store', `postgres:${url}`],
    );
    const db = new pg.Client({ connectionString: url });
    try {
      await waitFor(
        'the service to run',
        () => {
          if (run.child.exitCode !== null) throw new Error(`et-ledger run exited early:\n${run.stderr()}`);
          return run.lines.find((l) => l.msg === 'et-ledger is running');
        },
        60_000,
      );
      await fake.gatewayReady();
      const body = readFileSync(
        new URL('../../fixtures/lua/legacy/01-supply-R1-objective-two-pauses.json', import.meta.url),
      );
      const res = await fetch(hook.url, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
      expect(res.status).toBe(204);
      await db.connect();
      const report = await waitFor('the relayed report', async () => {
        const r = await db.query<{ data: { serverId: string; source: { kind: string } } }>(
          "select data from ledger.events where type = 'LuaRoundEnded'",
        );
        return r.rows[0];
      });
      expect(report.data.serverId).toBe('eu2');
      expect(report.data.source.kind).toBe('discord');
      await waitFor('the trigger deleted', () => fake.messages(channel).length === 0);
      // Relay only: the sink is off, so nothing was posted.
      expect(fake.requests.filter((r) => r.method === 'POST' && r.path.includes('/channels/'))).toHaveLength(0);
      run.child.kill('SIGTERM');
      expect(await exitOf(run.child)).toBe(0);
    } finally {
      if (run.child.exitCode === null) run.child.kill('SIGKILL');
      await db.end().catch(() => {});
      await fake.close();
    }
  });

  it('refuses a bad configuration before it starts, naming the variable (exit 2)', async () => {
    const run = startRun({ ET_LEDGER_HTTP_PORT: 'eighty' }, ['--store', 'pglite:/nonexistent/never']);
    expect(await exitOf(run.child)).toBe(2);
    expect(run.stderr()).toContain('ET_LEDGER_HTTP_PORT = "eighty"');
  });
});
