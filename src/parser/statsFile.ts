// A c0rnp0rn round stats file: header line, then one LF-terminated line per player (shared/spec/stats-file.md).
import { normalizeMapName } from './names.ts';
import { R2_CUMULATIVE_FIELDS } from './round2.ts';
import { outOfBounds, sidesOutOfBounds } from './statsBounds.ts';
import { asBuffer, asciiView, fieldText, trimSpaces } from './statsBytes.ts';
import { parseStatsFileName, type StatsFileName } from './statsFileName.ts';
import { parseStatsHeader } from './statsHeader.ts';
import { scanned } from './statsLineFields.ts';
import { scanUsualLine } from './statsLineUsual.ts';
import { type PlayerLineContext, parsePlayerLine, scannedPlayer } from './statsPlayer.ts';
import { CONTROL_WINDOW, mostlyControl } from './statsText.ts';
import type {
  ParsedStatsPlayer,
  ParsedStatsRound,
  StatsIssue,
  StatsParseError,
  StatsParseOptions,
  StatsParseResult,
} from './statsTypes.ts';

export { fileTimeToUtcCandidates } from './localTime.ts';
export { differentiateRound2, R2_CUMULATIVE_FIELDS, R2_RATIO_FIELDS, unpairedRound2 } from './round2.ts';
export type * from './statsTypes.ts';
export { EXTENDED_FIELD_NAMES } from './statsTypes.ts';
export { WEAPON_NAMES, type WeaponName } from './weapons.ts';

export const DEFAULT_MAX_BYTES = 1024 * 1024;

const LF = 10;
const CR = 13;

/** Never throws: every failure is a StatsParseError, every skipped line an issue on the round. */
export function parseStatsFile(bytes: Uint8Array, fileName: string, options: StatsParseOptions = {}): StatsParseResult {
  try {
    return parse(bytes, fileName, options.maxBytes ?? DEFAULT_MAX_BYTES);
  } catch (e) {
    // Unreachable by design (the property tests look for this detail); kept so a bug quarantines a file.
    return fail('bad_header', 0, `internal parser error: ${e instanceof Error ? e.message : String(e)}`);
  }
}

function parse(b: Uint8Array, fileName: string, maxBytes: number): StatsParseResult {
  const name = parseStatsFileName(fileName);
  if ('code' in name) return { ok: false, error: name };
  if (b.length > maxBytes) return fail('too_large', 0, `${b.length} bytes, more than the limit of ${maxBytes}`);
  // Node's Buffer.indexOf is a memchr; TypedArray.prototype.indexOf is a far slower element loop.
  const nul = asBuffer(b).indexOf(0);
  // A crash often leaves a file's allocated tail zero-filled: that is a cut, not binary.
  if (nul >= 0 && !zeroFilledFrom(b, nul)) return fail('binary', 0, `NUL byte at offset ${nul}: not a text file`);
  const text = nul >= 0 ? b.subarray(0, nul) : b;
  if (b.length === 0) return fail('empty', 0, 'the file is empty');
  if (isBlank(text)) return fail('empty', 0, `the file holds only ${nul >= 0 ? 'NUL bytes' : 'white space'}`);
  return parseText(text, name, fileName, nul);
}

