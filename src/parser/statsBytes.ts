// Number scanning over the raw bytes of a stats file: ASCII integers, `%0.1f` decimals and `M:SS`
// (shared/spec/stats-file.md §2.2–2.4). Every reader returns NaN (or -1) instead of throwing.
import { isUtf8 } from 'node:buffer';
import { decodeCp1252, decodeRawName } from './names.ts';

const MAX_DIGITS = 15; // stays below 2^53
const POW10 = [1, 10, 100, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15];

/** Unsigned decimal integer in b[s, e), or -1. */
export function readUint(b: Uint8Array, s: number, e: number): number {
  if (e <= s || e - s > MAX_DIGITS) return -1;
  let v = 0;
  for (let i = s; i < e; i++) {
    const d = b[i]! - 48;
    if (d < 0 || d > 9) return -1;
    v = v * 10 + d;
  }
  return v;
}

/** Optionally negative integer in b[s, e), or NaN. */
export function readInt(b: Uint8Array, s: number, e: number): number {
  if (s < e && b[s] === 45) {
    const v = readUint(b, s + 1, e);
    return v < 0 ? Number.NaN : v === 0 ? 0 : -v;
  }
  const v = readUint(b, s, e);
  return v < 0 ? Number.NaN : v;
}

/**
 * `-?digits(.digits)?` in b[s, e), or NaN. mantissa ÷ 10^k is one correctly rounded division of
 * two exact values, so the result equals parseFloat of the same text.
 */
export function readDecimal(b: Uint8Array, s: number, e: number): number {
  let i = s;
  const negative = i < e && b[i] === 45;
  if (negative) i++;
  let mantissa = 0;
  let digits = 0;
  let fraction = -1;
  for (; i < e; i++) {
    const c = b[i]!;
    if (c === 46 && fraction < 0 && digits > 0) {
      fraction = 0;
      continue;
    }
    const d = c - 48;
    if (d < 0 || d > 9) return Number.NaN;
    mantissa = mantissa * 10 + d;
    digits++;
    if (fraction >= 0) fraction++;
  }
  if (digits === 0 || digits > MAX_DIGITS || fraction === 0) return Number.NaN;
  const v = fraction > 0 ? mantissa / POW10[fraction]! : mantissa;
  return negative ? (v === 0 ? 0 : -v) : v;
}

/** `M:SS` (the writer's ConvertTimelimit: minutes unpadded, seconds 00–59) as seconds, or NaN. */
export function readMinSec(b: Uint8Array, s: number, e: number): number {
  if (e - s < 4 || b[e - 3] !== 58) return Number.NaN;
  const minutes = readUint(b, s, e - 3);
  const tens = b[e - 2]! - 48;
  const ones = b[e - 1]! - 48;
  if (minutes < 0 || tens < 0 || tens > 5 || ones < 0 || ones > 9) return Number.NaN;
  return minutes * 60 + tens * 10 + ones;
}

/** Lua's `%0.1f` of ±inf or nan (glibc prints `inf`, `-inf`, `nan`, `-nan`). */
export function isNonFiniteText(b: Uint8Array, s: number, e: number): boolean {
  if (s < e && b[s] === 45) s++;
  const n = e - s;
  if (n !== 3) return false;
  const a = b[s]! | 32;
  const c = b[s + 1]! | 32;
  const d = b[s + 2]! | 32;
  return (a === 105 && c === 110 && d === 102) || (a === 110 && c === 97 && d === 110);
}

/** A field's text for an issue report: decoded like a name, at most 80 bytes. */
export function fieldText(b: Uint8Array, s: number, e: number): string {
  const end = Math.min(e, s + 80);
  return decodeRawName(b.subarray(s, end)) + (end < e ? '…' : '');
}

/** The end of line [s, e) without trailing spaces and CRs, which the writer never writes. */
export function trimSpaces(b: Uint8Array, s: number, e: number): number {
  while (e > s && (b[e - 1] === 32 || b[e - 1] === 13)) e--;
  return e;
}

/** Minutes with 0.1 resolution → integer seconds, without float floors (4.4 min → 264 s). */
export function minutesToSeconds(minutes: number): number {
  return Math.round(Math.round(minutes * 600) / 10);
}

