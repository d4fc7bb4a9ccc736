// Against a FAKE of Discord's REST v10 (tests/support/discordFake.ts; no real Discord server exists
// for tests): the sink posts each round once per channel, edits on a superseding verdict, waits
// out 429s and rate-limit headers, retries 5xx, and logs a refused channel without crashing.
import { Registry } from 'prom-client';
import { afterEach, describe, expect, it } from 'vitest';
import { type DiscordSink, startDiscordSink } from '../../../src/sinks/discord/discordSink.ts';
import type { Ledger } from '../../../src/store/openStore.ts';
import { type DiscordFake, startDiscordFake, tooManyRequests } from '../../support/discordFake.ts';
import {
  appendFiles,
  appendTick,
  capturedLogger,
  fakeConfig,
  openTestLedger,
  project,
  quietLogger,
  roundsChannel,
  sample,
  supplyR1,
  timingChannel,
} from './discordLedger.ts';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function setup(opts: Parameters<typeof startDiscordFake>[0] = {}) {
  const fake = await startDiscordFake(opts);
  fake.addChannel(roundsChannel);
  fake.addChannel(timingChannel);
  const ledger = await openTestLedger();
  cleanups.push(
    () => fake.close(),
    () => ledger.close(),
  );
  return { fake, ledger };
}

function start(ledger: Ledger, fake: DiscordFake, extra: Partial<Parameters<typeof startDiscordSink>[0]> = {}) {
  const sink = startDiscordSink({
    db: ledger.db,
    config: fakeConfig(fake),
    log: quietLogger(),
    pollMs: 100,
    retryInitialMs: 20,
    ...extra,
  });
  cleanups.push(() => sink.stop());
  return sink;
}

const writes = (fake: DiscordFake, method: string) =>
  fake.requests.filter((r) => r.method === method && /\/channels\/\d+\/messages/.test(r.path));

