// File name `YYYY-MM-DD-HHMMSS-<map>-round-<N>.txt` (shared/spec/stats-file.md §1.1).
import type { LocalDateTime, StatsParseError } from './statsTypes.ts';

export type StatsFileName = { fileLocalTime: LocalDateTime; fileMap: string; fileRound: 1 | 2 };

const PREFIX = 18; // `YYYY-MM-DD-HHMMSS-`
const ROUND = '-round-';
const SUFFIX = '.txt';
/** Days per month; February is left to Date (which reads years 0–99 as 1900–1999, as it always did here). */
const DAYS = [31, 0, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

/**
 * Read by hand, once per file, where a regular expression, its match array and six Number() calls cost
 * as much as a player line. The grammar is /^(\d{4})-(\d{2})-(\d{2})-(\d{2})(\d{2})(\d{2})-(.+)-round-(\d+)\.txt$/:
 * the map (non-empty, no line terminator, may hold `-` and `_`) is what lies between the timestamp and
 * the one `-round-<digits>.txt` that can end the name.
 */
export function parseStatsFileName(fileName: string): StatsFileName | StatsParseError {
  // The pre-patch writer names files `gamestats\<name>`; keep the last path segment either way.
  const base = fileName.slice(baseStart(fileName));
  const digitsEnd = base.length - SUFFIX.length;
  let digitsStart = digitsEnd;
  while (digitsStart > 0 && isDigit(base, digitsStart - 1)) digitsStart--;
  const mapEnd = digitsStart - ROUND.length;
  if (
    !base.endsWith(SUFFIX) ||
    digitsStart === digitsEnd ||
    mapEnd <= PREFIX ||
    !base.startsWith(ROUND, mapEnd) ||
    !isTimestamp(base) ||
    hasLineTerminator(base, PREFIX, mapEnd)
  ) {
    return fail(fileName, 'expected YYYY-MM-DD-HHMMSS-<map>-round-<N>.txt');
  }
  const round = base.slice(digitsStart, digitsEnd);
  if (round !== '1' && round !== '2') return fail(fileName, `round must be 1 or 2, got ${round}`);
  const year = number(base, 0, 4);
  const month = number(base, 5, 7);
  const day = number(base, 8, 10);
  const hour = number(base, 11, 13);
  const minute = number(base, 13, 15);
  const second = number(base, 15, 17);
  const daysInMonth = month === 2 ? new Date(Date.UTC(year, 2, 0)).getUTCDate() : (DAYS[month - 1] ?? 0);
  if (month < 1 || month > 12 || day < 1 || day > daysInMonth || hour > 23 || minute > 59 || second > 59) {
    return fail(fileName, 'the timestamp is not a valid calendar date and time');
  }
  return {
    fileLocalTime: { year, month, day, hour, minute, second },
    fileMap: base.slice(PREFIX, mapEnd),
    fileRound: round === '1' ? 1 : 2,
  };
}

/** After the last `/` or `\`: a loop, as String.prototype.lastIndexOf is a runtime call (twice). */
function baseStart(fileName: string): number {
  let i = fileName.length;
  while (i > 0) {
    const c = fileName.charCodeAt(i - 1);
    if (c === 47 || c === 92) break;
    i--;
  }
  return i;
}

function isDigit(text: string, i: number): boolean {
  const c = text.charCodeAt(i);
  return c >= 48 && c <= 57;
}

/** `YYYY-MM-DD-HHMMSS-`: digits, with `-` at 4, 7, 10 and 17. */
function isTimestamp(base: string): boolean {
  for (let i = 0; i < PREFIX; i++) {
    const dash = i === 4 || i === 7 || i === 10 || i === 17;
    if (dash ? base.charCodeAt(i) !== 45 : !isDigit(base, i)) return false;
  }
  return true;
}

/** What the regular expression's `.` does not match: LF, CR, U+2028, U+2029. */
function hasLineTerminator(text: string, s: number, e: number): boolean {
  for (let i = s; i < e; i++) {
    const c = text.charCodeAt(i);
    if (c === 10 || c === 13 || c === 0x2028 || c === 0x2029) return true;
  }
  return false;
}

function number(text: string, s: number, e: number): number {
  let v = 0;
  for (let i = s; i < e; i++) v = v * 10 + text.charCodeAt(i) - 48;
  return v;
}

function fail(fileName: string, detail: string): StatsParseError {
  return { code: 'bad_file_name', line: 0, field: 'fileName', value: fileName.slice(0, 255), detail };
}