/** The bytes as a Buffer without a copy, for Node's memchr-based indexOf and its latin1 decoder. */
export function asBuffer(b: Uint8Array): Buffer {
  return Buffer.isBuffer(b) ? b : Buffer.from(b.buffer, b.byteOffset, b.byteLength);
}

/**
 * The file as one string, to slice names and fields from without a decoder call each: Latin-1, one
 * character per byte (offsets match), each byte its own code point. Sliced where the bytes are ASCII
 * (every decoder agrees there), or where the Windows-1252 decoder reads bytes as Latin-1 too.
 */
export function asciiView(b: Uint8Array): string {
  return asBuffer(b).toString('latin1');
}

/**
 * Bytes decoded exactly as names.ts's decodeRawName does (the property tests compare both), faster:
 * pure ASCII (the usual case) is sliced from `view`, and invalid UTF-8 without a byte in 0x80–0x9F
 * (where Windows-1252 and Latin-1 agree) too.
 */
export function decodeText(b: Uint8Array, s: number, e: number, view: string): string {
  for (let i = s; i < e; i++) {
    if (b[i]! > 0x7f) {
      const bytes = b.subarray(s, e);
      if (isUtf8(bytes)) return decodeRawName(bytes);
      for (let j = i; j < e; j++) if (b[j]! >= 0x80 && b[j]! <= 0x9f) return decodeCp1252(b, s, e);
      return view.slice(s, e);
    }
  }
  return view.slice(s, e);
}

/**
 * names.ts's cleanName of `raw` (the bytes b[s, e), decoded), without its regular expressions: text
 * without `^`, control bytes, non-ASCII or edge spaces is returned as is, ASCII without control bytes
 * only loses its colour codes and edge spaces, anything else goes to cleanAny (the property tests
 * compare it with cleanName on any bytes).
 */
export function cleanText(b: Uint8Array, s: number, e: number, raw: string): string {
  let caret = false;
  for (let i = s; i < e; i++) {
    const c = b[i]!;
    if (c < 32 || c >= 127) return cleanAny(raw);
    if (c === CARET) caret = true;
  }
  if (caret) return stripColourCodes(b, s, e, raw).trim();
  return s < e && (b[s] === 32 || b[e - 1] === 32) ? raw.trim() : raw;
}

const CARET = 94;

/**
 * `raw.replace(/\^[^^]/g, '')` for ASCII `raw` (= the bytes b[s, e), one character each), as the runs of
 * `raw` between codes: a `^` and the byte after it go, unless that is another `^`, which may then start
 * a code itself.
 */
function stripColourCodes(b: Uint8Array, s: number, e: number, raw: string): string {
  let out = '';
  let from = s;
  for (let i = s; i < e - 1; i++) {
    if (b[i] !== CARET || b[i + 1] === CARET) continue;
    if (i > from) out += raw.slice(from - s, i - s);
    from = i + 2;
    i++;
  }
  return from < e ? out + raw.slice(from - s) : out;
}

/**
 * names.ts's cleanName for any text, without its regular expressions (~1 µs a name): control
 * characters (C0, DEL, C1) go first, then each `^` with the code point after it unless that is a `^`
 * (what `/\^[^^]/gu` removes), then edge white space. Its third expression never finds anything:
 * removing characters makes no new control character.
 */
function cleanAny(raw: string): string {
  let text = '';
  let from = 0;
  for (let i = 0; i < raw.length; i++) {
    const c = raw.charCodeAt(i);
    if (c > 0x1f && (c < 0x7f || c > 0x9f)) continue;
    text += raw.slice(from, i);
    from = i + 1;
  }
  text = from === 0 ? raw : text + raw.slice(from);
  let out = '';
  from = 0;
  for (let i = 0; i < text.length - 1; i++) {
    if (text.charCodeAt(i) !== CARET) continue;
    const next = text.codePointAt(i + 1)!;
    if (next === CARET) continue;
    out += text.slice(from, i);
    i += next > 0xffff ? 2 : 1;
    from = i + 1;
  }
  return (from === 0 ? text : out + text.slice(from)).trim();
}