describe('Discord sink', () => {
  it('posts a round once to each channel, with mentions disabled', async () => {
    const { fake, ledger } = await setup();
    await appendFiles(ledger, [supplyR1.lua, supplyR1.stats]);
    await appendTick(ledger, supplyR1.fileTimeUnix + 600);
    await project(ledger);
    const sink = start(ledger, fake);
    await sink.drain();
    expect(fake.messages(roundsChannel)).toHaveLength(1);
    expect(fake.messages(timingChannel)).toHaveLength(1);
    const summary = fake.messages(roundsChannel)[0]!;
    expect(summary.embeds[0]!.title).toBe('supply · round 1');
    expect(summary.allowed_mentions).toEqual({ parse: [] });
    expect(fake.messages(timingChannel)[0]!.embeds[0]!.title).toContain('ALIGNED');
    // The same facts again, another tick, another pass: nothing new is sent.
    await appendFiles(ledger, [supplyR1.lua, supplyR1.stats]);
    await appendTick(ledger, supplyR1.fileTimeUnix + 900);
    await project(ledger);
    await sink.drain();
    expect(writes(fake, 'POST')).toHaveLength(2);
    expect(writes(fake, 'PATCH')).toHaveLength(0);
  });

  it('edits the posts when a late Lua report supersedes NO_LUA_DATA', async () => {
    const { fake, ledger } = await setup();
    await appendFiles(ledger, [supplyR1.stats]);
    await appendTick(ledger, supplyR1.fileTimeUnix + 600);
    await project(ledger);
    const sink = start(ledger, fake);
    await sink.drain();
    const timing = fake.messages(timingChannel);
    expect(timing).toHaveLength(1);
    expect(timing[0]!.embeds[0]!.title).toContain('NO_LUA_DATA');
    expect(fake.messages(roundsChannel)[0]!.embeds[0]!.description).toContain('stats clock');
    await appendFiles(ledger, [supplyR1.lua]);
    await project(ledger);
    await sink.drain();
    expect(fake.messages(timingChannel)).toHaveLength(1);
    expect(fake.messages(timingChannel)[0]!.edits).toBe(1);
    expect(fake.messages(timingChannel)[0]!.embeds[0]!.title).toContain('ALIGNED');
    expect(fake.messages(roundsChannel)).toHaveLength(1);
    expect(fake.messages(roundsChannel)[0]!.embeds[0]!.description).toContain('9:03 (Lua)');
    expect(writes(fake, 'POST')).toHaveLength(2);
  });

  it('deletes the timing check of a LUA_ONLY report when it joins a stats round, which posts its own', async () => {
    const { fake, ledger } = await setup();
    await appendFiles(ledger, [sample('lua-legacy/03-etl_adlernest-R1-lua-before-stats.json')]);
    await appendTick(ledger, 1787169602 + 600);
    await project(ledger);
    const sink = start(ledger, fake);
    await sink.drain();
    expect(fake.messages(roundsChannel)).toHaveLength(0);
    expect(fake.messages(timingChannel)).toHaveLength(1);
    expect(fake.messages(timingChannel)[0]!.embeds[0]!.title).toContain('LUA_ONLY');
    await appendFiles(ledger, [sample('stats/2026-08-19-220005-etl_adlernest-round-1.txt')]);
    await project(ledger);
    await sink.drain();
    // The channel ends as if both facts had come together: one timing check, the joined round's.
    expect(fake.messages(timingChannel)).toHaveLength(1);
    expect(fake.messages(timingChannel)[0]!.embeds[0]!.title).toContain('ALIGNED');
    expect(fake.messages(timingChannel)[0]!.edits).toBe(0);
    expect(fake.messages(roundsChannel)).toHaveLength(1);
    expect(writes(fake, 'POST')).toHaveLength(3);
    expect(writes(fake, 'DELETE')).toHaveLength(1);
  });

  it('waits out a 429 and posts once', async () => {
    const { fake, ledger } = await setup();
    fake.failNext({ method: 'POST' }, tooManyRequests(0.3));
    await appendFiles(ledger, [supplyR1.lua, supplyR1.stats]);
    await appendTick(ledger, supplyR1.fileTimeUnix + 600);
    await project(ledger);
    const sink = start(ledger, fake);
    await sink.drain();
    const posts = writes(fake, 'POST');
    expect(posts).toHaveLength(3);
    expect(posts[1]!.atMs - posts[0]!.atMs).toBeGreaterThanOrEqual(290);
    expect(fake.messages(roundsChannel)).toHaveLength(1);
    expect(fake.messages(timingChannel)).toHaveLength(1);
  });

  it('respects X-RateLimit-Remaining instead of running into 429s', async () => {
    const { fake, ledger } = await setup({ bucket: { limit: 1, windowMs: 300 } });
    await appendFiles(ledger, [
      supplyR1.lua,
      supplyR1.stats,
      sample('stats/2026-08-19-214737-supply-round-2.txt'),
      sample('lua-legacy/02-supply-R2-surrender.json'),
      sample('stats/2026-08-19-220005-etl_adlernest-round-1.txt'),
      sample('lua-legacy/03-etl_adlernest-R1-lua-before-stats.json'),
    ]);
    await appendTick(ledger, supplyR1.fileTimeUnix + 1800);
    await project(ledger);
    const sink = start(ledger, fake);
    await sink.drain();
    expect(fake.messages(roundsChannel)).toHaveLength(3);
    expect(fake.messages(timingChannel)).toHaveLength(3);
    // @discordjs/rest learns a route's bucket from its first answer, so the request right after that
    // one may still meet a 429 (waited out); every later one waits for the reset the headers announce.
    expect(fake.rateLimitViolations).toBeLessThanOrEqual(1);
  });

  it('retries a 5xx with back-off', async () => {
    const { fake, ledger } = await setup();
    fake.failNext({ method: 'POST' }, { status: 503, body: { message: 'upstream' } }, 2);
    await appendFiles(ledger, [supplyR1.lua, supplyR1.stats]);
    await appendTick(ledger, supplyR1.fileTimeUnix + 600);
    await project(ledger);
    const sink = start(ledger, fake);
    await sink.drain();
    expect(fake.messages(roundsChannel)).toHaveLength(1);
    expect(fake.messages(timingChannel)).toHaveLength(1);
  });

  it('logs a channel without permission once and keeps posting to the other', async () => {
    const fake = await startDiscordFake();
    fake.addChannel(roundsChannel, { access: 'forbidden' });
    fake.addChannel(timingChannel);
    const ledger = await openTestLedger();
    cleanups.push(
      () => fake.close(),
      () => ledger.close(),
    );
    await appendFiles(ledger, [supplyR1.lua, supplyR1.stats]);
    await appendTick(ledger, supplyR1.fileTimeUnix + 600);
    await project(ledger);
    const { log, lines } = capturedLogger();
    const sink: DiscordSink = start(ledger, fake, { log, channelPauseMs: 60_000 });
    await expect.poll(() => fake.messages(timingChannel).length).toBe(1);
    await new Promise((r) => setTimeout(r, 400));
    const errors = lines().filter((l) => l.level === 50);
    expect(errors).toHaveLength(1);
    expect(String(errors[0]!.msg)).toMatch(/ET_LEDGER_CHANNEL_ROUNDS.*Send Messages/);
    expect(writes(fake, 'POST').filter((r) => r.path.includes(roundsChannel))).toHaveLength(1);
    await sink.stop();
  });

  it('posts a session summary with a PNG chart once the session has ended', async () => {
    const { fake, ledger } = await setup();
    const evening = [
      'stats/2026-08-19-214136-supply-round-1.txt',
      'stats/2026-08-19-214737-supply-round-2.txt',
      'stats/2026-08-19-220005-etl_adlernest-round-1.txt',
      'stats/2026-08-19-220523-etl_adlernest-round-2.txt',
      'lua-legacy/01-supply-R1-objective-two-pauses.json',
      'lua-legacy/02-supply-R2-surrender.json',
      'lua-legacy/03-etl_adlernest-R1-lua-before-stats.json',
    ].map(sample);
    await appendFiles(ledger, evening);
    // 30 min after the last round: rounds decided, the session not over (45 min gap).
    await appendTick(ledger, 1787169923 + 1800);
    await project(ledger);
    const sink = start(ledger, fake);
    await sink.drain();
    const titles = () => fake.messages(roundsChannel).map((m) => m.embeds[0]!.title);
    expect(titles()).toHaveLength(4);
    await appendTick(ledger, 1787169923 + 2701);
    await project(ledger);
    await sink.drain();
    expect(titles()).toEqual([
      'supply · round 1',
      'supply · round 2',
      'etl\\_adlernest · round 1',
      'etl\\_adlernest · round 2',
      'Session summary · 2026-08-19',
    ]);
    const summary = fake.messages(roundsChannel)[4]!;
    expect(summary.embeds[0]!.description).toMatch(/^\*\*Team bramble 4 – 0 Team Vektor\*\*\n2 maps · 4 rounds/);
    expect(summary.embeds[0]!.fields!.map((f) => f.name)).toEqual(['Maps', 'Top DPM (own time in play)', 'Awards']);
    expect(summary.attachments.map((a) => a.filename)).toEqual(['session-dpm.png']);
    const png = fake.files.get(summary.attachments[0]!.id)!;
    expect([...png.subarray(0, 8)]).toEqual([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
    // Later ticks change nothing.
    await appendTick(ledger, 1787169923 + 4000);
    await project(ledger);
    await sink.drain();
    expect(fake.messages(roundsChannel)).toHaveLength(5);
    expect(writes(fake, 'PATCH')).toHaveLength(0);
  });

  it('names an unknown channel in one error line and counts it', async () => {
    const fake = await startDiscordFake();
    fake.addChannel(roundsChannel);
    const ledger = await openTestLedger();
    cleanups.push(
      () => fake.close(),
      () => ledger.close(),
    );
    await appendFiles(ledger, [supplyR1.lua, supplyR1.stats]);
    await appendTick(ledger, supplyR1.fileTimeUnix + 600);
    await project(ledger);
    const { log, lines } = capturedLogger();
    const registry = new Registry();
    start(ledger, fake, { log, registry, channelPauseMs: 60_000 });
    await expect.poll(() => fake.messages(roundsChannel).length).toBe(1);
    await expect.poll(() => lines().filter((l) => l.level === 50).length).toBe(1);
    await new Promise((r) => setTimeout(r, 300));
    const errors = lines().filter((l) => l.level === 50);
    expect(errors).toHaveLength(1);
    expect(String(errors[0]!.msg)).toContain(
      `Discord does not know channel ${timingChannel} (ET_LEDGER_CHANNEL_TIMING)`,
    );
    const metric = await registry.getSingleMetricAsString('et_ledger_discord_errors_total');
    expect(metric).toContain(`et_ledger_discord_errors_total{channel="${timingChannel}",reason="unknown_channel"} 1`);
  });

  it('does not post rounds older than ET_LEDGER_POST_MAX_AGE', async () => {
    const { fake, ledger } = await setup();
    await appendFiles(ledger, [supplyR1.lua, supplyR1.stats]);
    await appendTick(ledger, supplyR1.fileTimeUnix + 600);
    await project(ledger);
    const sink = start(ledger, fake, {
      config: fakeConfig(fake, { postMaxAgeSec: 6 * 3600 }),
      now: () => (supplyR1.fileTimeUnix + 7 * 3600) * 1000,
    });
    await sink.drain();
    expect(writes(fake, 'POST')).toHaveLength(0);
  });
});