function parseText(b: Uint8Array, name: StatsFileName, fileName: string, zeroTailAt: number): StatsParseResult {
  const buf = asBuffer(b);

  const headerLf = buf.indexOf(LF);
  if (headerLf < 0) {
    if (mostlyControl(b)) return notText(b);
    return {
      ok: false,
      error: {
        code: 'bad_header',
        line: 1,
        field: 'lineEnd',
        value: fieldText(b, 0, b.length),
        detail: 'the header line has no LF: the file was cut inside the header',
      },
    };
  }
  const view = asciiView(buf);
  const issues: StatsIssue[] = [];
  const headerWritten = trimCr(b, 0, headerLf);
  const headerEnd = trimSpaces(b, 0, headerWritten);
  const header = parseStatsHeader(b, 0, headerEnd, view);
  if ('code' in header) return mostlyControl(b) ? notText(b) : { ok: false, error: header };
  if (headerEnd < headerWritten) issues.push(trailingWhitespace(b, headerEnd, headerWritten, 1));

  const flags = header.flags; // the header's own, fresh per call
  // Equal texts normalise equally: the usual case skips normalizeMapName's regular expressions.
  if (header.map !== name.fileMap && normalizeMapName(header.map) !== normalizeMapName(name.fileMap)) {
    flags.push('mapMismatch');
  }
  if (header.round !== name.fileRound) flags.push('roundMismatch');
  if (header.round === 2) flags.push('r2Cumulative');

  const ctx: PlayerLineContext = {
    timeLimitSec: header.timeLimitSec,
    cumulativeFields: header.round === 2 ? R2_CUMULATIVE_FIELDS : [],
    view,
  };
  const players: ParsedStatsPlayer[] = [];
  const n = b.length;
  // Usual lines are scanned up to their own LF, and not past the last one: the scanner's digit loops
  // stop at the first non-digit without checking the end. A cut last line takes the path below.
  const complete = afterLastLf(b);
  let line = 1;
  let p = headerLf + 1;
  while (p < n) {
    line++;
    if (scanUsualLine(b, p, complete) && scanned.next >= 0) {
      const beyond = sidesOutOfBounds(line);
      if (beyond === null) players.push(scannedPlayer(b, p, line, ctx));
      else issues.push(beyond);
      p = scanned.next;
      continue;
    }
    const lf = buf.indexOf(LF, p);
    if (lf < 0 && trimSpaces(b, p, n) === p) {
      // Spaces or a CR after the last LF: no line was cut, there is just nothing after it.
      issues.push({
        code: 'trailing_whitespace',
        line,
        value: fieldText(b, p, n),
        detail: `the file ends in ${n - p} space or CR bytes after its last LF: ignored`,
      });
      break;
    }
    if (lf < 0) {
      // Cut mid-line: whatever is left is lost, never completed with zeros.
      flags.push('truncated');
      issues.push({
        code: 'truncated',
        line,
        value: fieldText(b, p, n),
        detail: `line ${line} has no LF (${n - p} bytes${zeroTailAt >= 0 ? ', then NUL bytes' : ''}): the file was cut, the line is not used`,
      });
      break;
    }
    const written = trimCr(b, p, lf);
    const end = trimSpaces(b, p, written);
    if (end === p) {
      issues.push({ code: 'bad_player_row', line, field: 'line', value: '', detail: 'empty line' });
    } else {
      const r = parsePlayerLine(b, p, end, line, ctx);
      // parsePlayerLine leaves the line's values in `scanned`, where outOfBounds reads them.
      const problem = 'code' in r ? r : outOfBounds(line);
      if (problem) issues.push(problem);
      else {
        players.push(r as ParsedStatsPlayer);
        if (end < written) issues.push(trailingWhitespace(b, end, written, line));
      }
    }
    p = lf + 1;
  }
  if (zeroTailAt >= 0 && !flags.includes('truncated')) {
    flags.push('truncated');
    issues.push({
      code: 'truncated',
      line: line + 1,
      detail: `NUL bytes from offset ${zeroTailAt} to the end: the file was cut after line ${line}`,
    });
  }
  if (line === 1) flags.push('headerOnly');
  if (issues.length > 0 && mostlyControl(b)) return notText(b);

  // Written out rather than spread: the same keys in the same order, without copying through a rest.
  const round: ParsedStatsRound = {
    fileName,
    fileLocalTime: name.fileLocalTime,
    fileMap: name.fileMap,
    fileRound: name.fileRound,
    serverName: header.serverName,
    serverNameClean: header.serverNameClean,
    map: header.map,
    config: header.config,
    round: header.round,
    defender: header.defender,
    winner: header.winner,
    timeLimitSec: header.timeLimitSec,
    nextTimeLimitSec: header.nextTimeLimitSec,
    headerPlaytimeMs: header.headerPlaytimeMs,
    writer: header.writer,
    statsPlaytimeSec: header.statsPlaytimeSec,
    flags,
    players,
    issues,
    r1FileName: null,
  };
  return { ok: true, round };
}

/** The position after the file's last LF (0 without one). */
function afterLastLf(b: Uint8Array): number {
  let i = b.length;
  while (i > 0 && b[i - 1] !== LF) i--;
  return i;
}

/** The end of line [s, e) without the CR of a CRLF end (the last field is a number, never a name). */
function trimCr(b: Uint8Array, s: number, e: number): number {
  return e > s && b[e - 1] === CR ? e - 1 : e;
}

/** Trailing spaces were cut from a line that was then used: tolerated, and said. */
function trailingWhitespace(b: Uint8Array, end: number, written: number, line: number): StatsIssue {
  return {
    code: 'trailing_whitespace',
    line,
    value: fieldText(b, end, written),
    detail: `line ${line} ends in ${written - end} space or CR bytes after its last field: ignored, the line is used`,
  };
}

/** Every byte from `at` to the end is NUL. */
function zeroFilledFrom(b: Uint8Array, at: number): boolean {
  for (let i = at; i < b.length; i++) if (b[i] !== 0) return false;
  return true;
}

function isBlank(b: Uint8Array): boolean {
  for (let i = 0; i < b.length; i++) {
    const c = b[i]!;
    if (c !== 32 && c !== 9 && c !== 10 && c !== 13) return false;
  }
  return true;
}

function notText(b: Uint8Array): StatsParseResult {
  const n = Math.min(b.length, CONTROL_WINDOW);
  return fail('binary', 0, `more than 5 % control bytes outside names in the first ${n}: not a text file`);
}

function fail(code: StatsParseError['code'], line: number, detail: string): StatsParseResult {
  return { ok: false, error: { code, line, detail } };
}
