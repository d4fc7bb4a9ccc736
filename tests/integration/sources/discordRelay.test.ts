// Against a FAKE of Discord's REST v10 and gateway (tests/support/discordFake.ts; no Discord server is
// installable): the real discord.js client of the relay reads the channel, the legacy script's body
// is posted to the fake's webhook URL exactly as the script does, and the facts land in PostgreSQL.
import { readFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { LedgerError } from '../../../src/errors.ts';
import { createMetrics, type LedgerMetrics } from '../../../src/metrics.ts';
import { type DiscordRelay, type RelayChannel, startDiscordRelay } from '../../../src/sources/discordRelay.ts';
import type { AppendFacts } from '../../../src/sources/factSink.ts';
import { identifyFact } from '../../../src/sources/identifyFact.ts';
import type { Ledger } from '../../../src/store/openStore.ts';
import { type DiscordFake, type FakeWebhook, startDiscordFake } from '../../support/discordFake.ts';
import { type CapturedLog, captureLog, facts, openPostgresLedger, waitFor } from './support.ts';

const CHANNEL = '1012345678901234570';
const fixture = (name: string) => readFileSync(new URL(`../../fixtures/lua/${name}`, import.meta.url));
const supplyR1 = () => fixture('legacy/01-supply-R1-objective-two-pauses.json');

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

type Setup = { fake: DiscordFake; ledger: Ledger; script: FakeWebhook; stranger: FakeWebhook };

async function setup(): Promise<Setup> {
  const fake = await startDiscordFake();
  fake.addChannel(CHANNEL);
  const ledger = await openPostgresLedger('relay');
  cleanups.push(
    () => fake.close(),
    () => ledger.close(),
  );
  return { fake, ledger, script: fake.addWebhook(CHANNEL, 'ET:Legacy Stats'), stranger: fake.addWebhook(CHANNEL) };
}

type Started = { relay: DiscordRelay; log: CapturedLog; metrics: LedgerMetrics };

async function start(
  s: Setup,
  relay: Partial<RelayChannel> = {},
  append: AppendFacts = (events) => s.ledger.store.appendFacts(events),
): Promise<Started> {
  const log = captureLog();
  const metrics = createMetrics();
  const r = startDiscordRelay({
    append,
    log: log.log,
    metrics,
    token: s.fake.token,
    api: s.fake.api,
    relays: [
      {
        serverId: 'eu1',
        tz: 'Europe/Ljubljana',
        channelId: CHANNEL,
        webhookIds: [s.script.id],
        deleteTrigger: false,
        ...relay,
      },
    ],
    maxFileBytes: 1 << 20,
    backOff: { initialMs: 20, maxMs: 100 },
  });
  cleanups.push(() => r.stop());
  expect(await r.ready).toBe(true);
  return { relay: r, log, metrics };
}

/** What the legacy script does at round end: POST the body to the webhook URL (Discord answers 204). */
async function post(hook: FakeWebhook, body: Uint8Array | string): Promise<void> {
  const res = await fetch(hook.url, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
  expect(res.status).toBe(204);
}

const deletes = (fake: DiscordFake) => fake.requests.filter((r) => r.method === 'DELETE');
const rejections = async (m: LedgerMetrics) =>
  Object.fromEntries((await m.relayIgnored.get()).values.map((v) => [v.labels.reason, v.value]));
const counted = async (m: LedgerMetrics, outcome: string) =>
  (await m.factsAppended.get()).values.filter((v) => v.labels.outcome === outcome).reduce((sum, v) => sum + v.value, 0);

describe('Discord relay', () => {
  it("appends a whitelisted webhook's STATS_READY as the relay server's fact, with the fact id it has over HTTP", async () => {
    const s = await setup();
    await start(s);
    await post(s.script, supplyR1());
    const [round] = await waitFor('the round', async () => {
      const rows = await facts(s.ledger, 'LuaRoundEnded');
      return rows.length > 0 && rows;
    });
    const message = s.fake.messages(CHANNEL)[0]!;
    expect(message.webhook_id).toBe(s.script.id);
    expect(round!.data).toMatchObject({
      serverId: 'eu1',
      map: 'supply',
      round: 1,
      source: { kind: 'discord', ref: `channels/${CHANNEL}/messages/${message.id}` },
    });
    // Through the relay, by HTTP or in a file: one report, one id.
    const viaHttp = identifyFact({
      bytes: supplyR1(),
      fileName: null,
      serverId: 'eu1',
      tz: 'Europe/Ljubljana',
      source: { kind: 'http', ref: '/v1/legacy' },
      receivedAt: new Date().toISOString(),
      maxBytes: 1 << 20,
    });
    const ids = await s.ledger.db.query<{ event_id: string }>('select event_id from ledger.events order by position');
    expect(ids.rows.map((r) => r.event_id)).toEqual(viaHttp.events.map((e) => e.eventId));
    expect((await facts(s.ledger)).map((f) => f.type)).toEqual(['LuaRoundEnded', 'PauseRecorded', 'PauseRecorded']);
    // deleteTrigger is off: the message stays.
    expect(deletes(s.fake)).toEqual([]);
    expect(s.fake.messages(CHANNEL)).toHaveLength(1);
  });

  it("ignores a member's message and another webhook's report, logs the reason, deletes neither", async () => {
    const s = await setup();
    const { log, metrics } = await start(s, { deleteTrigger: true });
    s.fake.postAsUser(CHANNEL, 'STATS_READY');
    await post(s.stranger, supplyR1());
    await waitFor('two rejections', async () => (await rejections(metrics)).not_whitelisted === 2);
    expect(await facts(s.ledger)).toEqual([]);
    expect(deletes(s.fake)).toEqual([]);
    expect(s.fake.messages(CHANNEL)).toHaveLength(2);
    const ignored = log.lines.filter((l) => l.msg === 'message ignored');
    expect(ignored.map((l) => [l.reason, l.webhook])).toEqual([
      ['not_whitelisted', null],
      ['not_whitelisted', s.stranger.id],
    ]);
  });

  it('ignores and keeps a whitelisted webhook message that is not a report', async () => {
    const s = await setup();
    const { log, metrics } = await start(s, { deleteTrigger: true });
    await post(s.script, JSON.stringify({ content: 'server restarting in 5 minutes @everyone' }));
    await waitFor('the rejection', async () => (await rejections(metrics)).not_stats_ready === 1);
    expect(await facts(s.ledger)).toEqual([]);
    expect(deletes(s.fake)).toEqual([]);
    expect(log.lines.find((l) => l.msg === 'message ignored')).toMatchObject({ reason: 'not_stats_ready', level: 40 });
  });

  it('stores a message seen twice once: replayed on the gateway, then read back after a restart', async () => {
    const s = await setup();
    const first = await start(s);
    await post(s.script, supplyR1());
    await waitFor('the round', async () => (await facts(s.ledger, 'LuaRoundEnded')).length === 1);
    const id = s.fake.messages(CHANNEL)[0]!.id;
    s.fake.redeliver(CHANNEL, id);
    // Gateway events arrive in order: once this later message is handled, the replay was too.
    s.fake.postAsUser(CHANNEL, 'after the replay');
    await waitFor('the later message', async () => (await rejections(first.metrics)).not_whitelisted === 1);
    await first.relay.stop();

    const second = await start(s);
    expect(await counted(second.metrics, 'duplicate')).toBe(3); // the round and its two pauses, read back
    expect(await counted(second.metrics, 'appended')).toBe(0);
    expect((await facts(s.ledger)).map((f) => f.type)).toEqual(['LuaRoundEnded', 'PauseRecorded', 'PauseRecorded']);
    expect(second.log.messages()).toContain('fact already in the log');
  });

  it('deletes the trigger message only once its fact is in the log', async () => {
    const s = await setup();
    let factsAtDelete = -1;
    s.fake.hook = async (req) => {
      if (req.method === 'DELETE') factsAtDelete = (await facts(s.ledger, 'LuaRoundEnded')).length;
      return 'answer' as const;
    };
    await start(s, { deleteTrigger: true });
    await post(s.script, supplyR1());
    await waitFor('the delete', () => deletes(s.fake).length === 1);
    expect(factsAtDelete).toBe(1);
    expect(deletes(s.fake)[0]!.path).toMatch(new RegExp(`/channels/${CHANNEL}/messages/\\d+$`));
    expect(s.fake.messages(CHANNEL)).toEqual([]);
  });

  it('takes what was posted while it was down, on start', async () => {
    const s = await setup();
    await post(s.script, supplyR1());
    s.fake.postAsUser(CHANNEL, 'chat while the relay was down');
    const { log } = await start(s, { deleteTrigger: true });
    expect(await facts(s.ledger, 'LuaRoundEnded')).toHaveLength(1);
    await waitFor('the delete', () => deletes(s.fake).length === 1);
    expect(s.fake.messages(CHANNEL).map((m) => m.content)).toEqual(['chat while the relay was down']);
    // Old chat read back from the history is not a rejection worth a line above debug.
    expect(log.lines.filter((l) => l.msg === 'message ignored').map((l) => l.level)).toEqual([20]);
  });

  it('keeps the message while the log is unavailable, retries, then deletes it', async () => {
    const s = await setup();
    let calls = 0;
    const { metrics } = await start(s, { deleteTrigger: true }, async (events) => {
      if (++calls <= 2) throw new LedgerError('STORE_UNAVAILABLE', 'the log is down', { retriable: true });
      return s.ledger.store.appendFacts(events);
    });
    await post(s.script, supplyR1());
    await waitFor('the delete', () => deletes(s.fake).length === 1);
    expect(calls).toBe(3);
    expect(await facts(s.ledger, 'LuaRoundEnded')).toHaveLength(1);
    const errors = (await metrics.sourceErrors.get()).values;
    expect(errors).toEqual([
      expect.objectContaining({ labels: { source: 'discord', server: 'eu1', reason: 'append' }, value: 2 }),
    ]);
  });

  it('leaves the message for the next start when the log refuses it outright', async () => {
    const s = await setup();
    const { log } = await start(s, { deleteTrigger: true }, async () => {
      throw new Error('a bug, not an outage');
    });
    await post(s.script, supplyR1());
    await waitFor('the error', () => log.messages(50).length > 0);
    expect(log.messages(50)).toEqual([
      'could not hand a message to the log; it stays in the channel for the next start',
    ]);
    expect(deletes(s.fake)).toEqual([]);
    expect(s.fake.messages(CHANNEL)).toHaveLength(1);
  });

  it('keeps a STATS_READY it cannot read in quarantine, and hostile text as bytes, never echoed', async () => {
    const s = await setup();
    await start(s, { deleteTrigger: true });
    const hostile = JSON.parse(fixture('legacy-hostile-names.json').toString('utf8')) as {
      embeds: { fields: { name: string; value: string }[] }[];
    };
    const axis = hostile.embeds[0]!.fields.find((f) => f.name === 'Axis_JSON')!;
    axis.value = axis.value.replace('^1\\"Q\\"^7uote', '@everyone <@&1> ||x||');
    await post(s.script, JSON.stringify(hostile));
    await post(s.script, JSON.stringify({ content: 'STATS_READY', embeds: [{ title: 'Round Complete: ?' }] }));
    await waitFor('both deletes', () => deletes(s.fake).length === 2);
    const [round] = await facts(s.ledger, 'LuaRoundEnded');
    const names = (round!.data as { players: { name: string }[] }).players.map((p) => p.name);
    expect(names).toContain('@everyone <@&1> ||x||');
    const [kept] = await facts(s.ledger, 'UnrecognizedFactArrived');
    expect(kept!.data).toMatchObject({ serverId: 'eu1', source: { kind: 'discord' } });
    expect(String(kept!.data.reason)).toMatch(/^lua_report_/);
    expect(JSON.parse(kept!.raw!.toString('utf8'))).toMatchObject({ content: 'STATS_READY' });
    // The relay only reads and deletes: nothing is posted or edited anywhere.
    expect(s.fake.requests.filter((r) => r.method === 'POST' && r.path.includes('/channels/'))).toEqual([]);
    expect(s.fake.requests.filter((r) => r.method === 'PATCH')).toEqual([]);
  });
  it('says why when it cannot run or cannot read the history', async () => {
    const s = await setup();
    const log = captureLog();
    const refused = startDiscordRelay({
      append: (events) => s.ledger.store.appendFacts(events),
      log: log.log,
      metrics: createMetrics(),
      token: 'not-the-bot-token-0123456789',
      api: s.fake.api,
      relays: [{ serverId: 'eu1', tz: 'UTC', channelId: CHANNEL, webhookIds: [s.script.id], deleteTrigger: false }],
      maxFileBytes: 1 << 20,
    });
    cleanups.push(() => refused.stop());
    expect(await refused.ready).toBe(false);
    expect(log.messages(50)).toEqual(['Discord refused the bot token (DISCORD_TOKEN): the relay is off']);

    // Discord unreachable: retried with back-off until stopped.
    const away = captureLog();
    const unreachable = startDiscordRelay({
      append: (events) => s.ledger.store.appendFacts(events),
      log: away.log,
      metrics: createMetrics(),
      token: s.fake.token,
      api: 'http://127.0.0.1:9/api',
      relays: [{ serverId: 'eu1', tz: 'UTC', channelId: CHANNEL, webhookIds: [s.script.id], deleteTrigger: false }],
      maxFileBytes: 1 << 20,
      backOff: { initialMs: 20, maxMs: 100 },
    });
    await waitFor('a retry', () => away.messages().includes('cannot reach the Discord gateway; retrying'));
    await unreachable.stop();
    expect(await unreachable.ready).toBe(false);

    // No Read Message History: the start-up read fails with a hint, live messages are still taken.
    const fake = await startDiscordFake();
    fake.addChannel(CHANNEL, { access: 'forbidden' });
    const script = fake.addWebhook(CHANNEL, 'ET:Legacy Stats');
    cleanups.push(() => fake.close());
    const blind = await start({ ...s, fake, script });
    expect(blind.log.lines.find((l) => Number(l.level) === 50)?.msg).toMatch(/Read Message History/);
    await post(script, supplyR1());
    await waitFor('the round', async () => (await facts(s.ledger, 'LuaRoundEnded')).length === 1);
  });
});
