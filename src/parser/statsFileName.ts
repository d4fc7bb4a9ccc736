// File name `YYYY-MM-DD-HHMMSS-<map>-round-<N>.txt` (shared/spec/stats-file.md §1.1).
import type { LocalDateTime, StatsParseError } from './statsTypes.ts';

export type StatsFileName = { fileLocalTime: LocalDateTime; fileMap: string; fileRound: 1 | 2 };

// The map may contain `-` and `_`: the greedy `(.+)` leaves only `-round-<N>.txt` to the right.
const pattern = /^(\d{4})-(\d{2})-(\d{2})-(\d{2})(\d{2})(\d{2})-(.+)-round-(\d+)\.txt$/;

export function parseStatsFileName(fileName: string): StatsFileName | StatsParseError {
  // The pre-patch writer names files `gamestats\<name>`; keep the last path segment either way.
  const base = fileName.slice(Math.max(fileName.lastIndexOf('/'), fileName.lastIndexOf('\\')) + 1);
  const m = pattern.exec(base);
  if (!m) return fail(fileName, 'expected YYYY-MM-DD-HHMMSS-<map>-round-<N>.txt');
  const [year, month, day, hour, minute, second] = m.slice(1, 7).map(Number) as [
    number,
    number,
    number,
    number,
    number,
    number,
  ];
  const round = m[8];
  if (round !== '1' && round !== '2') return fail(fileName, `round must be 1 or 2, got ${round}`);
  const daysInMonth = new Date(Date.UTC(year, month, 0)).getUTCDate();
  if (month < 1 || month > 12 || day < 1 || day > daysInMonth || hour > 23 || minute > 59 || second > 59) {
    return fail(fileName, 'the timestamp is not a valid calendar date and time');
  }
  return {
    fileLocalTime: { year, month, day, hour, minute, second },
    fileMap: m[7]!,
    fileRound: round === '1' ? 1 : 2,
  };
}

function fail(fileName: string, detail: string): StatsParseError {
  return { code: 'bad_file_name', line: 0, field: 'fileName', value: fileName.slice(0, 255), detail };
}
