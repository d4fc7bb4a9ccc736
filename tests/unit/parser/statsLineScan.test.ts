// The one-pass scanner and the right-anchored one must agree wherever the one-pass scanner accepts a
// line; the ASCII shortcuts of statsBytes.ts must agree with names.ts (spec/stats-file.md §1.2, §2.3).
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { cleanName, decodeRawName } from '../../../src/parser/names.ts';
import { asciiView, cleanText, decodeText, readDecimal, readInt } from '../../../src/parser/statsBytes.ts';
import { scanAnyLine, scanned, scanUsualLine } from '../../../src/parser/statsLineScan.ts';
import { generateStatsPair } from '../../support/statsFileGenerator.ts';

function snapshot() {
  return {
    ...scanned,
    figures: [...scanned.figures.subarray(0, scanned.figureCount)],
    ext: [...scanned.ext],
  };
}

const lineEdit = fc.record({
  at: fc.nat(),
  text: fc.constantFrom(
    '\\',
    '\t',
    ' ',
    '  ',
    '-',
    '.',
    '0',
    '9',
    '.5',
    '-0',
    '1234567890123456',
    'inf',
    '^',
    '\u00e9',
  ),
  remove: fc.nat({ max: 3 }),
});

describe('statsLineScan', () => {
  it('reads a line the same way on both paths whenever the one-pass scanner accepts it', () => {
    fc.assert(
      fc.property(fc.integer(), fc.boolean(), fc.array(lineEdit, { maxLength: 3 }), (seed, hostile, edits) => {
        const file = generateStatsPair({ seed, players: 3, hostileNames: hostile }).r1.bytes;
        const text = Buffer.from(file).toString('latin1').split('\n')[1]!;
        let line = text;
        for (const { at, text: t, remove } of edits) {
          const i = at % (line.length + 1);
          line = line.slice(0, i) + t + line.slice(i + remove);
        }
        const b = Buffer.from(line, 'latin1');
        if (scanUsualLine(b, 0, b.length)) {
          const fast = snapshot();
          expect(scanAnyLine(b, 0, b.length, 2)).toBeNull();
          expect(snapshot()).toEqual(fast);
        }
      }),
      { numRuns: 1000 },
    );
  });

  it('decodes and cleans any bytes exactly as names.ts does', () => {
    const byte = fc.oneof(
      fc.integer({ min: 0, max: 255 }),
      fc.constantFrom(32, 94, 55, 0xc3, 0xa9, 0xe2, 0x82, 0xac, 0x80),
    );
    fc.assert(
      fc.property(fc.array(byte, { maxLength: 24 }), (arr) => {
        const b = Uint8Array.from(arr);
        const raw = decodeText(b, 0, b.length, asciiView(b));
        expect(raw).toBe(decodeRawName(b));
        expect(cleanText(b, 0, b.length, raw)).toBe(cleanName(raw));
      }),
      { numRuns: 3000 },
    );
  });

  it('reads numbers as parseFloat and Number do', () => {
    fc.assert(
      fc.property(fc.integer({ min: -1e6, max: 1e6 }), fc.nat({ max: 3 }), (n, places) => {
        const text = places === 0 ? String(n) : (n / 10 ** places).toFixed(places);
        const b = Buffer.from(text);
        expect(readDecimal(b, 0, b.length)).toBe(Number.parseFloat(text));
        if (places === 0) expect(readInt(b, 0, b.length)).toBe(n);
      }),
    );
  });
});
