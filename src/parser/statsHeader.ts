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

/**
 * Fields are taken from the right: f9 (when the last field is a number) … f2, and whatever is left is
 * the server name, so a `\` inside `sv_hostname` does not shift the other fields. `view` is
 * statsBytes.asciiView of the file.
 */
export function parseStatsHeader(b: Uint8Array, s: number, e: number, view: string): StatsHeader | StatsParseError {
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
  if (n < 8) {
    return bad(
      'fieldCount',
      String(n),
      `expected 8 (c0rnp0rn7) or 9 (c0rnp0rn8) backslash-separated fields, found ${n}`,
    );
  }
  const lastS = starts[n - 1]!;
  const last = readDecimal(b, lastS, e);
  const nine = n >= 9 && !Number.isNaN(last);
  if (n >= 9 && !nine && Number.isNaN(readMinSec(b, lastS, e))) {
    return bad('playtimeMs', fieldText(b, lastS, e), 'f9 must be an integer of milliseconds (or f8 an M:SS time)');
  }
  const f2 = n - (nine ? 8 : 7);

  if (nine && (!Number.isInteger(last) || Math.abs(last) > VALUE_BOUNDS.playtimeMs)) {
    return bad('playtimeMs', fieldText(b, lastS, e), 'f9 must be an integer of milliseconds');
  }

  const round = readUint(b, starts[f2 + 2]!, ends[f2 + 2]!);
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
 * over the limit); else an 8-field R1's f8
 * (g_nextTimeLimit, the elapsed time when the attackers won) capped at the limit; else unknown.
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
  if (playtimeMs === null && round === 1) {
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
