// /link, /unlink, /compare, /map and /session against the FAKE of Discord's REST v10 and gateway
// (tests/support/discordFake.ts) on the sample evening: a link is a fact in the log, so `/stats`
// without a player means "me" and a rebuild keeps it; every answer is inert to hostile names.

import { readdirSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadProjections } from '../../../src/runtime/registry.ts';
import { buildAndSwap } from '../../../src/runtime/serving.ts';
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
  sample,
  samples,
  timingChannel,
} from './discordLedger.ts';

let fake: DiscordFake;
let ledger: Ledger;
let sink: DiscordSink;

const evening = [
  ...readdirSync(`${samples}stats`)
    .filter((f) => f.startsWith('2026-08-19') && f.endsWith('.txt'))
    .map((f) => sample(`stats/${f}`)),
  ...readdirSync(`${samples}lua-legacy`)
    .filter((f) => f.endsWith('.json'))
    .map((f) => sample(`lua-legacy/${f}`)),
];

beforeAll(async () => {
  fake = await startDiscordFake();
  fake.addChannel(timingChannel);
  ledger = await openTestLedger();
  await appendFiles(ledger, evening);
  await appendTick(ledger, Date.parse('2026-08-19T23:59:00Z') / 1000);
  await project(ledger);
  sink = startDiscordSink({
    db: ledger.db,
    config: fakeConfig(fake, { guildId: fake.guildId, channels: { rounds: null, timing: timingChannel } }),
    log: quietLogger(),
    pollMs: 100,
    appendFact: (event) => ledger.store.appendFacts([event]),
    sessionGapMin: 45,
  });
  expect(await sink.commandsReady).toBe(true);
}, 120_000);

afterAll(async () => {
  await sink?.stop();
  await ledger?.close();
  await fake?.close();
});

type Answer = Awaited<ReturnType<DiscordFake['interact']>>;
const texts = (a: Answer) =>
  (a.data.embeds ?? [])
    .flatMap((e) => [e.title ?? '', e.description ?? '', ...(e.fields ?? []).flatMap((f) => [f.name, f.value])])
    .join('\n');
const ME = '2222222222222222222';

describe('the stopwatch community commands', () => {
  it('registers /session, /compare, /map, /link and /unlink with the others', () => {
    const body = fake.registeredCommands.at(-1)!.body as { name: string }[];
    expect(body.map((c) => c.name)).toEqual(
      expect.arrayContaining(['session', 'compare', 'map', 'link', 'unlink', 'stats', 'leaderboard']),
    );
  });

  it('/link records a fact; /stats without a player is then "me", and a rebuild keeps it', async () => {
    const before = await fake.interact('stats', {}, { userId: ME });
    expect(texts(before)).toContain('/link your GUID');
    const linked = await fake.interact('link', { guid: 'c08d3e6a' }, { userId: ME });
    expect(texts(linked)).toContain('`C08D3E6A` (**bramble**)');
    const facts = (await ledger.store.readAll(0, 100_000)).filter((e) => e.type === 'AccountLinked');
    expect(facts.map((e) => e.data)).toEqual([expect.objectContaining({ discordUserId: ME, guid: 'C08D3E6A' })]);
    await project(ledger);
    expect(texts(await fake.interact('stats', {}, { userId: ME }))).toContain('**bramble**');
    // Another reader is not linked by it.
    expect(texts(await fake.interact('stats', {}, { userId: '3333333333333333333' }))).toContain('/link your GUID');

    const accounts = (await loadProjections()).find((p) => p.name === 'accounts')!;
    await buildAndSwap({ db: ledger.db, store: ledger.store, log: quietLogger(), projections: [accounts] }, accounts, {
      report: false,
    });
    expect(texts(await fake.interact('stats', {}, { userId: ME }))).toContain('**bramble**');
  });

  it('/unlink takes it back; a bad GUID is refused and appends nothing', async () => {
    const bad = await fake.interact('link', { guid: '@everyone' }, { userId: ME });
    expect(bad.data.allowed_mentions).toEqual({ parse: [] });
    expect(texts(bad)).toContain('is not a GUID');
    const gone = await fake.interact('unlink', {}, { userId: ME });
    expect(texts(gone)).toContain('no longer linked to `C08D3E6A`');
    await project(ledger);
    expect(texts(await fake.interact('stats', {}, { userId: ME }))).toContain('/link your GUID');
    const kinds = (await ledger.store.readAll(0, 100_000))
      .filter((e) => e.type.startsWith('Account'))
      .map((e) => e.type);
    expect(kinds).toEqual(['AccountLinked', 'AccountUnlinked']);
  });

  it('/compare shows two players side by side over a period', async () => {
    const a = await fake.interact('compare', { p1: 'bramble', p2: 'Vektor' });
    const t = texts(a);
    expect(a.data.embeds![0]!.title).toBe('Compare');
    expect(t).toContain('**bramble**');
    expect(t).toContain('**Vektor**');
    expect(t).toMatch(/Rounds\s+6\s+6/);
    const hostile = await fake.interact('compare', { p1: '<script>alert(1)</script>', p2: 'Vektor' });
    expect(hostile.data.embeds![0]!.title).toBe('Nothing found');
    expect(texts(hostile)).not.toContain('<script>');
  });

  it("/map gives the times set and results by logical team, and each player's record", async () => {
    const a = await fake.interact('map', { name: 'supply' });
    const t = texts(a);
    expect(t).toContain('held by Team bramble');
    expect(t).toMatch(/9:03\s+4:25/);
    expect(t).toMatch(/bramble\s+1\s+1\s+0/);
    expect(t).toMatch(/Vektor\s+1\s+0\s+0/);
    const none = await fake.interact('map', { name: '@everyone' });
    expect(none.data.embeds![0]!.title).toBe('Nothing found');
    expect(none.data.allowed_mentions).toEqual({ parse: [] });
  });

  it('/session DATE and /session last answer with the evening post', async () => {
    const byDate = await fake.interact('session', { date: '2026-08-19' });
    expect(texts(byDate)).toContain('supply');
    const last = await fake.interact('session', {});
    expect(texts(last)).toEqual(texts(byDate));
    const bad = await fake.interact('session', { date: 'yesterday' });
    expect(texts(bad)).toContain('is not a date');
    const empty = await fake.interact('session', { date: '2026-01-01' });
    expect(texts(empty)).toContain('No session started on 2026-01-01');
  });
});
