import { describe, expect, it } from 'vitest';
import { postKinds } from '../../../projections/discordOutbox.ts';
import { loadDiscordConfig, parseDuration } from '../../../src/sinks/discord/discordConfig.ts';
import { lineup, verdict } from './verdictFixture.ts';

const token = 'MTIzNDU2Nzg5MDEyMzQ1Njc4.GAbCdE.abcdefghijklmnopqrstuvwxyz0123456789';

describe('Discord configuration', () => {
  it('is off (null) when no Discord variable is set', () => {
    expect(loadDiscordConfig({})).toBeNull();
  });

  it('reads token, channels, API and max age with defaults', () => {
    const c = loadDiscordConfig({ DISCORD_TOKEN: token, ET_LEDGER_CHANNEL_ROUNDS: '1012345678901234568' });
    expect(c).toEqual({
      token,
      guildId: null,
      channels: { rounds: '1012345678901234568', timing: null },
      api: 'https://discord.com/api',
      postMaxAgeSec: 6 * 3600,
    });
    expect(
      loadDiscordConfig({
        DISCORD_TOKEN: token,
        ET_LEDGER_CHANNEL_TIMING: '1012345678901234569',
        ET_LEDGER_POST_MAX_AGE: '0',
        ET_LEDGER_DISCORD_API: 'http://127.0.0.1:9999/api/',
      }),
    ).toMatchObject({ postMaxAgeSec: 0, api: 'http://127.0.0.1:9999/api' });
  });

  it('names the variable, the problem and an example, and never prints the token', () => {
    const bad = () =>
      loadDiscordConfig({ DISCORD_TOKEN: token, ET_LEDGER_CHANNEL_ROUNDS: '#rounds', ET_LEDGER_POST_MAX_AGE: 'soon' });
    expect(bad).toThrow(
      /ET_LEDGER_CHANNEL_ROUNDS = "#rounds": .*17 to 20 digits[\s\S]*example: ET_LEDGER_CHANNEL_ROUNDS=1012/,
    );
    expect(bad).toThrow(/ET_LEDGER_POST_MAX_AGE = "soon": must be a duration/);
    expect(() => loadDiscordConfig({ DISCORD_TOKEN: token })).toThrow(/no channel is/);
    expect(() => loadDiscordConfig({ ET_LEDGER_CHANNEL_TIMING: '1012345678901234569' })).toThrow(
      /DISCORD_TOKEN = \(unset\): is required when ET_LEDGER_CHANNEL_TIMING is set/,
    );
    try {
      loadDiscordConfig({
        DISCORD_TOKEN: 'has spaces in it but is long',
        ET_LEDGER_CHANNEL_ROUNDS: '1012345678901234568',
      });
    } catch (e) {
      expect((e as Error).message).toContain('DISCORD_TOKEN = (hidden)');
      expect((e as Error).message).not.toContain('has spaces');
    }
  });

  it('parses durations', () => {
    expect(parseDuration('6h')).toBe(21600);
    expect(parseDuration('90m')).toBe(5400);
    expect(parseDuration('45')).toBe(45);
    expect(parseDuration('2d')).toBe(172800);
    expect(parseDuration('later')).toBeNull();
  });
});

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
