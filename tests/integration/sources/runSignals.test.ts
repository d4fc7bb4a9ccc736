// The signals an operator alerts on, from a running `et-ledger run` (the real executable): the
// start-up line that says which sinks and sources are on or off and why, one `round decided` line
// per verdict, and GET /metrics with the process and Node metrics, verdicts by status, dead
// letters, projection lag, the age of each server's last fact (a silent server's grows) and the
// Discord send failures.
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { signReport } from '../../../src/sources/reportSignature.ts';
import { freshPgliteDir } from '../../support/databases.ts';
import { startDiscordFake } from '../../support/discordFake.ts';
import { type LogLine, startRun } from './runProcess.ts';
import { ownRoundReport, sleep, waitFor } from './support.ts';

const SECRET = 'signals-secret-0123456789abcdef';
const LEGACY = 'signalsLegacyToken0123';
const sample = (path: string) => fileURLToPath(new URL(`../../../samples/${path}`, import.meta.url));
const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

/** The value of one sample of the Prometheus text, or undefined. */
function sampleValue(text: string, name: string, labels: Record<string, string> = {}): number | undefined {
  const want = Object.entries(labels).map(([k, v]) => `${k}="${v}"`);
  for (const line of text.split('\n')) {
    if (!line.startsWith(name)) continue;
    const m = /^([a-zA-Z_:][\w:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!m || m[1] !== name) continue;
    const have = (m[2] ?? '').split(',').filter((x) => x !== '');
    if (want.every((w) => have.includes(w))) return Number(m[3]);
  }
  return undefined;
}

/** The sum of every sample of `name` that has these labels. */
function samplesSum(text: string, name: string, labels: Record<string, string>): number {
  const want = Object.entries(labels).map(([k, v]) => `${k}="${v}"`);
  let sum = 0;
  for (const line of text.split('\n')) {
    const m = /^([a-zA-Z_:][\w:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!m || m[1] !== name) continue;
    const have = (m[2] ?? '').split(',');
    if (want.every((w) => have.includes(w))) sum += Number(m[3]);
  }
  return sum;
}

describe('et-ledger run: signals to alert on', () => {
  it('logs what is on and off, one line per round decided, and serves the metrics', async () => {
    const root = mkdtempSync(join(tmpdir(), 'etl-signals-'));
    dirs.push(root);
    const watched = join(root, 'gamestats');
    mkdirSync(watched);
    const fake = await startDiscordFake();
    const rounds = '1012345678901234568';
    fake.addChannel(rounds);
    // The first post of a round summary fails (Discord answers 500): counted, retried, then posted.
    fake.failNext({ method: 'POST', path: new RegExp(`/channels/${rounds}/messages`) }, { status: 500 }, 1);
    const config = join(root, 'run.json');
    writeFileSync(
      config,
      JSON.stringify({
        http: { port: 0 },
        tickSec: 1,
        watch: { stableMs: 300, scanMs: 300 },
        servers: [
          { id: 'eu1', tz: 'Europe/Ljubljana', reportSecret: SECRET, legacyToken: LEGACY, watchDirs: [watched] },
          { id: 'eu2', tz: 'Europe/Berlin', reportSecret: SECRET },
        ],
      }),
    );
    const run = startRun(
      {
        DISCORD_TOKEN: fake.token,
        ET_LEDGER_DISCORD_API: fake.api,
        ET_LEDGER_CHANNEL_ROUNDS: rounds,
        ET_LEDGER_POST_MAX_AGE: '0',
      },
      ['--config', config, '--store', `pglite:${freshPgliteDir()}`],
    );
    try {
      const port = Number((await run.line('HTTP receiver listening')).port);
      const scrape = async () => (await fetch(`http://127.0.0.1:${port}/metrics`)).text();

      // One start-up line: every sink and source, on or off, and why.
      const summary = (await run.line('sources and sinks')) as LogLine & {
        sinks: Record<string, string>;
        sources: Record<string, string>;
        servers: Record<string, Record<string, unknown>>;
      };
      expect(summary.level).toBe(30);
      expect(summary.sinks.discord).toBe(`on: rounds to channel ${rounds}`);
      expect(summary.sinks.kafka).toBe('off: no KAFKA_BROKERS');
      expect(summary.sinks.web).toBe('off: no ET_LEDGER_WEB_PORT');
      expect(summary.sources.http).toMatch(
        /^on: http:\/\/127\.0\.0\.1:\d+ \(plain HTTP: no http\.tls\), \/metrics open$/,
      );
      expect(summary.sources.kafka).toBe('off: no KAFKA_BROKERS');
      expect(summary.servers.eu1).toEqual({
        reports: 'on: POST /v1/reports takes its signed Lua reports',
        legacy: 'on: POST /v1/legacy/<token> takes its STATS_READY bodies',
        folders: { [watched]: 'on' },
        sftp: 'off: no servers[0].sftp',
        discordRelay: 'off: no servers[0].discordRelay',
      });
      expect(summary.servers.eu2).toMatchObject({
        legacy: 'off: no servers[1].legacyToken (or legacyTokenEnv)',
        folders: 'off: no servers[1].watchDirs',
      });
      expect(JSON.stringify(summary)).not.toContain(SECRET);
      expect(JSON.stringify(summary)).not.toContain(LEGACY);

      // eu2 is silent: its age grows from the start.
      const before = await scrape();
      const eu2Before = sampleValue(before, 'et_ledger_last_fact_age_seconds', { server: 'eu2' });
      expect(eu2Before).toBeGreaterThanOrEqual(0);

      // Once the correlator and the verdicts read model serve (verdicts of a build that is not active
      // yet are not logged: a rebuild re-decides history quietly).
      await run.line('active', (l) => l.projection === 'correlator');
      await run.line('active', (l) => l.projection === 'verdicts');
      // A round of eu1: the legacy Lua report over HTTP and its stats file in the watched folder.
      const legacy = await fetch(`http://127.0.0.1:${port}/v1/legacy/${LEGACY}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: readFileSync(sample('lua-legacy/01-supply-R1-objective-two-pauses.json')),
      });
      expect(legacy.status, run.stderr()).toBe(204);
      copyFileSync(
        sample('stats/2026-08-19-214136-supply-round-1.txt'),
        join(watched, '2026-08-19-214136-supply-round-1.txt'),
      );
      // Lua report and stats file paired: the standing verdict. (A tick between the two facts may
      // decide the report alone first, then the pair supersedes it: each verdict is one line.)
      const decided = await run.line(
        'round decided',
        (l) => l.server === 'eu1' && l.statsFile === '2026-08-19-214136-supply-round-1.txt' && l.luaReport !== null,
      );
      expect(decided).toMatchObject({ level: 30, server: 'eu1', map: 'supply', round: 1 });
      const status = String(decided.status);
      expect(['ALIGNED', 'MINOR_DIFF', 'DISCREPANCY']).toContain(status);
      const lines = run.lines.filter((l) => l.msg === 'round decided');
      expect(lines.at(-1)).toBe(decided);
      // The round summary gets posted after the failed first try.
      await waitFor('the round post', () => fake.messages(rounds).length === 1, 30_000);
      await sleep(1500); // eu2 stays silent a while longer
      const text = await waitFor('the verdict in the read model', async () => {
        const t = await scrape();
        return sampleValue(t, 'et_ledger_verdicts', { server: 'eu1', status }) === 1 ? t : undefined;
      });
      // Process and Node metrics (collectDefaultMetrics).
      expect(sampleValue(text, 'process_cpu_seconds_total')).toBeGreaterThan(0);
      expect(sampleValue(text, 'process_resident_memory_bytes')).toBeGreaterThan(0);
      expect(sampleValue(text, 'nodejs_heap_size_used_bytes')).toBeGreaterThan(0);
      expect(text).toContain('nodejs_eventloop_lag_seconds');
      // Verdicts by status: standing (read.verdicts) and decided while running.
      expect(sampleValue(text, 'et_ledger_verdicts', { server: 'eu2' })).toBeUndefined();
      expect(sampleValue(text, 'et_ledger_verdicts_decided_total', { server: 'eu1', status })).toBeGreaterThanOrEqual(
        1,
      );
      expect(samplesSum(text, 'et_ledger_verdicts_decided_total', { server: 'eu1' }), 'one line per verdict').toBe(
        lines.length,
      );
      // Dead letters and projection lag, per projection.
      expect(sampleValue(text, 'et_ledger_dead_letters', { projection: 'verdicts' })).toBe(0);
      expect(sampleValue(text, 'et_ledger_projection_lag_events', { projection: 'correlator' })).toBeGreaterThanOrEqual(
        0,
      );
      // The age of each server's last fact: eu1 just sent, eu2 never did and its age grew (ticks do not count).
      expect(sampleValue(text, 'et_ledger_last_fact_age_seconds', { server: 'eu1' })).toBeLessThan(60);
      const eu2After = sampleValue(text, 'et_ledger_last_fact_age_seconds', { server: 'eu2' })!;
      expect(eu2After).toBeGreaterThan(eu2Before!);
      expect(sampleValue(text, 'et_ledger_facts_appended_total', { source: 'tick', server: 'eu2' })).toBeGreaterThan(0);
      // Discord send failures.
      expect(sampleValue(text, 'et_ledger_discord_errors_total', { channel: rounds, reason: 'server_error' })).toBe(1);

      // eu2 speaks: its age drops back.
      const report = ownRoundReport('eu2', 1787168493);
      const posted = await fetch(`http://127.0.0.1:${port}/v1/reports`, {
        method: 'POST',
        headers: { 'x-et-ledger-signature': signReport(SECRET, report, Math.floor(Date.now() / 1000)) },
        body: report,
      });
      expect(posted.status).toBe(200);
      await waitFor('eu2 no longer silent', async () => {
        const age = sampleValue(await scrape(), 'et_ledger_last_fact_age_seconds', { server: 'eu2' });
        return age !== undefined && age < eu2After ? true : undefined;
      });

      expect(await run.stop(), run.stderr()).toBe(0);
    } finally {
      run.kill();
      await fake.close();
    }
  }, 120_000);
});
