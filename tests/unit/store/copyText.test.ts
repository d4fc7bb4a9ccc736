// CopyText writes COPY text as bytes: every value must come out as the string encoding it replaced
// wrote it (numbers as String(v), non-finite ones as null, text escaped, UTF-8), across the
// buffer's growth.
import { describe, expect, it } from 'vitest';
import { CopyText, copyEncoder } from '../../../src/store/copyText.ts';

/** The encoding as it was written with strings (insertRows before CopyText). */
function reference(type: string, v: unknown): string {
  const esc = (s: string) =>
    s.replace(/[\\\n\r\t]/g, (c) => ({ '\\': '\\\\', '\n': '\\n', '\r': '\\r', '\t': '\\t' })[c]!);
  if (v == null) return '\\N';
  if (type === 'jsonb') return esc(JSON.stringify(v));
  if (typeof v === 'number') return Number.isFinite(v) ? String(v) : '\\N';
  if (typeof v === 'boolean') return v ? 't' : 'f';
  return esc(String(v));
}

const numbers = [
  0,
  -0,
  1,
  9,
  10,
  99,
  100,
  -1,
  -10,
  123_456_789,
  -2_147_483_648,
  Number.MAX_SAFE_INTEGER,
  -Number.MAX_SAFE_INTEGER,
  2 ** 53,
  1e21,
  1.5,
  -0.1,
  1 / 3,
  6.02e-23,
  Number.NaN,
  Number.POSITIVE_INFINITY,
  Number.NEGATIVE_INFINITY,
];
const texts = ['', 'plain', 'tab\there', 'new\nline\r', 'back\\slash \\N', 'ünïcödé ✓ 𝄞', '\uD800 lone', '@everyone'];

describe('CopyText', () => {
  it('writes every number and text as the string encoding did', () => {
    const out = new CopyText();
    let expected = '';
    const values: [string, unknown][] = [
      ...numbers.map((n): [string, unknown] => ['integer', n]),
      ...texts.map((t): [string, unknown] => ['text', t]),
      ['boolean', true],
      ['boolean', false],
      ['text', null],
      ['jsonb', { a: 'x\ty', b: [1, null] }],
    ];
    for (const [type, v] of values) {
      copyEncoder(type)(v, out);
      out.tab();
      expected += `${reference(type, v)}\t`;
    }
    out.endLine();
    // As bytes: a lone surrogate becomes U+FFFD the way a string sent to the server always did.
    expect(out.done()).toEqual(Buffer.from(`${expected}\n`, 'utf8'));
  });

  it('grows past its first buffer without losing a byte', () => {
    const out = new CopyText();
    let expected = '';
    for (let i = 0; i < 20_000; i++) {
      const v = (i * 7919) % 1_000_003;
      out.number(v);
      out.tab();
      out.text(`name ${i} ✓`);
      out.endLine();
      expected += `${v}\tname ${i} ✓\n`;
    }
    expect(out.done().length).toBeGreaterThan(1 << 16);
    expect(out.done().toString('utf8')).toBe(expected);
  });

  it('writes nested arrays as dimensions and quotes text elements', () => {
    const out = new CopyText();
    copyEncoder('integer[]')(
      [
        [0, 1, -2],
        [3, Number.NaN, 5],
      ],
      out,
    );
    out.tab();
    copyEncoder('text[]')(['a"b', 'c\\d', null, 'e\tf'], out);
    expect(out.done().toString('utf8')).toBe('{{0,1,-2},{3,NULL,5}}\t{"a\\\\"b","c\\\\\\\\d",NULL,"e\\tf"}');
  });

  it('hands a given-back buffer out again, empty, and never to two borrowers at once', () => {
    const a = CopyText.borrow();
    a.raw('left over\n');
    a.giveBack();
    const b = CopyText.borrow();
    expect(b).toBe(a);
    expect(b.done().length).toBe(0);
    b.raw('x');
    expect(Buffer.from(b.done()).toString()).toBe('x');
    expect(CopyText.borrow()).not.toBe(b);
    b.giveBack();
    b.giveBack(); // twice by mistake: still one spare
    expect(CopyText.borrow()).toBe(b);
    expect(CopyText.borrow()).not.toBe(b);
  });
});
