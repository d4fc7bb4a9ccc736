import { describe, expect, it } from 'vitest';
import { postKinds } from '../../../projections/discordOutbox.ts';
import { lineup, verdict } from './verdictFixture.ts';

describe('what a verdict asks to post', () => {
  it('a joined round: a summary and a timing check; a Lua-only round: the timing check; a ghost: nothing', () => {
    const { verdictPlayers } = lineup(2);
    expect(postKinds(verdict({ players: verdictPlayers })).map((k) => k.kind)).toEqual([
      'round-summary',
      'timing-check',
    ]);
    expect(postKinds(verdict({ status: 'LUA_ONLY', statsFactId: null }))).toEqual([
      { kind: 'timing-check', channel: 'timing' },
    ]);
    expect(postKinds(verdict({ status: 'LUA_ONLY', statsFactId: null, flags: ['ghost'] }))).toEqual([]);
  });

  it('a stats round nobody played (a header-only file): the timing check only, never a result', () => {
    expect(postKinds(verdict({ players: [] }))).toEqual([{ kind: 'timing-check', channel: 'timing' }]);
  });
});
