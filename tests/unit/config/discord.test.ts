import { describe, expect, it } from 'vitest';
import { loadDiscordConfig, parseDuration, postMaxAgeSec } from '../../../src/config/discord.ts';

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

describe('the posts’ maximum age, read without a token (rebuild --report)', () => {
  it('is 6 h unset or empty, as the sender reads it', () => {
    expect(postMaxAgeSec({})).toBe(6 * 3600);
    expect(postMaxAgeSec({ ET_LEDGER_POST_MAX_AGE: '' })).toBe(6 * 3600);
    expect(postMaxAgeSec({ ET_LEDGER_POST_MAX_AGE: '90m' })).toBe(5400);
    expect(postMaxAgeSec({ ET_LEDGER_POST_MAX_AGE: '0' })).toBe(0);
  });

  it('refuses a bad value in the one error shape', () => {
    expect(() => postMaxAgeSec({ ET_LEDGER_POST_MAX_AGE: 'soon' })).toThrow(
      'invalid Discord configuration:\n  ET_LEDGER_POST_MAX_AGE = "soon": must be a duration such as 6h, 90m or 0 (no limit)\n    example: ET_LEDGER_POST_MAX_AGE=6h',
    );
  });
});
