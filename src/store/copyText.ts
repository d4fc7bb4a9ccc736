// COPY text format written straight into bytes. A batch of a 20 000-round history is ≈ 12 000 player
// rows of 58 columns; building it as a string cost one string per value and a rope per line, and
// garbage collection took more time than the writing (a micro-bench: 2.8 of 5.2 s). Integers, the
// bulk of the values, become digits in the buffer; text is checked once and copied as UTF-8.

/** COPY text: backslash and the row/column separators escaped; null as \N. */
const needsEscape = /[\\\n\r\t]/;
const escapes: Record<string, string> = { '\\': '\\\\', '\n': '\\n', '\r': '\\r', '\t': '\\t' };
const escapeCopy = (s: string) => (!needsEscape.test(s) ? s : s.replace(/[\\\n\r\t]/g, (c) => escapes[c]!));

const TAB = 9;
const LF = 10;
const BACKSLASH = 92;
const N = 78;
const MINUS = 45;
const ZERO = 48;

/**
 * Buffers of finished COPYs kept for the next ones: a fresh buffer per COPY, grown by doubling to a
 * batch's few MB, was a tenth of what an ingest allocated. A few, each at most 16 MiB, so that an
 * idle service holds little.
 */
const spare: CopyText[] = [];
const SPARE_COUNT = 4;
const SPARE_MAX_BYTES = 16 << 20;

/** A growing buffer of COPY text. */
export class CopyText {
  private bytes = Buffer.allocUnsafe(1 << 16);
  private at = 0;

  /** An empty buffer, reused when one was given back. */
  static borrow(): CopyText {
    const text = spare.pop() ?? new CopyText();
    text.at = 0;
    return text;
  }

  /** Only once its COPY has ended (the server answered): before that, the socket may still read it. */
  giveBack(): void {
    if (spare.length < SPARE_COUNT && this.bytes.length <= SPARE_MAX_BYTES && !spare.includes(this)) spare.push(this);
  }

  private room(n: number): void {
    if (this.at + n <= this.bytes.length) return;
    const grown = Buffer.allocUnsafe(Math.max(this.bytes.length * 2, this.at + n));
    this.bytes.copy(grown, 0, 0, this.at);
    this.bytes = grown;
  }

  tab(): void {
    this.room(1);
    this.bytes[this.at++] = TAB;
  }

  endLine(): void {
    this.room(1);
    this.bytes[this.at++] = LF;
  }

  nul(): void {
    this.room(2);
    this.bytes[this.at++] = BACKSLASH;
    this.bytes[this.at++] = N;
  }

  /** A finite number as JavaScript prints it (integers digit by digit); others as null. */
  number(v: number): void {
    if (!Number.isFinite(v)) {
      this.nul();
      return;
    }
    if (!Number.isSafeInteger(v)) {
      this.raw(String(v));
      return;
    }
    this.room(17);
    let n = v;
    if (n < 0) {
      this.bytes[this.at++] = MINUS;
      n = -n;
    }
    if (n < 10) {
      // Most counters of a round are single digits (and zeros).
      this.bytes[this.at++] = ZERO + n;
      return;
    }
    let digits = 1;
    for (let x = n; x >= 10; x = Math.floor(x / 10)) digits++;
    let i = this.at + digits;
    this.at = i;
    do {
      this.bytes[--i] = ZERO + (n % 10);
      n = Math.floor(n / 10);
    } while (n > 0);
  }

  /** Text that needs no more escaping than COPY's own. */
  text(s: string): void {
    this.raw(escapeCopy(s));
  }

  /** Text already in COPY form. */
  raw(s: string): void {
    this.room(s.length * 3);
    this.at += this.bytes.write(s, this.at, 'utf8');
  }

  /** The text written so far (a view of the buffer: use it before writing more). */
  done(): Buffer {
    return this.bytes.subarray(0, this.at);
  }
}

/** An array element inside a PostgreSQL array literal; a nested array is a dimension (`{{1,2},{3,4}}`). */
const arrayElement = (v: unknown): string => {
  if (v === null || v === undefined) return 'NULL';
  if (Array.isArray(v)) return arrayLiteral(v);
  if (typeof v === 'number') return Number.isFinite(v) ? String(v) : 'NULL';
  return `"${String(v).replace(/["\\]/g, (c) => `\\${c}`)}"`;
};

const arrayLiteral = (values: readonly unknown[]): string => {
  let text = '{';
  for (let i = 0; i < values.length; i++) text += (i === 0 ? '' : ',') + arrayElement(values[i]);
  return `${text}}`;
};

export type CopyEncoder = (v: unknown, out: CopyText) => void;

/** How one column's values are written as COPY text; non-finite numbers become null, as JSON would make them. */
export function copyEncoder(type: string): CopyEncoder {
  if (type === 'jsonb' || type === 'json') return (v, out) => (v == null ? out.nul() : out.text(JSON.stringify(v)));
  if (type.endsWith('[]'))
    return (v, out) => {
      if (v == null) return out.nul();
      if (!Array.isArray(v)) throw new TypeError(`column of type ${type} needs an array, got ${typeof v}`);
      out.text(arrayLiteral(v));
    };
  return (v, out) => {
    if (v == null) return out.nul();
    if (typeof v === 'number') return out.number(v);
    if (typeof v === 'string') return out.text(v);
    if (typeof v === 'boolean') return out.raw(v ? 't' : 'f');
    if (v instanceof Date) return out.raw(v.toISOString());
    out.text(typeof v === 'object' ? JSON.stringify(v) : String(v));
  };
}
