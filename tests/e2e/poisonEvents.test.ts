// A poison value — one a read-model column cannot hold — must never stop a projection (DESIGN
// invariant 10): the event is retried, recorded as a dead letter, skipped, and later files still
// land. A rebuild that meets it fails fast and leaves the serving build alone. Through the CLI, on
// PostgreSQL and PGlite.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { type CliResult, runCli } from '../support/cli.ts';
import { freshPgliteDir, freshPostgresUrl, postgresAvailable } from '../support/databases.ts';

// The same bytes as /work/shared/data/stats/ (checked with cmp); the repo copy keeps the test self-contained.
const samples = fileURLToPath(new URL('../../samples/stats/', import.meta.url));
const R1 = '2026-08-19-214136-supply-round-1.txt';
const R2 = '2026-08-19-214737-supply-round-2.txt';

type Form = { name: string; value: string; mutate: (lines: string[]) => void };

/** Replaces one field of one line; the line is split on `sep`. */
const setField =
  (line: number, sep: string, index: number, value: string) =>
  (lines: string[]): void => {
    const fields = lines[line]!.split(sep);
    expect(fields.length).toBeGreaterThan(index);
    fields[index] = value;
    lines[line] = fields.join(sep);
  };

const forms: Form[] = [
  // The first TAB-separated field after the weapon block: damage given.
  { name: 'damage given 9999999999', value: '9999999999', mutate: setField(1, '\t', 1, '9999999999') },
  // The 4th backslash-separated field of a player line: team.
  { name: 'player team 40000', value: '40000', mutate: setField(1, '\\', 3, '40000') },
  // Header field 9 (1-based): the header play time in ms.
  { name: 'header field 9 = 180000.5', value: '180000.5', mutate: setField(0, '\\', 8, '180000.5') },
];

/** A copy of the valid R1 with one poison value, under its real file name in a folder of its own. */
function poisonFile(form: Form): string {
  const original = readFileSync(join(samples, R1), 'utf8');
  const lines = original.split('\n');
  form.mutate(lines);
  const text = lines.join('\n');
  expect(text).not.toBe(original);
  expect(text).toContain(form.value);
  const path = join(mkdtempSync(join(tmpdir(), 'etl-poison-')), R1);
  writeFileSync(path, text);
  return path;
}

const stores = [
  { kind: 'PGlite', skip: false, open: async () => `pglite:${freshPgliteDir()}` },
  { kind: 'PostgreSQL', skip: !postgresAvailable(), open: async () => `postgres:${await freshPostgresUrl('poison')}` },
];

type Skipped = { projection: string; eventId: string; position: number; file: string | null; error: string };
type DeadLetter = {
  projection: string;
  version: number;
  eventId: string;
  position: number;
  type: string;
  error: string;
  attempts: number;
};
type Build = { name: string; schema: string; status: string; lag: number; failures: number };
type Status = { projections: Build[]; deadLetters: DeadLetter[] };

function cli(store: string) {
  const env = { ET_LEDGER_STORE: store, ET_LEDGER_TZ: 'Europe/Ljubljana' };
  const run = (...args: string[]): Promise<CliResult> => runCli(args, env);
  return {
    run,
    async json<T>(...args: string[]): Promise<T> {
      const r = await run(...args, '--json');
      expect(r.code, r.stderr).toBe(0);
      return JSON.parse(r.stdout) as T;
    },
    async exportedFiles(): Promise<string[]> {
      const r = await run('export', 'rounds', '--format', 'ndjson');
      expect(r.code, r.stderr).toBe(0);
      return r.stdout
        .split('\n')
        .filter((l) => l.trim() !== '')
        .map((l) => (JSON.parse(l) as { fileName: string }).fileName);
    },
  };
}

/** Ingests the poison file, then the valid R2 in a later ingest; returns the dead letter. */
async function poisonThenValid(c: ReturnType<typeof cli>, form: Form): Promise<Skipped> {
  const path = poisonFile(form);
  const first = await c.json<{ appended: number; quarantined: number; skipped: Skipped[] }>('ingest', path);
  // The parser accepts the value (nothing quarantined); the rounds projection cannot store it.
  expect(first).toMatchObject({ appended: 1, quarantined: 0 });
  expect(first.skipped).toEqual([
    {
      projection: 'rounds',
      eventId: expect.any(String),
      position: expect.any(Number),
      file: path,
      error: expect.stringContaining(form.value),
    },
  ]);
  const second = await c.json<{ appended: number; skipped: Skipped[] }>('ingest', join(samples, R2));
  expect(second).toMatchObject({ appended: 1, skipped: [] });
  return first.skipped[0]!;
}

describe.each(stores)('a poison value on $kind', ({ skip, open }) => {
  it.skipIf(skip).each(forms)(
    '$name: a dead letter, and a valid file in a later ingest still lands',
    async (form) => {
      const c = cli(await open());
      const dead = await poisonThenValid(c, form);

      expect(await c.exportedFiles()).toEqual([R2]);

      const status = await c.json<Status>('status');
      expect(status.deadLetters).toEqual([
        expect.objectContaining({
          projection: 'rounds',
          eventId: dead.eventId,
          position: dead.position,
          type: 'StatsFileArrived',
          error: expect.stringContaining(form.value),
        }),
      ]);
      // Skipped, not stuck: every projection is at the head and none is failing.
      for (const b of status.projections) expect(b, b.name).toMatchObject({ status: 'active', lag: 0, failures: 0 });

      const text = await c.run('status');
      expect(text.code, text.stderr).toBe(0);
      expect(text.stdout).toMatch(/^dead letters {3}1\b/m);
      expect(text.stdout).toContain(dead.eventId);
    },
    120_000,
  );

  it.skipIf(skip)(
    'rebuild rounds fails fast on the dead letter, naming it; the old build keeps serving',
    async () => {
      const c = cli(await open());
      const path = poisonFile(forms[0]!);
      const ingest = await c.run('ingest', path);
      expect(ingest.code, ingest.stderr).toBe(0);
      expect(ingest.stdout).toContain('1 events skipped by a projection');
      expect(ingest.stdout).toMatch(new RegExp(`skipped by rounds: .*${R1} at position \\d+: .*9999999999`));
      expect((await c.run('ingest', join(samples, R2))).code).toBe(0);

      const before = await c.json<Status>('status');
      const [dead] = before.deadLetters;
      expect(dead).toMatchObject({ projection: 'rounds', type: 'StatsFileArrived' });
      const serving = before.projections.find((b) => b.name === 'rounds')!;
      expect(serving.status).toBe('active');

      const r = await c.run('rebuild', 'rounds');
      expect(r.code).not.toBe(0);
      expect(r.stderr).toContain(`StatsFileArrived ${dead!.eventId} at position ${dead!.position}`);
      expect(r.stderr).toMatch(/previous build keeps serving/);
      expect(r.stderr).toContain('9999999999');
      expect(r.stderr).not.toMatch(/^ {4}at /m);

      // The failed build may stay listed as `building` (a later rebuild resumes it); it never serves.
      const after = await c.json<Status>('status');
      const rounds = after.projections.filter((b) => b.name === 'rounds');
      expect(rounds.filter((b) => b.status === 'active')).toEqual([
        expect.objectContaining({ schema: serving.schema, lag: 0, failures: 0 }),
      ]);
      for (const b of rounds.filter((x) => x.schema !== serving.schema)) expect(b.status).toBe('building');
      expect(after.deadLetters).toEqual([expect.objectContaining({ eventId: dead!.eventId, projection: 'rounds' })]);
      expect(await c.exportedFiles()).toEqual([R2]);
    },
    120_000,
  );
});
