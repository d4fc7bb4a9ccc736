import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { type Arrival, identifyFact } from '../../../src/sources/identifyFact.ts';
import { type RelayEmbed, relayBody } from '../../../src/sources/relayMessage.ts';

const fixture = (name: string) => readFileSync(new URL(`../../fixtures/lua/${name}`, import.meta.url));
type Webhook = { username: string; content: string; embeds: RelayEmbed[] };

/** The message Discord keeps for a webhook post: the body's parts, plus what Discord adds to embeds. */
const asMessage = (body: Webhook) => ({
  authorName: body.username,
  content: body.content,
  embeds: body.embeds.map((e) => ({ type: 'rich', ...e, footer: { ...e.footer!, icon_url: 'https://x/y.png' } })),
});

const arrival = (bytes: Uint8Array, ref: string): Arrival => ({
  bytes,
  fileName: null,
  serverId: 'eu1',
  tz: 'Europe/Ljubljana',
  source: { kind: 'discord', ref },
  receivedAt: '2026-08-19T19:41:35.000Z',
  maxBytes: 1 << 20,
});

describe('the Discord relay body', () => {
  it('rebuilds the webhook body, so the report gets the same fact id as over HTTP or in a file', () => {
    for (const name of ['legacy-hostile-names.json', 'legacy/01-supply-R1-objective-two-pauses.json']) {
      const posted = fixture(name);
      const r = relayBody(asMessage(JSON.parse(posted.toString('utf8')) as Webhook));
      if (!r.ok) throw new Error(r.detail);
      expect(r.shape).toBe('embeds');
      expect(JSON.parse(Buffer.from(r.bytes).toString('utf8'))).toEqual(JSON.parse(posted.toString('utf8')));
      const relayed = identifyFact(arrival(r.bytes, 'channels/1/messages/2'));
      const direct = identifyFact(arrival(posted, '/v1/legacy'));
      expect(relayed.kind).toBe('lua-round');
      expect(relayed.events.map((e) => e.eventId)).toEqual(direct.events.map((e) => e.eventId));
      expect(relayed.events[0]!.data).toMatchObject({ serverId: 'eu1', source: { kind: 'discord' } });
    }
  });

  it('keeps hostile names as they were posted: quotes, backslashes, control bytes, @everyone', () => {
    const body = JSON.parse(fixture('legacy-hostile-names.json').toString('utf8')) as Webhook;
    const axis = body.embeds[0]!.fields!.find((f) => f.name === 'Axis_JSON')!;
    axis.value = axis.value.replace('^1\\"Q\\"^7uote', '@everyone <@&1> **x**');
    const r = relayBody(asMessage(body));
    if (!r.ok) throw new Error(r.detail);
    const relayed = identifyFact(arrival(r.bytes, 'channels/1/messages/2'));
    const direct = identifyFact(arrival(Buffer.from(JSON.stringify(body)), '/v1/legacy'));
    if (relayed.kind !== 'lua-round' || direct.kind !== 'lua-round') throw new Error(relayed.kind);
    const players = (f: typeof relayed) => (f.events[0]!.data as { players: { name: string }[] }).players;
    expect(players(relayed)).toEqual(players(direct));
    expect(players(relayed).map((p) => p.name)).toContain('@everyone <@&1> **x**');
    expect(players(relayed).map((p) => p.name)).toContain('back\\slash\\"');
  });

  it('takes a message whose content is a JSON report as it is', () => {
    const text = fixture('legacy-open-pause.json').toString('utf8');
    const r = relayBody({ authorName: 'x', content: text, embeds: [] });
    expect(r.ok && r.shape === 'json' && Buffer.from(r.bytes).toString('utf8') === text).toBe(true);
  });

  it('takes a STATS_READY message with a broken embed, for identifyFact to keep in quarantine', () => {
    const r = relayBody({ authorName: 'x', content: 'STATS_READY', embeds: [] });
    if (!r.ok) throw new Error(r.detail);
    const fact = identifyFact(arrival(r.bytes, 'channels/1/messages/2'));
    expect(fact.kind).toBe('unrecognized');
  });

  it('refuses other messages with a reason', () => {
    expect(relayBody({ authorName: 'x', content: 'gg wp', embeds: [] })).toMatchObject({
      ok: false,
      reason: 'not_stats_ready',
    });
    expect(relayBody({ authorName: 'x', content: '{"not": "a report"}', embeds: [] })).toMatchObject({
      ok: false,
      reason: 'not_stats_ready',
    });
    expect(relayBody({ authorName: 'x', content: '', embeds: [] })).toMatchObject({
      ok: false,
      reason: 'no_content',
      detail: expect.stringContaining('Message Content intent'),
    });
  });
});
