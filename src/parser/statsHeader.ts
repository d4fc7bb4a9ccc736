// Header line `server\map\config\round\defender\winner\M:SS\M:SS[\playtimeMs]` (shared/spec/stats-file.md §2.2).
import { cleanText, decodeText, fieldText, readDecimal, readMinSec, readUint } from './statsBytes.ts';
import { type ParsedStatsRound, type RoundFlag, type StatsParseError, VALUE_BOUNDS } from './statsTypes.ts';

/** The header's part of a parsed round: the same fields, never written twice. */
export type StatsHeader = Pick<
  ParsedStatsRound,
  | 'serverName'
  | 'serverNameClean'
  | 'map'
  | 'config'
  | 'round'
  | 'defender'
  | 'winner'
  | 'timeLimitSec'
  | 'nextTimeLimitSec'
  | 'headerPlaytimeMs'
  | 'writer'
  | 'statsPlaytimeSec'
  | 'flags'
>;

/** c0rnp0rn7 writes f1–f8, c0rnp0rn8 adds f9. */
const MIN_HEADER_FIELDS = 8;

/** Where each backslash-separated field of a header line lies, read from the right. */
export type HeaderFields = {
  starts: number[];
  ends: number[];
  /** Index of f2 (map): the fields before it are the server name, which may hold a `\`. */
  f2: number;
  /** The last field is f9: there are ≥ 9 fields and the last is not an M:SS time (an 8-field header's f8). */
  hasF9: boolean;
};

/**
 * Fields are taken from the right (spec §2.2 f1: a `\` in `sv_hostname` would shift every later
 * field): f9 when present, f8 … f2, and whatever is left is the server name. Recognition
 * (recognize.ts) and parsing both read a header this way. With fewer than 8 fields, f2 < 1.
 */
export function locateHeaderFields(b: Uint8Array, s: number, e: number): HeaderFields {
  const starts = [s];
  const ends: number[] = [];
  for (let i = s; i < e; i++) {
    if (b[i] === 92) {
      ends.push(i);
      starts.push(i + 1);
    }
  }
  ends.push(e);
  const n = starts.length;
  const hasF9 = n > MIN_HEADER_FIELDS && Number.isNaN(readMinSec(b, starts[n - 1]!, e));
  return { starts, ends, f2: n - (hasF9 ? 8 : 7), hasF9 };
}

/** f4 (round) as an unsigned integer, -1 when it is none or the header has too few fields. */
export function headerRound(b: Uint8Array, h: HeaderFields): number {
  if (h.starts.length < MIN_HEADER_FIELDS) return -1;
  return readUint(b, h.starts[h.f2 + 2]!, h.ends[h.f2 + 2]!);
}

