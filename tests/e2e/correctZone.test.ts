// A time zone that was wrong is corrected by a fact, not by editing facts: the sample evening
// ingested under UTC, then `correct-zone` to Europe/Ljubljana, ends with the rounds, the R1/R2
// pairing, the maps and the verdicts of a clean ingest under the right zone; so does a correction
// made before the facts arrive, and a correction of one day leaves the other day as it was.
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { clockTickIdentity } from '../../src/events/index.ts';
import { createLogger } from '../../src/logger.ts';
import { projectAllToHead } from '../../src/runtime/ledgerRuntime.ts';
import { loadProjections } from '../../src/runtime/registry.ts';
import { openLedger } from '../../src/store/openStore.ts';
import { runCli } from '../support/cli.ts';
import { freshPostgresUrl, postgresAvailable } from '../support/databases.ts';

const samples = fileURLToPath(new URL('../../samples/', import.meta.url));
const facts = [join(samples, 'stats'), join(samples, 'lua-legacy')];

function cli(store: string) {
  const run = async (...args: string[]) => {
    const r = await runCli(args, { ET_LEDGER_STORE: store });
    expect(r.code, r.stderr).toBe(0);
    return r.stdout;
  };
  const rows = async (name: string) =>
    (await run('export', name))
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l) as Record<string, unknown>);
  return { run, rows };
}

/**
 * A clock tick the day after the evening, as `ingest --close` or the service's ticker appends: every
 * round is then decided. (A wrong zone two hours late runs the facts' clock past deadlines that the
 * right zone has not reached yet; a correction cannot take that time back, so rounds are compared
 * once all of them are decided.)
 */
async function tickAfterTheEvening(url: string): Promise<void> {
  const ledger = await openLedger({ kind: 'postgres', url });
  try {
    const atUnix = Date.parse('2026-08-21T06:00:00Z') / 1000;
    await ledger.store.appendFacts([
      { ...clockTickIdentity('eu1', atUnix), type: 'ClockTicked', schemaVersion: 2, data: { serverId: 'eu1', atUnix } },
    ]);
    await projectAllToHead({
      db: ledger.db,
      store: ledger.store,
      log: createLogger('silent'),
      projections: await loadProjections(),
    });
  } finally {
    await ledger.close();
  }
}

/** What a reader sees, without what records when it was written (positions, event ids, generations). */
async function readModels(c: ReturnType<typeof cli>) {
  const rounds = (await c.rows('rounds')).map(
    ({ roundId, fileTimeUtc, fileTimeUnix, tz, matchId, r1RoundId, flags }) => ({
      roundId,
      fileTimeUtc,
      fileTimeUnix,
      tz,
      matchId,
      r1RoundId,
      flags,
    }),
  );
  const verdicts = (await c.rows('verdicts')).map(
    ({ roundKey, status, luaReportId, fightingTimeSec, diffSec, surrender, flags, fileTimeUnix }) => ({
      roundKey,
      status,
      luaReportId,
      fightingTimeSec,
      diffSec,
      surrender,
      flags,
      fileTimeUnix,
    }),
  );
  const maps = (await c.rows('maps')).map(
    ({ map, fileTimeUtc, r1RoundId, r2RoundId, result, timeSetSec, r2TimeSec }) => ({
      map,
      fileTimeUtc,
      r1RoundId,
      r2RoundId,
      result,
      timeSetSec,
      r2TimeSec,
    }),
  );
  const byKey = (a: Record<string, unknown>, b: Record<string, unknown>) =>
    String(a.roundKey ?? a.roundId ?? a.r1RoundId ?? a.map) < String(b.roundKey ?? b.roundId ?? b.r1RoundId ?? b.map)
      ? -1
      : 1;
  return { rounds: rounds.sort(byKey), verdicts: verdicts.sort(byKey), maps: maps.sort(byKey) };
}

