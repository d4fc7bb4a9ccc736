// The one-pass scanner of the usual player line (no `\` or TAB in the name), the parser's hot path
// (shared/spec/stats-file.md §2.3–2.4); any other line goes to statsLineScan.ts's scanAnyLine.
import { minutesToSeconds } from './statsBytes.ts';
import {
  bitCount,
  EXT,
  INT,
  KIND,
  MASK_LIMIT,
  MAX_DIGITS,
  MAX_INT32_DIGITS,
  MAX_MINUTE_DIGITS,
  MIN,
  POW10,
  scanned,
} from './statsLineFields.ts';

let pos = 0;

/**
 * The usual line in one pass into `scanned`; false whenever anything differs. The line ends at `e`
 * or at an LF (CRLF) before it, so the file loop need not look for the LF first: every byte of the
 * line is read once, here. The digit loops stop at the first non-digit without comparing with `e`:
 * `b[e]`, when there is one, must be no digit (statsFile.ts passes the position after an LF, a
 * single line ends at its CR or LF); at the end of `b` the read is undefined, no digit either.
 */
export function scanUsualLine(b: Uint8Array, s: number, e: number): boolean {
  // Constants as locals: TurboFan folds these, but reloads and re-checks module-level ones at every
  // use (Node 20), which costs this loop several per cent.
  const TAB = 9;
  const LF = 10;
  const CR = 13;
  const SPACE = 32;
  const MINUS = 45;
  const DOT = 46;
  const BACKSLASH = 92;
  const maxDigits = MAX_DIGITS;
  const maxIntDigits = MAX_INT32_DIGITS; // longer ones are left to scanAnyLine (scanned.wide)
  const maxMinuteDigits = MAX_MINUTE_DIGITS;
  const fields = EXT;
  const kinds = KIND;
  const intKind = INT;
  const minKind = MIN;
  const pow10 = POW10;

  let p = nameEnd(b, s, e);
  if (p >= e || b[p] !== BACKSLASH || p - s > 8) return false;
  const b0 = p;
  p = nameEnd(b, p + 1, e);
  if (p >= e || b[p] !== BACKSLASH) return false;
  const b1 = p;
  pos = p + 1;
  const rounds = scanInt(b, e);
  if (Number.isNaN(rounds) || b[pos] !== BACKSLASH) return false;
  pos++;
  const team = scanInt(b, e);
  if (Number.isNaN(team) || b[pos] !== BACKSLASH) return false;
  pos++;
  const mask = scanUint(b, e);
  if (mask < 0 || mask >= MASK_LIMIT) return false;

  // ` <figure>` five times per weapon of the mask, then ` \t` (or `\t`); inline, as the 38 fields below:
  // ~100 numbers a line.
  const figures = scanned.figures;
  const count = 5 * bitCount(mask);
  // Each digit loop leaves the byte after its run in `c`: that byte is the separator checked next,
  // read once (a typed-array read is a map check, a bounds check and a load in V8).
  p = pos;
  let c = b[p]!;
  for (let k = 0; k < count; k++) {
    if (p >= e || c !== SPACE) return false;
    const start = ++p;
    let v = 0;
    for (;;) {
      c = b[p]!; // undefined past the end of `b`: no digit, as the line's LF or CR before it
      const d = c - 48;
      if (!(d >= 0 && d <= 9)) break;
      v = v * 10 + d;
      p++;
    }
    if (p === start || p - start > maxIntDigits) return false;
    figures[k] = v;
  }
  if (p < e && c === SPACE) c = b[++p]!;
  if (p >= e || c !== TAB) return false;

  const ext = scanned.ext;
  for (let f = 0; f < fields; f++) {
    const kind = kinds[f]!;
    c = b[++p]!;
    const negative = c === MINUS;
    if (negative) c = b[++p]!;
    const start = p;
    let v = 0;
    for (;;) {
      const d = c - 48;
      if (!(d >= 0 && d <= 9)) break;
      v = v * 10 + d;
      c = b[++p]!;
    }
    let digits = p - start;
    if (digits === 0) return false;
    // Integers (most fields) first, with their one check; the `%0.1f` ones may have a fraction.
    if (kind === intKind) {
      if (digits > maxIntDigits) return false;
    } else {
      if (c === DOT) {
        const fraction = ++p;
        for (;;) {
          c = b[p]!;
          const d = c - 48;
          if (!(d >= 0 && d <= 9)) break;
          v = v * 10 + d;
          p++;
        }
        digits += p - fraction;
        if (p === fraction || digits > maxDigits) return false;
        v /= pow10[p - fraction]!; // one correctly rounded division of exact values, as readDecimal
      }
      if (digits > maxDigits) return false;
      if (kind === minKind) {
        if (negative || digits > maxMinuteDigits) return false;
        v = minutesToSeconds(v);
      }
    }
    if (negative && v !== 0) v = -v;
    ext[f] = v;
    if (f < fields - 1 && (p >= e || c !== TAB)) return false;
  }
  // The line ends here: at `e`, or at an LF, or at a CR right before one (a CRLF file).
  let next = -1;
  if (p < e) {
    if (c === LF) next = p + 1;
    else if (c === CR && p + 1 < e && b[p + 1] === LF) next = p + 2;
    else return false;
  }
  scanned.b0 = b0;
  scanned.b1 = b1;
  scanned.rounds = rounds;
  scanned.team = team;
  scanned.mask = mask;
  scanned.figureCount = count;
  scanned.writerDpmFinite = true;
  scanned.nameRecovered = false;
  scanned.wide = false;
  scanned.next = next;
  return true;
}

/** The first `\` (92), TAB (9) or LF (10) at or after `p`, where a usual guid or name ends; or `e`. */
function nameEnd(b: Uint8Array, p: number, e: number): number {
  while (p < e) {
    const c = b[p]!;
    if (c === 92 || c === 9 || c === 10) return p;
    p++;
  }
  return e;
}

/** Unsigned integer at `pos` up to the first non-digit; -1 without a digit. */
function scanUint(b: Uint8Array, e: number): number {
  const start = pos;
  let p = start;
  let v = 0;
  while (p < e) {
    const d = b[p]! - 48;
    if (d < 0 || d > 9) break;
    v = v * 10 + d;
    p++;
  }
  pos = p;
  return p === start || p - start > MAX_DIGITS ? -1 : v;
}

function scanInt(b: Uint8Array, e: number): number {
  const negative = b[pos] === 45;
  if (negative) pos++;
  const v = scanUint(b, e);
  return v < 0 ? Number.NaN : negative && v !== 0 ? -v : v;
}
