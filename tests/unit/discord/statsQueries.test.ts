import { describe, expect, it } from 'vitest';
import { matchPlayers, type PlayerRef, parseSince } from '../../../src/sinks/discord/statsQueries.ts';

const p = (name: string, guid8: string, rounds = 1, fullGuid: string | null = null): PlayerRef => ({
  name,
  guid8,
  fullGuid,
  rounds,
  lastSeenUnix: 0,
});
const players = [
  p('bramble', 'C08D3E6A', 9, 'C08D3E6A1F5B47209D8E7F6A5B4C3D2E'),
  p('Bram', 'AAAAAAAA', 2),
  p('Oskar', '7B61E2F0', 5),
  p('[BOT]Hans', 'OMNIBOT0', 1),
  p('Vektor', '3F9A1C0E', 7),
];

describe('player lookup', () => {
  it('prefers an exact name over a prefix, a prefix over a substring', () => {
    expect(matchPlayers(players, 'bram').map((x) => x.name)).toEqual(['Bram']);
    expect(matchPlayers(players, 'bramb').map((x) => x.name)).toEqual(['bramble']);
    expect(matchPlayers(players, 'kar').map((x) => x.name)).toEqual(['Oskar']);
  });

  it('ignores case, colours and punctuation, and tolerates two typos', () => {
    expect(matchPlayers(players, 'BOT hans').map((x) => x.guid8)).toEqual(['OMNIBOT0']);
    expect(matchPlayers(players, 'vectr').map((x) => x.name)).toEqual(['Vektor']);
  });

  it('returns every candidate when a name is ambiguous, most rounds first', () => {
    expect(matchPlayers(players, 'r').map((x) => x.name)).toEqual(['bramble', 'Vektor', 'Oskar', 'Bram']);
  });

  it('takes an 8- or 32-character GUID', () => {
    expect(matchPlayers(players, 'c08d3e6a').map((x) => x.name)).toEqual(['bramble']);
    expect(matchPlayers(players, 'C08D3E6A1F5B47209D8E7F6A5B4C3D2E').map((x) => x.name)).toEqual(['bramble']);
  });

  it('finds nothing for text with no letters or digits', () => {
    expect(matchPlayers(players, '@@@')).toEqual([]);
  });
});

describe('since', () => {
  const now = Date.UTC(2026, 7, 20, 12, 0, 0);
  it('reads periods back from now, dates, and nothing as all time', () => {
    expect(parseSince('7d', now)).toBe(now / 1000 - 7 * 86_400);
    expect(parseSince('24h', now)).toBe(now / 1000 - 86_400);
    expect(parseSince('2026-08-01', now)).toBe(Date.UTC(2026, 7, 1) / 1000);
    expect(parseSince(undefined, now)).toBe(0);
    expect(parseSince('whenever', now)).toBeNull();
  });
});