describe.skipIf(!postgresAvailable())('et-ledger correct-zone', () => {
  it('makes a wrong-zone ingest equal to a clean one, whether the correction comes after the facts or before', async () => {
    const cleanUrl = await freshPostgresUrl('zone_clean');
    const clean = cli(`postgres:${cleanUrl}`);
    await clean.run('ingest', '--server', 'eu1', '--tz', 'Europe/Ljubljana', ...facts);
    await tickAfterTheEvening(cleanUrl);
    const truth = await readModels(clean);
    expect(truth.verdicts.filter((v) => v.status === 'ALIGNED').length).toBeGreaterThan(0);

    const wrongUrl = await freshPostgresUrl('zone_wrong');
    const wrong = cli(`postgres:${wrongUrl}`);
    await wrong.run('ingest', '--server', 'eu1', '--tz', 'UTC', ...facts);
    await tickAfterTheEvening(wrongUrl);
    const before = await readModels(wrong);
    // Two hours off: no stats file meets its Lua report, no verdict is ALIGNED.
    expect(before.rounds).not.toEqual(truth.rounds);
    expect(before.verdicts.filter((v) => v.status === 'ALIGNED')).toEqual([]);

    const said = await wrong.run('correct-zone', '--server', 'eu1', '--tz', 'europe/ljubljana');
    expect(said).toContain('all its stats files are read in Europe/Ljubljana (15 rounds)');
    expect(await readModels(wrong)).toEqual(truth);

    // The correction first, the facts (under the wrong zone) after it: the same.
    const earlyUrl = await freshPostgresUrl('zone_early');
    const early = cli(`postgres:${earlyUrl}`);
    await early.run('correct-zone', '--server', 'eu1', '--tz', 'Europe/Ljubljana');
    await early.run('ingest', '--server', 'eu1', '--tz', 'UTC', ...facts);
    await tickAfterTheEvening(earlyUrl);
    expect(await readModels(early)).toEqual(truth);

    // A rebuild reads the correction from the log like any fact.
    await wrong.run('rebuild', 'rounds');
    expect((await readModels(wrong)).rounds).toEqual(truth.rounds);
  }, 240_000);

  it('a correction that takes rounds away from their reports leaves each report LUA_ONLY, as a clean ingest in that zone', async () => {
    // The other way round: the right zone first (rounds joined), then a correction to a wrong one.
    // Each moved stats file leaves the report it was joined with; that report is decided again too.
    const utcUrl = await freshPostgresUrl('zone_utc');
    const utc = cli(`postgres:${utcUrl}`);
    await utc.run('ingest', '--server', 'eu1', '--tz', 'UTC', ...facts);
    await tickAfterTheEvening(utcUrl);
    const truth = await readModels(utc);

    const rightUrl = await freshPostgresUrl('zone_right');
    const right = cli(`postgres:${rightUrl}`);
    await right.run('ingest', '--server', 'eu1', '--tz', 'Europe/Ljubljana', ...facts);
    await tickAfterTheEvening(rightUrl);
    const joined = (await readModels(right)).verdicts.filter((v) => v.status === 'ALIGNED').length;
    expect(joined).toBeGreaterThan(0);
    await right.run('correct-zone', '--server', 'eu1', '--tz', 'UTC');
    const after = await readModels(right);
    expect(after.verdicts.filter((v) => v.status === 'LUA_ONLY').length).toBeGreaterThanOrEqual(joined);
    expect(after).toEqual(truth);
  }, 240_000);

  it('warns when no zone was given for a new server, then keeps the zone the server has', async () => {
    const store = `postgres:${await freshPostgresUrl('zone_guess')}`;
    const ingest = (file: string) =>
      runCli(['ingest', '--server', 'eu1', join(samples, 'stats', file)], { ET_LEDGER_STORE: store, TZ: 'UTC' });
    const first = await ingest('2026-08-19-214136-supply-round-1.txt');
    expect(first.code, first.stderr).toBe(0);
    expect(first.stderr).toContain(
      "warning: no --tz or ET_LEDGER_TZ, and server eu1 has no zone yet: its stats file names are read in this machine's zone, UTC",
    );
    expect(first.stderr).toContain('et-ledger correct-zone --server eu1 --tz ZONE');
    const fixed = await runCli(['correct-zone', '--server', 'eu1', '--tz', 'Europe/Ljubljana'], {
      ET_LEDGER_STORE: store,
    });
    expect(fixed.code, fixed.stderr).toBe(0);
    const second = await ingest('2026-08-19-214737-supply-round-2.txt');
    expect(second.code, second.stderr).toBe(0);
    expect(second.stderr).toContain(
      "no --tz: reading server eu1's stats files in Europe/Ljubljana, the zone its files were read in before",
    );
    const rounds = (await runCli(['export', 'rounds'], { ET_LEDGER_STORE: store })).stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(rounds.map((r: { tz: string }) => r.tz)).toEqual(['Europe/Ljubljana', 'Europe/Ljubljana']);
  }, 120_000);

  it('corrects only the range it names, and refuses a bad zone or range', async () => {
    const c = cli(`postgres:${await freshPostgresUrl('zone_range')}`);
    await c.run('ingest', '--server', 'eu1', '--tz', 'UTC', join(samples, 'stats'));
    await c.run(
      'correct-zone',
      '--server',
      'eu1',
      '--tz',
      'Europe/Ljubljana',
      '--from',
      '2026-08-19',
      '--to',
      '2026-08-19',
    );
    const rounds = await c.rows('rounds');
    const zoneOf = (day: string) => [
      ...new Set(rounds.filter((r) => String(r.fileName).startsWith(day)).map((r) => r.tz)),
    ];
    expect(zoneOf('2026-08-19')).toEqual(['Europe/Ljubljana']);
    expect(zoneOf('2026-08-20')).toEqual(['UTC']);
    const supply = rounds.find((r) => String(r.fileName).startsWith('2026-08-19-214136'))!;
    expect(supply.fileTimeUtc).toBe('2026-08-19T19:41:36.000Z');

    const store = `postgres:${await freshPostgresUrl('zone_bad')}`;
    const bad = await runCli(['correct-zone', '--server', 'eu1', '--tz', 'Mars/Base'], { ET_LEDGER_STORE: store });
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('not an IANA time zone');
    const backwards = await runCli(
      ['correct-zone', '--server', 'eu1', '--tz', 'UTC', '--from', '2026-08-20', '--to', '2026-08-19'],
      { ET_LEDGER_STORE: store },
    );
    expect(backwards.code).toBe(2);
    expect(backwards.stderr).toContain('is after --to');
  }, 120_000);
});
