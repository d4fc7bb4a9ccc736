// Derived state through the CLI, on PostgreSQL and PGlite: a tie that arrives in a second ingest
// retracts the joined verdict at once (correlation.md scenario 22) and ends as one ingest of the
// same facts; a correlator rebuild reports its effects, and a dry run changes nothing.
import { copyFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { runCli } from '../support/cli.ts';
import { freshPgliteDir, freshPostgresUrl, postgresAvailable } from '../support/databases.ts';

const samples = fileURLToPath(new URL('../../samples/', import.meta.url));
const lua = join(samples, 'lua-legacy/01-supply-R1-objective-two-pauses.json');
const stats = join(samples, 'stats/2026-08-19-214136-supply-round-1.txt');

/** The same bytes under another name (Δ = −3 s instead of +3 s): a second stats round tied with the first. */
function tieCopy(): string {
  const path = join(mkdtempSync(join(tmpdir(), 'etl-tie-')), '2026-08-19-214130-supply-round-1.txt');
  copyFileSync(stats, path);
  return path;
}

const stores = [
  { kind: 'PGlite', skip: false, open: async () => `pglite:${freshPgliteDir()}` },
  { kind: 'PostgreSQL', skip: !postgresAvailable(), open: async () => `postgres:${await freshPostgresUrl('derived')}` },
];

function cli(store: string) {
  const env = { ET_LEDGER_STORE: store, ET_LEDGER_TZ: 'Europe/Ljubljana' };
  const run = async (...args: string[]) => {
    const r = await runCli(args, env);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).not.toMatch(/\n\s+at /);
    return r.stdout;
  };
  const ndjson = async (name: string) =>
    (await run('export', name, '--format', 'ndjson'))
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l) as Record<string, unknown>);
  /** The standing verdicts without what depends on history (ids, positions, supersedes, watermark). */
  const verdicts = async () =>
    (await ndjson('verdicts')).map(
      ({ eventId: _e, position: _p, supersedes: _s, watermarkUnix: _w, ...v }) => v as Record<string, unknown>,
    );
  return { run, ndjson, verdicts };
}

describe.each(stores)('derived state through the CLI ($kind)', ({ skip, open }) => {
  it.skipIf(skip)(
    'scenario 22: a tie in a second ingest retracts the verdict; one ingest ends the same',
    async () => {
      const copy = tieCopy();
      const split = cli(await open());
      await split.run('ingest', lua, stats);
      expect((await split.verdicts()).map((v) => v.status)).toEqual(['ALIGNED']);
      const out = await split.run('ingest', copy);
      expect(out).toMatch(/1 facts appended/);
      // No clock tick between: the retraction alone takes the joined verdict away.
      expect(await split.verdicts()).toEqual([]);
      const history = await split.ndjson('verdict-history');
      expect(history.map((h) => [h.kind, h.status])).toEqual([
        ['verdict', 'ALIGNED'],
        ['retraction', 'RETRACTED'],
      ]);
      expect(history[1]!.supersedes).toEqual([history[0]!.eventId]);
      expect((history[1]!.verdict as { reason: string }).reason).toBe('ambiguous');
      expect(await split.ndjson('discord-outbox')).toEqual([]);

      const once = cli(await open());
      await once.run('ingest', lua, stats, copy);
      expect(await once.verdicts()).toEqual(await split.verdicts());
      expect(await once.ndjson('discord-outbox')).toEqual([]);
    },
    120_000,
  );

  it.skipIf(skip)(
    'rebuild correlator: --dry-run reports and keeps the serving generation; --report swaps',
    async () => {
      const c = cli(await open());
      await c.run('ingest', lua, stats, join(samples, 'stats/2026-08-19-214737-supply-round-2.txt'));
      const before = await c.verdicts();
      expect(before.map((v) => [v.status, v.generation])).toEqual([['ALIGNED', 1]]);

      const dry = await c.run('rebuild', 'correlator', '--dry-run');
      expect(dry).toMatch(
        /correlator: v\d+ \(rm_correlator_v\d+_1\) → v\d+ \(rm_correlator_v\d+_2, generation 2\).*dry run/,
      );
      expect(dry).toMatch(/verdicts: .*reading generation 2/);
      expect(dry).toMatch(/verdicts that would change: 0/);
      expect(dry).toMatch(/Discord, once the sender runs: 0 edits, 0 new posts, 0 deletions/);
      expect(await c.verdicts()).toEqual(before);

      const real = await c.run('rebuild', 'correlator', '--report');
      // The dry run's generation is never reused: the real one is the next.
      expect(real).toMatch(/generation 3\)/);
      expect(real).toMatch(/verdicts that did change: 0/);
      const after = await c.verdicts();
      expect(after.map((v) => [v.status, v.generation])).toEqual([['ALIGNED', 3]]);
      expect(after.map(({ generation: _g, ...v }) => v)).toEqual(before.map(({ generation: _g, ...v }) => v));
      // One standing verdict per round, and the log holds all three generations' verdicts.
      const status = JSON.parse(await c.run('status', '--json')) as { facts: Record<string, number> | null };
      if (status.facts) expect(status.facts.RoundTimingReconciled).toBeGreaterThanOrEqual(3);
    },
    120_000,
  );
});
