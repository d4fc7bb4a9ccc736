// Against a FAKE of Discord's REST v10 and gateway (tests/support/discordFake.ts): discord.js logs
// in, registers the guild commands, and answers each slash command from the read models.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type DiscordSink, startDiscordSink } from '../../../src/sinks/discord/discordSink.ts';
import type { Ledger } from '../../../src/store/openStore.ts';
import { type DiscordFake, startDiscordFake } from '../../support/discordFake.ts';
import {
  appendFiles,
  appendTick,
  fakeConfig,
  openTestLedger,
  project,
  quietLogger,
  roundsChannel,
  sample,
  supplyR1,
  timingChannel,
} from './discordLedger.ts';

let fake: DiscordFake;
let ledger: Ledger;
let sink: DiscordSink;

beforeAll(async () => {
  fake = await startDiscordFake();
  fake.addChannel(roundsChannel);
  fake.addChannel(timingChannel);
  ledger = await openTestLedger();
  await appendFiles(ledger, [
    supplyR1.lua,
    supplyR1.stats,
    sample('stats/2026-08-19-214737-supply-round-2.txt'),
    sample('lua-legacy/02-supply-R2-surrender.json'),
  ]);
  await appendTick(ledger, supplyR1.fileTimeUnix + 1800);
  await project(ledger);
  sink = startDiscordSink({
    db: ledger.db,
    config: fakeConfig(fake, { guildId: fake.guildId, channels: { rounds: null, timing: timingChannel } }),
    log: quietLogger(),
    pollMs: 100,
  });
});

afterAll(async () => {
  await sink?.stop();
  await ledger?.close();
  await fake?.close();
});

const texts = (a: Awaited<ReturnType<DiscordFake['interact']>>) =>
  (a.data.embeds ?? [])
    .flatMap((e) => [e.title ?? '', e.description ?? '', ...(e.fields ?? []).flatMap((f) => [f.name, f.value])])
    .join('\n');

describe('slash commands', () => {
  it('registers the commands in the configured guild', async () => {
    expect(await sink.commandsReady).toBe(true);
    const body = fake.registeredCommands.at(-1)!.body as { name: string }[];
    expect(body.map((c) => c.name).sort()).toEqual([
      'compare',
      'last-session',
      'leaderboard',
      'link',
      'map',
      'round',
      'session',
      'stats',
      'timing',
      'unlink',
    ]);
  });

  it('/stats finds a player by part of the name and answers with corrected DPM', async () => {
    const a = await fake.interact('stats', { player: 'bram' });
    expect(a.type).toBe(4);
    expect(a.data.allowed_mentions).toEqual({ parse: [] });
    const t = texts(a);
    expect(t).toContain('**bramble**');
    // (1764 + 810) damage × 60 / (540 + 264) s of corrected time.
    expect(t).toContain('DPM\n192.1 (on 13:24 fighting time)');
  });

  it('/stats asks which player when a name is ambiguous, and takes a GUID', async () => {
    const a = await fake.interact('stats', { player: 'r' });
    expect(a.data.embeds![0]!.title).toBe('Which player?');
    expect(texts(a)).toContain('C08D3E6A');
    const b = await fake.interact('stats', { player: 'c08d3e6a' });
    expect(texts(b)).toContain('**bramble**');
    const none = await fake.interact('stats', { player: '@everyone' });
    expect(none.data.embeds![0]!.title).toBe('Nothing found');
    expect(texts(none)).not.toContain('@everyone');
  });

  it('/leaderboard ranks by a metric since a date', async () => {
    const a = await fake.interact('leaderboard', { metric: 'kills', since: '2026-08-19' });
    const t = texts(a);
    expect(a.data.embeds![0]!.title).toBe('Leaderboard · kills');
    expect(t).toMatch(/ 1\. Vektor\s+27/);
    const future = await fake.interact('leaderboard', { metric: 'dpm', since: '2030-01-01' });
    expect(texts(future)).toContain('Nobody yet');
  });

  it('/round last and /timing by file name answer with the post renderers', async () => {
    const round = await fake.interact('round', { id: 'last' });
    expect(round.data.embeds![0]!.title).toBe('supply · round 2');
    const timing = await fake.interact('timing', { round: '2026-08-19-214136-supply-round-1.txt' });
    expect(timing.data.embeds![0]!.title).toBe('Timing · supply · round 1 · ALIGNED');
  });

  it('/last-session lists the rounds and the top DPM', async () => {
    const a = await fake.interact('last-session');
    const t = texts(a);
    expect(a.data.embeds![0]!.title).toBe('Last session');
    expect(t).toMatch(/supply\s+R1\s+9:03\s+Allies · completed/);
    expect(t).toMatch(/supply\s+R2\s+4:25\s+Axis · surrender/);
    expect(t).toContain('Top DPM');
  });
});