/** The header line b[s, e) (without its line end). `view` is statsBytes.asciiView of the file. */
export function parseStatsHeader(b: Uint8Array, s: number, e: number, view: string): StatsHeader | StatsParseError {
  const h = locateHeaderFields(b, s, e);
  const { starts, ends, f2 } = h;
  const n = starts.length;
  if (n < MIN_HEADER_FIELDS) {
    return bad(
      'fieldCount',
      String(n),
      `expected 8 (c0rnp0rn7) or 9 (c0rnp0rn8) backslash-separated fields, found ${n}`,
    );
  }
  const lastS = starts[n - 1]!;
  const nine = h.hasF9;
  const last = nine ? readDecimal(b, lastS, e) : Number.NaN;
  if (nine && Number.isNaN(last)) {
    return bad('playtimeMs', fieldText(b, lastS, e), 'f9 must be an integer of milliseconds (or f8 an M:SS time)');
  }
  if (nine && (!Number.isInteger(last) || Math.abs(last) > VALUE_BOUNDS.playtimeMs)) {
    return bad('playtimeMs', fieldText(b, lastS, e), 'f9 must be an integer of milliseconds');
  }

  const round = headerRound(b, h);
  if (round !== 1 && round !== 2) return bad('round', fieldAt(b, starts, ends, f2 + 2), 'f4 (round) must be 1 or 2');
  const defender = readUint(b, starts[f2 + 3]!, ends[f2 + 3]!);
  if (defender < 0 || defender > VALUE_BOUNDS.side) {
    return bad('defender', fieldAt(b, starts, ends, f2 + 3), `f5 (defender) must be an integer 0–${VALUE_BOUNDS.side}`);
  }
  const winner = readUint(b, starts[f2 + 4]!, ends[f2 + 4]!);
  if (winner < 0 || winner > VALUE_BOUNDS.side) {
    return bad('winner', fieldAt(b, starts, ends, f2 + 4), `f6 (winner) must be an integer 0–${VALUE_BOUNDS.side}`);
  }
  const timeLimitSec = readMinSec(b, starts[f2 + 5]!, ends[f2 + 5]!);
  if (Number.isNaN(timeLimitSec) || timeLimitSec > VALUE_BOUNDS.limitSec) {
    return bad('timeLimit', fieldAt(b, starts, ends, f2 + 5), 'f7 (time limit) must be M:SS, below 2^31 s');
  }
  const nextTimeLimitSec = readMinSec(b, starts[f2 + 6]!, ends[f2 + 6]!);
  if (Number.isNaN(nextTimeLimitSec) || nextTimeLimitSec > VALUE_BOUNDS.limitSec) {
    return bad('nextTimeLimit', fieldAt(b, starts, ends, f2 + 6), 'f8 (next time limit) must be M:SS, below 2^31 s');
  }

  const serverEnd = ends[f2 - 1]!;
  const serverName = decodeText(b, s, serverEnd, view);
  const headerPlaytimeMs = nine ? last : null;
  const flags: RoundFlag[] = [];
  const statsPlaytimeSec = statsPlaytime(round, timeLimitSec, nextTimeLimitSec, headerPlaytimeMs, flags);
  if (headerPlaytimeMs !== null && headerPlaytimeMs < 0) {
    flags.push('shutdownWritten');
    if (winner === 0) flags.push('aborted');
  }
  if ((defender !== 1 && defender !== 2) || winner > 2) flags.push('unexpectedSide');
  return {
    serverName,
    serverNameClean: cleanText(b, s, serverEnd, serverName),
    map: decodeText(b, starts[f2]!, ends[f2]!, view),
    config: decodeText(b, starts[f2 + 1]!, ends[f2 + 1]!, view),
    round,
    defender,
    winner,
    timeLimitSec,
    nextTimeLimitSec,
    headerPlaytimeMs,
    writer: nine ? 'c0rnp0rn8' : 'c0rnp0rn7',
    statsPlaytimeSec,
    flags,
  };
}

/**
 * A round-2 limit is the round-1 time floored to the second (or a fractional engine limit such as
 * 259.98 s) and a full hold runs exactly to it: only more than this over the limit is `overLimit`.
 */
const OVER_LIMIT_TOLERANCE_SEC = 1;

/**
 * correlation.md "The verdict": f9 ÷ 1000 when positive, not capped (`overLimit` when more than 1 s
 * over the limit); else, in round 1, f8 (g_nextTimeLimit, the elapsed time when the attackers won)
 * capped at the limit, flagged `approximateStatsTime`; else unknown (an R2's f8 is never a time).
 * A negative f9 is the shutdown path (spec §1.3): the engine has reset g_nextTimeLimit and the
 * header's round says nothing reliable about the half, so f8 is no time there either.
 */
function statsPlaytime(
  round: 1 | 2,
  limitSec: number,
  nextLimitSec: number,
  playtimeMs: number | null,
  flags: RoundFlag[],
): number | null {
  if (playtimeMs !== null && playtimeMs > 0) {
    const sec = playtimeMs / 1000;
    if (limitSec > 0 && sec > limitSec + OVER_LIMIT_TOLERANCE_SEC) flags.push('overLimit');
    return sec;
  }
  const shutdownWritten = playtimeMs !== null && playtimeMs < 0;
  if (round === 1 && !shutdownWritten) {
    flags.push('approximateStatsTime');
    return limitSec > 0 ? Math.min(nextLimitSec, limitSec) : nextLimitSec;
  }
  return null;
}

/** Field k's text, for an error. Not a closure in parseStatsHeader: tsx (keepNames) would wrap it per call. */
function fieldAt(b: Uint8Array, starts: number[], ends: number[], k: number): string {
  return fieldText(b, starts[k]!, ends[k]!);
}

function bad(field: string, value: string, detail: string): StatsParseError {
  return { code: 'bad_header', line: 1, field, value, detail };
}
