// Times on the pages are the game server's local time, with its zone named (the zone its stats file
// names were read in), so "21:41" on a page is "21:41" in the server's console.

import { localClock } from '../sinks/discord/renderFormat.ts';

const formatters = new Map<string, { date: Intl.DateTimeFormat }>();

function formattersFor(tz: string) {
  let f = formatters.get(tz);
  if (!f) {
    const zone = safeZone(tz);
    f = {
      date: new Intl.DateTimeFormat('en-GB', {
        timeZone: zone,
        weekday: 'short',
        day: 'numeric',
        month: 'short',
        year: 'numeric',
      }),
    };
    formatters.set(tz, f);
  }
  return f;
}

function safeZone(tz: string): string {
  try {
    new Intl.DateTimeFormat('en-GB', { timeZone: tz });
    return tz;
  } catch {
    return 'UTC';
  }
}

/** `21:41` in the zone: the posts' clock (renderFormat.localClock), so a page and a post agree. */
export const timeIn = (unix: number, tz: string): string => localClock(unix, tz);

/** `Wed 19 Aug 2026` in the zone. */
export const dateIn = (unix: number, tz: string): string => formattersFor(tz).date.format(unix * 1000);

/** An ISO instant, for `<time datetime>`. */
export const isoOf = (unix: number): string => new Date(unix * 1000).toISOString();

/** `12 min ago`, `3 h ago`, `2 days ago`. */
export function ago(unix: number, nowUnix: number): string {
  const s = Math.max(0, nowUnix - unix);
  if (s < 90) return 'just now';
  if (s < 5400) return `${Math.round(s / 60)} min ago`;
  if (s < 172_800) return `${Math.round(s / 3600)} h ago`;
  return `${Math.round(s / 86_400)} days ago`;
}

export const fixed = (n: number | null | undefined, digits = 0): string =>
  n === null || n === undefined || !Number.isFinite(n) ? '–' : n.toFixed(digits);
