// Tells what kind of fact a fetched file or body is, by content only (never by its name):
// - stats: line 1 is a backslash-separated header of ≥ 8 fields whose f4 (round), counted from the
//   right as the parser counts it, is 1 or 2 (shared/spec/stats-file.md §2.2); nothing further is parsed.
// - lua: a JSON object of one of the Lua report shapes (shared/spec/lua-report.md).
// Our script writes JSON keys in Lua hash order, so the marker key can be anywhere: a JSON
// candidate within the report size limit is parsed whole; a larger one is judged by its first bytes.
import { detectLuaShape, MAX_LUA_REPORT_BYTES, parseJsonBytes } from './luaReport.ts';
import { trimSpaces } from './statsBytes.ts';
import { headerRound, locateHeaderFields } from './statsHeader.ts';

export type FactKind = 'stats' | 'lua' | 'unknown';

const HEADER_PREFIX_BYTES = 4096;
const LF = 0x0a;
const OPEN_BRACE = 0x7b;
const latin1 = new TextDecoder('latin1');
const luaMarkers = ['"et-ledger.round/1"', '"et-ledger.round/2"', '"et-ledger.pause/1"', '"STATS_READY"'];

export function recognizeFact(bytes: Uint8Array, _fileName: string | null): FactKind {
  // A server name may start with `{`, so a brace alone does not make JSON.
  if (firstNonBlank(bytes) === OPEN_BRACE) {
    if (bytes.length <= MAX_LUA_REPORT_BYTES) {
      const json = parseJsonBytes(bytes);
      if (json.ok) return detectLuaShape(json.value) === null ? 'unknown' : 'lua';
    } else {
      const head = latin1.decode(bytes.subarray(0, HEADER_PREFIX_BYTES));
      if (luaMarkers.some((m) => head.includes(m))) return 'lua';
    }
  }
  return isStatsHeader(bytes) ? 'stats' : 'unknown';
}

function firstNonBlank(bytes: Uint8Array): number | undefined {
  let i = 0;
  if (bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf) i = 3;
  while (i < bytes.length && (bytes[i] === 0x20 || bytes[i] === 0x09 || bytes[i] === 0x0a || bytes[i] === 0x0d)) i++;
  return bytes[i];
}

/** A server name may hold a `\`, so f4 is found from the right, by the parser's own field layout. */
function isStatsHeader(bytes: Uint8Array): boolean {
  const head = bytes.subarray(0, HEADER_PREFIX_BYTES);
  const lf = head.indexOf(LF);
  if (lf < 0 && bytes.length > HEADER_PREFIX_BYTES) return false;
  const end = trimSpaces(head, 0, lf < 0 ? head.length : lf);
  const round = headerRound(head, locateHeaderFields(head, 0, end));
  return round === 1 || round === 2;
}
