// A poison value — one a read-model column cannot hold. Today's parser stops it at the door (the
// line or header is rejected, the field named: issue 16); a fact an older, laxer version wrote
// must still never stop a projection (DESIGN invariant 10): retried, dead-lettered, skipped, later
// files land, and a rebuild that meets it fails fast, the serving build untouched. Through the CLI,
// on PostgreSQL and PGlite.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { resolveStore } from '../../src/config/store.ts';
import { identifyFact } from '../../src/sources/identifyFact.ts';
import { openLedger } from '../../src/store/openStore.ts';
import { type CliResult, runCli } from '../support/cli.ts';
import { freshPgliteDir, freshPostgresUrl, postgresAvailable } from '../support/databases.ts';

// The same bytes as /work/shared/data/stats/ (checked with cmp); the repo copy keeps the test self-contained.
const samples = fileURLToPath(new URL('../../samples/stats/', import.meta.url));
const R1 = '2026-08-19-214136-supply-round-1.txt';
const R2 = '2026-08-19-214737-supply-round-2.txt';
const luaSamples = fileURLToPath(new URL('../../samples/lua-legacy/', import.meta.url));
const LUA = '01-supply-R1-objective-two-pauses.json';
const POISON_PAUSES = 99_999_999_999;

type Form = { name: string; value: string; field: string; mutate: (lines: string[]) => void };

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
  {
    name: 'damage given 9999999999',
    value: '9999999999',
    field: 'damageGiven',
    mutate: setField(1, '\t', 1, '9999999999'),
  },
  // The 4th backslash-separated field of a player line: team.
  { name: 'player team 40000', value: '40000', field: 'team', mutate: setField(1, '\\', 3, '40000') },
  // Header field 9 (1-based): the header play time in ms.
  {
    name: 'header field 9 = 180000.5',
    value: '180000.5',
    field: 'playtimeMs',
    mutate: setField(0, '\\', 8, '180000.5'),
  },
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

/**
 * A log written by an older, laxer version: a Lua report whose pause count no integer column holds
 * (today's normaliser refuses it), appended as the fact it was then. Its raw bytes are the sample's.
 */
async function appendLegacyPoison(store: string): Promise<{ eventId: string; position: number }> {
  const file = join(luaSamples, LUA);
  const fact = identifyFact({
    bytes: new Uint8Array(readFileSync(file)),
    fileName: LUA,
    serverId: 'default',
    tz: 'Europe/Ljubljana',
    source: { kind: 'dir', ref: file },
    receivedAt: '2026-08-19T19:45:00.000Z',
    maxBytes: 1 << 20,
  });
  const event = fact.events.find((e) => e.type === 'LuaRoundEnded')!;
  (event.data as { pauseCount: number }).pauseCount = POISON_PAUSES;
  const ledger = await openLedger(resolveStore(store, undefined));
  try {
    const [outcome] = await ledger.store.appendFacts([event]);
    return { eventId: outcome!.eventId, position: outcome!.position };
  } finally {
    await ledger.close();
  }
}

// The parser stops these before any store sees them: one store shows it (the faster one at hand).
describe('a value no read model can hold', () => {
  const open = postgresAvailable() ? stores[1]!.open : stores[0]!.open;
  it.each(forms)(
    '$name: stopped by the parser with the field named; nothing is dead-lettered, later files land',
    async (form) => {
      const c = cli(await open());
      const path = poisonFile(form);
      const first = await c.json<{ appended: number; quarantined: number; skipped: Skipped[] }>('ingest', path);
      expect(first).toMatchObject({ appended: 1, skipped: [] });
      const second = await c.json<{ appended: number; skipped: Skipped[] }>('ingest', join(samples, R2));
      expect(second).toMatchObject({ appended: 1, skipped: [] });
      if (form.field === 'playtimeMs') {
        // The header cannot be read: the file is quarantined with the field and value.
        expect(first.quarantined).toBe(1);
        const q = await c.run('export', 'quarantine', '--format', 'ndjson');
        expect(q.stdout).toContain('playtimeMs');
        expect(await c.exportedFiles()).toEqual([R2]);
      } else {
        // The line is dropped with an issue naming the field; the round and its other players land.
        expect(first.quarantined).toBe(0);
        const r = await c.run('export', 'rounds', '--format', 'ndjson');
        const r1 = r.stdout
          .split('\n')
          .filter(Boolean)
          .map(
            (l) =>
              JSON.parse(l) as { fileName: string; playerCount: number; issues: { field?: string; value?: string }[] },
          )
          .find((x) => x.fileName === R1)!;
        expect(r1.playerCount).toBe(5);
        expect(r1.issues).toEqual([expect.objectContaining({ field: form.field, value: form.value })]);
      }
      const status = await c.json<Status>('status');
      expect(status.deadLetters).toEqual([]);
      for (const b of status.projections) expect(b, b.name).toMatchObject({ status: 'active', lag: 0, failures: 0 });
    },
    120_000,
  );
});

describe.each(stores)("an older version's poison fact, on $kind", ({ skip, open }) => {
  it.skipIf(skip)(
    "an older version's poison fact is dead-lettered, later files land, and a rebuild fails fast naming it",
    async () => {
      const store = await open();
      const c = cli(store);
      const poison = await appendLegacyPoison(store);
      const ingest = await c.json<{ appended: number; skipped: Skipped[] }>('ingest', join(samples, R1));
      expect(ingest.appended).toBe(1);
      expect(ingest.skipped).toEqual(
        expect.arrayContaining([
          expect.objectContaining({
            projection: 'lua-rounds',
            eventId: poison.eventId,
            error: expect.stringContaining(String(POISON_PAUSES)),
          }),
        ]),
      );
      expect((await c.run('ingest', join(samples, R2))).code).toBe(0);
      expect((await c.exportedFiles()).sort()).toEqual([R1, R2]);

      const before = await c.json<Status>('status');
      const dead = before.deadLetters.find((d) => d.projection === 'lua-rounds')!;
      expect(dead).toMatchObject({ eventId: poison.eventId, position: poison.position, type: 'LuaRoundEnded' });
      for (const b of before.projections) expect(b, b.name).toMatchObject({ status: 'active', lag: 0, failures: 0 });
      const text = await c.run('status');
      expect(text.stdout).toMatch(/^dead letters {3}\d+\b/m);
      expect(text.stdout).toContain(poison.eventId);

      const serving = before.projections.find((b) => b.name === 'lua-rounds')!;
      const r = await c.run('rebuild', 'lua-rounds');
      expect(r.code).not.toBe(0);
      expect(r.stderr).toContain(`LuaRoundEnded ${poison.eventId} at position ${poison.position}`);
      expect(r.stderr).toMatch(/previous build keeps serving/);
      expect(r.stderr).not.toMatch(/^ {4}at /m);
      const after = await c.json<Status>('status');
      expect(after.projections.filter((b) => b.name === 'lua-rounds' && b.status === 'active')).toEqual([
        expect.objectContaining({ schema: serving.schema, lag: 0, failures: 0 }),
      ]);
    },
    120_000,
  );
});
