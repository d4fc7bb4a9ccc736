// One rule for times in posts: the game server's local time with its zone named.
import { describe, expect, it } from 'vitest';
import { localClock, localDateTime, localDay, localTime, zoneName } from '../../../src/sinks/discord/renderFormat.ts';
import { renderSessionSummary } from '../../../src/sinks/discord/renderSessionSummary.ts';
import { buildEvening } from '../../../src/stats/evening.ts';

// 2026-08-19 19:41:36 UTC = 21:41 in Ljubljana (CEST); 20:48:00 UTC = 22:48.
const first = Date.UTC(2026, 7, 19, 19, 41, 36) / 1000;
const last = Date.UTC(2026, 7, 19, 20, 48, 0) / 1000;
const evening = buildEvening({ maps: [], rounds: [], rows: [] });
const session = { serverId: 'eu1', tz: null, firstUnix: first, lastUnix: last, rounds: [], evening, top: [] };

describe('times in posts', () => {
  it('the helpers show the server clock and name the zone; no zone is UTC, named', () => {
    expect(localTime(first, 'Europe/Ljubljana')).toBe('21:41 Europe/Ljubljana');
    expect(localDateTime(first, 'Europe/Ljubljana')).toBe('2026-08-19 21:41 Europe/Ljubljana');
    expect(localClock(first, null)).toBe('19:41');
    expect(zoneName(null)).toBe('UTC');
    expect(localTime(first, null)).toBe('19:41 UTC');
    // The server's calendar day: 23:30 UTC is already the next day in Ljubljana.
    expect(localDay(Date.UTC(2026, 7, 19, 23, 30) / 1000, 'Europe/Ljubljana')).toBe('2026-08-20');
    expect(localDay(Date.UTC(2026, 7, 19, 23, 30) / 1000, null)).toBe('2026-08-19');
    // A zone this runtime does not know is never passed off as one: it is shown as UTC, named.
    expect(localTime(first, 'Mars/Olympus')).toBe('19:41 UTC');
  });

  it("the session summary prints the server's local times with the zone named", () => {
    const m = renderSessionSummary({ ...session, tz: 'Europe/Ljubljana' }, 'ref0');
    const description = m.embeds[0]!.description ?? '';
    expect(description).toContain('21:41–22:48 Europe/Ljubljana');
    expect(description).not.toContain('UTC');
    expect(m.embeds[0]!.title).toBe('Session summary · 2026-08-19');
  });

  it('a session whose zone is not known says UTC', () => {
    const m = renderSessionSummary(session, 'ref0');
    expect(m.embeds[0]!.description).toContain('19:41–20:48 UTC');
  });

  it("the title's day is the server's calendar day", () => {
    const late = Date.UTC(2026, 7, 19, 22, 30) / 1000; // 00:30 on the 20th in Ljubljana
    const m = renderSessionSummary({ ...session, firstUnix: late, lastUnix: late + 600, tz: 'Europe/Ljubljana' }, 'r');
    expect(m.embeds[0]!.title).toBe('Session summary · 2026-08-20');
    expect(m.embeds[0]!.description).toContain('00:30–00:40 Europe/Ljubljana');
  });
});
