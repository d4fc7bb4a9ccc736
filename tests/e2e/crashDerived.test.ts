// Invariants 2, 3 and 8 together, on the change path: the sample evening split into several
// ingests, each `et-ledger ingest` SIGKILLed at a random instant (appending, correlating, folding
// verdicts or the outbox), then one last ingest. The derived read models — verdicts, the outbox,
// rounds — end equal to one clean ingest of the same files (PostgreSQL).
import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { copyFileSync, mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { binPath, runCli } from '../support/cli.ts';
import { freshPostgresUrl, postgresAvailable } from '../support/databases.ts';

const samples = fileURLToPath(new URL('../../samples/', import.meta.url));

/** The sample evening's files in `parts` folders, round-robin (reports and stats files apart). */
function splitSamples(parts: number): string[] {
  const dirs = Array.from({ length: parts }, () => mkdtempSync(join(tmpdir(), 'etl-crash-part-')));
  const files = ['stats', 'lua-legacy'].flatMap((sub) =>
    readdirSync(join(samples, sub))
      .filter((f) => f.endsWith('.txt') || f.endsWith('.json'))
      .map((f) => join(samples, sub, f)),
  );
  for (const [i, f] of files.entries()) copyFileSync(f, join(dirs[i % parts]!, f.split('/').pop()!));
  return dirs;
}

const env = (url: string) => ({ ET_LEDGER_STORE: `postgres:${url}`, ET_LEDGER_TZ: 'Europe/Ljubljana' });

/** What must not depend on crashes or arrival: the read models without ids, positions and history. */
async function derived(url: string) {
  const db = new pg.Client({ connectionString: url });
  await db.connect();
  try {
    const q = async (sql: string) => (await db.query(sql)).rows;
    return {
      verdicts: await q(
        `select round_key, status, stats_file_name, lua_report_id, fighting_time_sec, surrender, flags, players,
                correlator_version, generation from read.verdicts order by round_key`,
      ),
      outbox: await q(
        `select target_key, kind, channel, status, round_time_unix,
                case when kind = 'session-summary' then verdict end as session
         from read.discord_outbox order by target_key, kind`,
      ),
      rounds: await q('select * from read.rounds order by round_id'),
      deadLetters: await q('select projection, event_id from ledger.dead_letters'),
    };
  } finally {
    await db.end();
  }
}

describe.skipIf(!postgresAvailable())('SIGKILL at any instant, with the facts split over several ingests', () => {
  it('ends with the same verdicts, outbox and rounds as one clean ingest', async () => {
    const parts = splitSamples(12);
    const clean = await freshPostgresUrl('crash_clean');
    const r = await runCli(['ingest', ...parts], env(clean));
    expect(r.code, r.stderr).toBe(0);
    const reference = await derived(clean);
    expect(reference.verdicts.length).toBeGreaterThan(3);

    const crashed = await freshPostgresUrl('crash_killed');
    let seed = 7;
    const random = () => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed / 2 ** 31;
    };
    const ingest = (url: string, part: string): ChildProcess =>
      spawn(process.execPath, [binPath, 'ingest', part], {
        env: { ...process.env, ...env(url), ET_LEDGER_LOG_LEVEL: 'silent' },
        stdio: 'ignore',
      });
    // The instants are drawn from how long one ingest lives on this machine, now: a fixed window
    // would kill only exited processes once the ingest got faster, or only starting ones on a slow run.
    const probe = ingest(await freshPostgresUrl('crash_probe'), parts[0]!);
    const t0 = Date.now();
    await once(probe, 'exit');
    const lifetime = Date.now() - t0;
    let killed = 0;
    for (let k = 0; k < 16; k++) {
      const child = ingest(crashed, parts[k % parts.length]!);
      const exited = once(child, 'exit');
      await new Promise((res) => setTimeout(res, lifetime * (0.1 + 0.8 * random())));
      if (child.exitCode === null) {
        child.kill('SIGKILL');
        killed++;
      }
      await exited;
    }
    const last = await runCli(['ingest', ...parts], env(crashed));
    expect(last.code, last.stderr).toBe(0);
    expect(killed, `${killed} of 16 ingests were still running when killed`).toBeGreaterThanOrEqual(3);
    const state = await derived(crashed);
    expect(state.verdicts).toEqual(reference.verdicts);
    expect(state.outbox).toEqual(reference.outbox);
    expect(state.rounds).toEqual(reference.rounds);
    expect(state.deadLetters).toEqual([]);
  }, 300_000);
});
