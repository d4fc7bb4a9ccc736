// Whether bytes that did not parse cleanly as a stats file are text at all. Names are raw engine bytes:
// the server name (header f1) and a player's name may hold any byte the engine allowed, a BEL
// included (shared/spec/stats-file.md §2.3, §6); every other field is digits and separators. So only
// control bytes outside the names tell binary from text.
import { trimSpaces } from './statsBytes.ts';
import { locateHeaderFields } from './statsHeader.ts';
import { EXT } from './statsLineFields.ts';

/** How much of a file the binary test reads. */
export const CONTROL_WINDOW = 4096;
const TAB = 9;
const LF = 10;
const CR = 13;
const BACKSLASH = 92;
const MAX_GUID = 8;

/**
 * Control bytes (but TAB, LF and CR) outside the names make more than 5 % of the first 4 KiB. Asked
 * only once something failed to parse; a zero-filled tail is cut off before (a crash, not binary).
 */
export function mostlyControl(b: Uint8Array): boolean {
  const n = Math.min(b.length, CONTROL_WINDOW);
  let controls = 0;
  for (let s = 0; s < n; ) {
    let e = s;
    while (e < b.length && b[e] !== LF) e++;
    const [ns, ne] = s === 0 ? serverName(b, s, e) : playerName(b, s, e);
    for (let i = s; i < Math.min(e, n); i++) if (isControl(b[i]!) && (i < ns || i >= ne)) controls++;
    s = e + 1;
  }
  return controls * 20 > n;
}

function isControl(c: number): boolean {
  return c < 32 && c !== TAB && c !== LF && c !== CR;
}

/** [start, end) of f1 in header line b[s, e), read as the parser reads it; empty when it has too few fields. */
function serverName(b: Uint8Array, s: number, e: number): [number, number] {
  const h = locateHeaderFields(b, s, trimSpaces(b, s, e));
  return h.f2 < 1 ? [s, s] : [s, h.ends[h.f2 - 1]!];
}

/**
 * [start, end) of the name in player line b[s, e), leniently, for a line that may be cut or rejected:
 * after a guid of at most 8 bytes, up to the third `\` before the 38 extended fields (as scanAnyLine
 * reads it), or, in a line without them, up to the next `\`. Empty when there is no such guid.
 */
function playerName(b: Uint8Array, s: number, e: number): [number, number] {
  const guidEnd = Math.min(e, s + MAX_GUID + 1);
  let b0 = s;
  while (b0 < guidEnd && b[b0] !== BACKSLASH) b0++;
  if (b0 === guidEnd) return [s, s];
  let headEnd = e;
  for (let tabs = 0; headEnd > b0 && tabs < EXT; ) if (b[--headEnd] === TAB) tabs++;
  let b1 = headEnd;
  for (let slashes = 0; b1 > b0 && slashes < 3; ) if (b[--b1] === BACKSLASH) slashes++;
  if (b1 > b0 && b[headEnd] === TAB) return [b0 + 1, b1];
  b1 = b0 + 1;
  while (b1 < e && b[b1] !== BACKSLASH) b1++;
  return [b0 + 1, b1];
}
