// File-name time `YYYY-MM-DD-HHMMSS` is the server's local wall clock, no zone (shared/spec/stats-file.md §1.1,
// spec/correlation.md "Three clocks"): one UTC candidate per offset that fits.
import type { LocalDateTime } from './statsTypes.ts';

const DAY = 86_400;

/**
 * The readings of one wall-clock time lie within a day of it read as UTC (every UTC offset is less
 * than a day: ECMAScript bounds them), so any two are less than this apart. Lookups of readings by
 * time use it as a lower bound: a fact whose latest reading is ≥ t has its earliest ≥ t − this.
 */
export const MAX_READING_SPAN_SEC = 2 * DAY;
const formatters = new Map<string, Intl.DateTimeFormat>();

/**
 * Unix seconds at which `tz`'s wall clock read `local`, ascending: two in the autumn overlap, one
 * otherwise; a time inside the spring gap is shifted forward by the gap (read with the earlier
 * offset, as Temporal's "compatible" does). Unknown zone, impossible date or a year before 100 → [].
 */
export function fileTimeToUtcCandidates(local: LocalDateTime, tz: string): readonly number[] {
  const key = `${tz} ${local.year}-${local.month}-${local.day} ${local.hour}:${local.minute}:${local.second}`;
  let found = recent.get(key);
  if (found === undefined) {
    found = Object.freeze(candidatesOf(local, tz));
    // Every projection that pairs rounds asks for the same files' times: remember the last few thousand.
    if (recent.size >= 4096) recent.clear();
    recent.set(key, found);
  }
  return found;
}

const recent = new Map<string, readonly number[]>();

function candidatesOf(local: LocalDateTime, tz: string): number[] {
  const { year, month, day, hour, minute, second } = local;
  const wallMs = Date.UTC(year, month - 1, day, hour, minute, second);
  const check = new Date(wallMs);
  if (
    !Number.isFinite(wallMs) ||
    check.getUTCFullYear() !== year ||
    check.getUTCMonth() !== month - 1 ||
    check.getUTCDate() !== day ||
    check.getUTCHours() !== hour ||
    check.getUTCMinutes() !== minute ||
    check.getUTCSeconds() !== second
  ) {
    return [];
  }
  const fmt = formatter(tz);
  if (fmt === null) return [];
  const wall = wallMs / 1000;
  const before = offsetAt(fmt, wall - DAY);
  const after = offsetAt(fmt, wall + DAY);
  const candidates: number[] = [];
  for (const offset of new Set([before, offsetAt(fmt, wall), after])) {
    const t = wall - offset;
    if (offsetAt(fmt, t) === offset && !candidates.includes(t)) candidates.push(t);
  }
  if (candidates.length === 0) return [wall - before];
  return candidates.sort((a, b) => a - b);
}

function formatter(tz: string): Intl.DateTimeFormat | null {
  let fmt = formatters.get(tz);
  if (fmt === undefined) {
    try {
      fmt = new Intl.DateTimeFormat('en-US', {
        timeZone: tz,
        hourCycle: 'h23',
        year: 'numeric',
        month: 'numeric',
        day: 'numeric',
        hour: 'numeric',
        minute: 'numeric',
        second: 'numeric',
      });
    } catch {
      return null;
    }
    formatters.set(tz, fmt);
  }
  return fmt;
}

/** The zone's UTC offset in seconds at unix time `t` (wall clock read as UTC, minus t). */
function offsetAt(fmt: Intl.DateTimeFormat, t: number): number {
  const f: Record<string, number> = {};
  for (const part of fmt.formatToParts(t * 1000)) if (part.type !== 'literal') f[part.type] = Number(part.value);
  const wall = Date.UTC(f.year ?? 0, (f.month ?? 1) - 1, f.day ?? 1, f.hour ?? 0, f.minute ?? 0, f.second ?? 0);
  return (wall - t * 1000) / 1000;
}
