// Facts that the log would refuse on every attempt (issue 15, item 2) and files too large to read
// (item 1) are identified as quarantine facts up front: raw bytes kept (or, over the cap, only
// name, size and sha256), with a reason, so they never block what comes after them.
import { mkdtempSync, readFileSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { sha256Hex } from '../../../src/events/ids.ts';
import { identifyFact, identifyOversized } from '../../../src/sources/identifyFact.ts';
import { readRegularFile } from '../../../src/sources/readPaths.ts';
import { isStorable, storable, unstorableTextAt } from '../../../src/sources/storableText.ts';

const arrival = (bytes: Uint8Array, fileName: string | null = null) => ({
  bytes,
  fileName,
  serverId: 'eu1',
  tz: 'Europe/Ljubljana',
  source: { kind: 'http' as const, ref: '/v1/reports' },
  receivedAt: '2026-08-19T19:41:40.000Z',
  maxBytes: 1024 * 1024,
});

const legacySample = readFileSync(
  fileURLToPath(new URL('../../../samples/lua-legacy/01-supply-R1-objective-two-pauses.json', import.meta.url)),
  'utf8',
);
/** The legacy sample report with its map and one player's name replaced (as JSON escapes). */
const report = (map: string, name: string) =>
  new TextEncoder().encode(
    legacySample
      .replace('"value": "supply"', `"value": ${map}`)
      .replace('\\"name\\":\\"Vektor\\"', `\\"name\\":\\"${name}\\"`),
  );

describe('text the log cannot store', () => {
  it.each([
    ['NUL', 'a\u0000b', false],
    ['a lone high surrogate', 'a\uD83Db', false],
    ['a lone low surrogate', '\uDE00', false],
    ['a surrogate pair (an emoji)', 'gg \u{1F600}', true],
    ['plain text with quotes and control bytes', 'x"\u0001\t', true],
  ])('%s', (_name, text, ok) => {
    expect(isStorable(text)).toBe(ok);
    expect(isStorable(storable(text))).toBe(true);
  });

  it('names where the value is', () => {
    expect(unstorableTextAt({ map: 'supply', axis: [{ name: 'ok' }, { name: 'x\u0000' }] })).toBe('axis[1].name');
    expect(unstorableTextAt({ map: 'supply' })).toBeNull();
  });

  it.each([
    ['a NUL in a name', '"supply"', 'Bad\\\\u0000Name'],
    ['a lone surrogate in the map', '"sup\\ud800ply"', 'ok'],
  ])('a report with %s is kept raw in quarantine, with the field named', (_name, map, name) => {
    const bytes = report(map, name);
    const fact = identifyFact(arrival(bytes));
    expect(fact.kind).toBe('unrecognized');
    if (fact.kind !== 'unrecognized') return;
    expect(fact.reason).toMatch(/^invalid_text: (map|players\[0\]\.rawName) contains U\+0000 or an unpaired surrogate/);
    expect(fact.events[0]!.raw).toEqual(bytes);
    expect(unstorableTextAt(fact.events[0]!.data)).toBeNull();
  });
});

describe('files over the cap', () => {
  it('an oversized file becomes a small fact: name, size, sha256 and reason, never its bytes', () => {
    const fact = identifyOversized(arrival(new Uint8Array(0), 'big.txt'), {
      sizeBytes: 300 * 1024 * 1024,
      sha256: 'ab'.repeat(32),
    });
    expect(fact.kind).toBe('unrecognized');
    expect(fact.events[0]!.raw).toEqual(new Uint8Array(0));
    expect(fact.events[0]!.data).toMatchObject({
      fileName: 'big.txt',
      sizeBytes: 300 * 1024 * 1024,
      sha256: 'ab'.repeat(32),
    });
    expect((fact.events[0]!.data as { reason: string }).reason).toMatch(
      /^too_large: 314572800 bytes .*ET_LEDGER_MAX_FILE_BYTES/,
    );
  });

  it('readRegularFile checks the size before reading, and hashes an oversized file as a stream', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'etl-bounded-'));
    const small = join(dir, 'small.txt');
    writeFileSync(small, 'hello');
    expect(await readRegularFile(small, { maxBytes: 5 })).toEqual(new TextEncoder().encode('hello'));
    const over = await readRegularFile(small, { maxBytes: 4 });
    expect(over).toEqual({ kind: 'too_large', sizeBytes: 5, sha256: sha256Hex(new TextEncoder().encode('hello')) });
    const big = join(dir, 'big.txt');
    writeFileSync(big, '');
    truncateSync(big, 60 * 1024 * 1024); // sparse: 60 MB of zeros
    const r = await readRegularFile(big, { maxBytes: 1024 * 1024 });
    expect(r).toMatchObject({ kind: 'too_large', sizeBytes: 60 * 1024 * 1024 });
    expect(await readRegularFile(dir, { maxBytes: 1024 })).toBe('not_a_file');
  });
});
