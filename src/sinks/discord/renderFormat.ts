// Small formatting helpers shared by the renderers: times, teams, numbers, the reconcile marker.
import { createHash } from 'node:crypto';
import type { Verdict } from '../../events/index.ts';

/** `265` → `4:25`; fractions of a second show one decimal (`543.54` → `9:03.5`). */
export function clock(sec: number | null): string {
  if (sec === null || !Number.isFinite(sec)) return '–';
  const whole = Math.abs(sec - Math.round(sec)) < 0.05;
  const total = whole ? Math.round(sec) : Math.round(sec * 10) / 10;
  const m = Math.floor(total / 60);
  const s = total - m * 60;
  const ss = whole ? String(s).padStart(2, '0') : s.toFixed(1).padStart(4, '0');
  return `${m}:${ss}`;
}

/** `4:25 (265 s)`. */
export const clockAndSeconds = (sec: number | null): string =>
  sec === null ? '–' : `${clock(sec)} (${Number.isInteger(sec) ? sec : sec.toFixed(1)} s)`;

export const teamName = (side: number): string => (side === 1 ? 'Axis' : side === 2 ? 'Allies' : 'unknown');

export const signed = (n: number): string => (n > 0 ? `+${n}` : String(n));

export const num = (n: number | null | undefined, digits = 0): string =>
  n === null || n === undefined || !Number.isFinite(n) ? '–' : n.toFixed(digits);

/** Right-aligns a value in a code-block column. */
export const col = (v: string, width: number): string => v.padStart(width);

/** Winner and outcome in words: `Axis won · surrender (Allies surrendered)`. */
export function resultLine(v: Verdict): string {
  const winner = v.winner === 0 ? 'winner unknown' : `${teamName(v.winner)} won`;
  return `${winner} · ${outcomeWords(v)}`;
}

export function outcomeWords(v: Verdict): string {
  if (v.surrender) return `surrender (${teamName(v.surrenderTeam ?? 0)} surrendered)`;
  if (v.outcome === 'FULL_HOLD') return 'full hold';
  if (v.outcome === 'COMPLETED') return 'completed';
  return 'outcome unknown';
}

/** Fighting time with where it comes from: the Lua clock is the truth; the stats clock is marked. */
export function fightingTimeText(v: Verdict): string {
  if (v.fightingTimeSec === null) return 'unknown';
  if (v.luaPlaytimeSec !== null) return `${clock(v.fightingTimeSec)} (Lua)`;
  const approx = v.flags.includes('approximateStatsTime') ? '≈' : '';
  return `${approx}${clock(v.fightingTimeSec)} ⚠ stats clock (no Lua time)`;
}

/**
 * The reference a post carries in its footer and as its nonce (Discord allows 25 characters): a
 * restart finds a message it sent but did not record by searching the channel for it.
 */
export function postRef(targetKey: string, kind: string): string {
  return createHash('sha256').update(`${targetKey}\0${kind}`).digest('hex').slice(0, 20);
}

export const refFooter = (ref: string): string => `ref ${ref}`;

/** An R2 without its R1 whose figures are both halves: the rounds flag, or the verdict's. */
export const isCumulative = (roundFlags: readonly string[], verdict: Verdict | null): boolean =>
  roundFlags.includes('r2Cumulative') ||
  (verdict?.flags as readonly string[] | undefined)?.includes('cumulativeFigures') === true;

/** A stopwatch map's result from the R2 attackers' view, in words: `beat 9:03 by 4:38`, `held 9:03`. */
export function mapResultWords(m: { result: string; timeSetSec: number | null; r2TimeSec: number | null }): string {
  if (m.result === 'beaten')
    return m.timeSetSec !== null && m.r2TimeSec !== null
      ? `beat ${clock(m.timeSetSec)} by ${clock(m.timeSetSec - m.r2TimeSec)}`
      : `beat ${clock(m.timeSetSec)}`;
  if (m.result === 'held') return `held ${clock(m.timeSetSec)}`;
  if (m.result === 'draw') return `both held ${clock(m.timeSetSec)}: draw`;
  return 'result unknown';
}

/** Why a map has no result, most telling first. */
const mapFlagWords: [string, string][] = [
  ['r1NoPlayers', 'R1 had no players'],
  ['r2NoPlayers', 'R2 had no players'],
  ['r1Aborted', 'R1 aborted'],
  ['r2Aborted', 'R2 aborted'],
  ['r1Missing', 'R1 missing'],
  ['r2Missing', 'no R2'],
  ['timeUnknown', 'time unknown'],
];

/** Why a map has no result, in words (`R1 missing`), or ''; `first` keeps only the most telling reason. */
export function mapUnknownWhy(flags: readonly string[], first = false): string {
  const words = mapFlagWords.filter(([f]) => flags.includes(f)).map(([, w]) => w);
  return first ? (words[0] ?? '') : words.join(', ');
}

// Times: one rule in posts (and wherever a reader sees a time of play): the game server's local
// time with its zone named, `21:41 Europe/Ljubljana`. A time without a known zone is UTC, named so.

const zoneFormats = new Map<string, { format: Intl.DateTimeFormat; zone: string }>();
const wallClockParts: Intl.DateTimeFormatOptions = {
  year: 'numeric',
  month: '2-digit',
  day: '2-digit',
  hour: '2-digit',
  minute: '2-digit',
  hourCycle: 'h23',
};

/** A formatter for `tz`; a zone this runtime does not know falls back to UTC, named so. */
function zoneFormat(tz: string | null): { format: Intl.DateTimeFormat; zone: string } {
  const key = tz ?? 'UTC';
  let f = zoneFormats.get(key);
  if (!f) {
    try {
      f = { format: new Intl.DateTimeFormat('en-GB', { ...wallClockParts, timeZone: key }), zone: key };
    } catch {
      f = { format: new Intl.DateTimeFormat('en-GB', { ...wallClockParts, timeZone: 'UTC' }), zone: 'UTC' };
    }
    zoneFormats.set(key, f);
  }
  return f;
}

/** The date and time of `unix` on the wall clock of `tz` (UTC when null or unknown). */
function wallClock(unix: number, tz: string | null): { day: string; hm: string; zone: string } {
  const { format, zone } = zoneFormat(tz);
  const part = Object.fromEntries(format.formatToParts(unix * 1000).map((p) => [p.type, p.value]));
  return { day: `${part.year}-${part.month}-${part.day}`, hm: `${part.hour}:${part.minute}`, zone };
}

/** `2026-08-19`: the day on the server's calendar. */
export const localDay = (unix: number, tz: string | null): string => wallClock(unix, tz).day;

/** `21:41`, on the server's clock (name the zone once nearby: zoneName). */
export const localClock = (unix: number, tz: string | null): string => wallClock(unix, tz).hm;

/** The zone a time of `tz` is shown in: itself, or UTC when it is unknown. */
export const zoneName = (tz: string | null): string => zoneFormat(tz).zone;

/** `21:41 Europe/Ljubljana`. */
export const localTime = (unix: number, tz: string | null): string => {
  const w = wallClock(unix, tz);
  return `${w.hm} ${w.zone}`;
};

/** `2026-08-19 21:41 Europe/Ljubljana`. */
export const localDateTime = (unix: number, tz: string | null): string => {
  const w = wallClock(unix, tz);
  return `${w.day} ${w.hm} ${w.zone}`;
};
