// The sample evenings (samples/stats + samples/lua-legacy) through the sink, against the Discord FAKE
// (tests/support/discordFake.ts): R2 posts say beaten/held and the map's winner by logical team, an
// R2 without its R1 shows no per-half rate, a round nobody played is no result, and each evening's
// post has the score (as `et-ledger export maps` has it), the map strip, a qualified DPM list and the awards.
import { readdirSync } from 'node:fs';
import type { APIEmbed } from 'discord.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { exportAliases, readRows } from '../../../src/runtime/exportRows.ts';
import { loadProjections } from '../../../src/runtime/registry.ts';
import { type DiscordSink, startDiscordSink } from '../../../src/sinks/discord/discordSink.ts';
import { limitProblems } from '../../../src/sinks/discord/embedLimits.ts';
import { mapExportRows, type StoredMapRow } from '../../../src/stopwatch/mapRows.ts';
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
  timingChannel,
} from './discordLedger.ts';

let fake: DiscordFake;
let ledger: Ledger;
let sink: DiscordSink;

const files = (dir: string) =>
  readdirSync(sample(dir))
    .filter((f) => /\.(txt|json)$/.test(f))
    .map((f) => sample(`${dir}/${f}`));

/** 2026-08-20 21:53:20 local: bremen_b3 R2, the last round of the second evening. */
const lastRoundUnix = 1787255600;

beforeAll(async () => {
  fake = await startDiscordFake();
  fake.addChannel(roundsChannel);
  fake.addChannel(timingChannel);
  ledger = await openTestLedger();
  await appendFiles(ledger, [...files('stats'), ...files('lua-legacy')]);
  await appendTick(ledger, lastRoundUnix + 46 * 60);
  await project(ledger);
  sink = startDiscordSink({ db: ledger.db, config: fakeConfig(fake), log: quietLogger(), pollMs: 100 });
  await sink.drain();
}, 120_000);

afterAll(async () => {
  await sink?.stop();
  await ledger?.close();
  await fake?.close();
});

type Embed = Pick<APIEmbed, 'title' | 'description' | 'fields' | 'footer'>;
const textOf = (e: Embed) =>
  [
    e.title ?? '',
    e.description ?? '',
    ...(e.fields ?? []).flatMap((f) => [f.name, f.value]),
    e.footer?.text ?? '',
  ].join('\n');
const posts = () => fake.messages(roundsChannel);
const post = (title: string) => {
  const found = posts().filter((m) => m.embeds[0]!.title === title);
  expect(found, title).toHaveLength(1);
  return found[0]!;
};

describe('round summaries of the sample evenings', () => {
  it('R2s say whether the time was beaten or held, and which logical team won the map', () => {
    expect(post('supply · round 2').embeds[0]!.description).toContain(
      '**Map** held 9:03 · **Team bramble** wins the map',
    );
    expect(post('etl\\_adlernest · round 2').embeds[0]!.description).toContain(
      '**Map** beat 7:22 by 3:12 · **Team bramble** wins the map',
    );
    expect(post('te\\_escape2 · round 2').embeds[0]!.description).toContain(
      '**Map** beat 12:00 by 2:12 · **Team Vektor** wins the map',
    );
    expect(post('supply · round 1').embeds[0]!.description).toContain('**Time set** 9:03');
  });

  it('decay_sw R2 without its R1 says so and shows no rate over R2 time alone', () => {
    const e = post('decay\\_sw · round 2').embeds[0]!;
    const text = textOf(e);
    expect(text).toContain('R1 missing: figures are both halves');
    expect(text).toContain('**Map** result unknown (R1 missing)');
    // Tamsin: 1947 damage over both halves' 600 s is 194.7; over R2's 301 s it would read 388.1.
    expect(text).toMatch(/Tamsin\s+.*1947\s+194\.7/);
    expect(text).not.toMatch(/38[0-9]\.\d|306\.4|324\.9|345\.8/);
    expect(e.footer!.text).toContain("DPM on both halves' time");
  });

  it('etl_ice R1, a header-only file, is kept but never posted as a result', async () => {
    expect(posts().filter((m) => m.embeds[0]!.title?.startsWith('etl\\_ice'))).toEqual([]);
    expect(fake.messages(timingChannel).filter((m) => m.embeds[0]!.title?.includes('etl\\_ice'))).toHaveLength(1);
    const kept = await ledger.db.query<{ player_count: number }>(
      "select player_count from read.rounds where map = 'etl_ice'",
    );
    expect(kept.rows.map((r) => Number(r.player_count))).toEqual([0]);
  });

  it('lists spectators apart, never as a team with a total', () => {
    const e = post('etl\\_sp\\_delivery · round 1').embeds[0]!;
    const spectators = e.fields!.find((f) => f.name.startsWith('Spectators'))!;
    expect(spectators.name).toBe('Spectators (1)');
    expect(spectators.value).not.toContain('Total');
  });
});

describe('the evening posts', () => {
  const evening = (day: string) => post(`Session summary · ${day}`);

  it('one post per evening, within every Discord limit, with its chart', () => {
    const titles = posts()
      .map((m) => m.embeds[0]!.title!)
      .filter((t) => t.startsWith('Session summary'));
    expect(titles).toEqual(['Session summary · 2026-08-19', 'Session summary · 2026-08-20']);
    for (const day of ['2026-08-19', '2026-08-20']) {
      const m = evening(day);
      expect(limitProblems({ content: '', embeds: m.embeds as APIEmbed[], allowed_mentions: { parse: [] } })).toEqual(
        [],
      );
      expect(m.attachments.map((a) => a.filename)).toEqual(['session-dpm.png']);
      const png = fake.files.get(m.attachments[0]!.id)!;
      expect([...png.subarray(0, 4)]).toEqual([0x89, 0x50, 0x4e, 0x47]);
    }
  });

  it('shows the score by logical team as `et-ledger export maps` has it', async () => {
    const projections = await loadProjections();
    const maps = projections.find((p) => Object.hasOwn(p.tables, exportAliases.maps!))!;
    const exported = mapExportRows((await readRows(ledger.db, 'read', maps, 'maps')) as StoredMapRow[], 45).filter(
      (r) => r.sessionStartUtc?.startsWith('2026-08-19'),
    );
    const { teamA, teamB } = exported[0]!;
    const a = exported.reduce((s, r) => s + r.teamAPoints, 0);
    const b = exported.reduce((s, r) => s + r.teamBPoints, 0);
    expect(`${teamA} ${a} – ${b} ${teamB}`).toBe('Team bramble 4 – 2 Team Vektor');
    expect(evening('2026-08-19').embeds[0]!.description).toContain('**Team bramble 4 – 2 Team Vektor**');
  });

  it('has the map strip: time set, beaten/held, the winner team', () => {
    const maps = evening('2026-08-19').embeds[0]!.fields!.find((f) => f.name === 'Maps')!.value;
    expect(maps.split('\n')).toEqual([
      '1. supply · held 9:03 → **Team bramble**',
      '2. etl\\_adlernest · beat 7:22 by 3:12 → **Team bramble**',
      '3. te\\_escape2 · beat 12:00 by 2:12 → **Team Vektor**',
    ]);
    const second = evening('2026-08-20').embeds[0]!.fields!.find((f) => f.name === 'Maps')!.value;
    expect(second).toContain('etl\\_ice · result unknown (R1 had no players, no R2)');
    expect(second).toContain('decay\\_sw · result unknown (R1 missing)');
  });

  it('ranks by DPM on own time only the qualified: no one-round players, no spectators, no bot pair', () => {
    const top = (day: string) =>
      evening(day)
        .embeds[0]!.fields!.filter((f) => f.name.startsWith('Top DPM'))
        .map((f) => f.value)
        .join('\n');
    const first = top('2026-08-19');
    expect([...first.matchAll(/^ ?\d\. (\S+)/gm)].map((m) => m[1])).toEqual([
      'Oskar',
      'Ziggy',
      'bramble',
      'Vektor',
      'quill',
      'n0va',
    ]);
    // Oskar: 12 894 damage over 46:40 of own time.
    expect(first).toMatch(/1\. Oskar\s+Vektor\s+240\s+46:40/);
    const second = top('2026-08-20');
    expect([...second.matchAll(/^ ?\d\. (\S+)/gm)].map((m) => m[1])).toEqual([
      'pixelwitch',
      'Hroth',
      'Tamsin',
      'dunmore',
    ]);
    for (const guest of ['spectator', 'latecomer', 'BOT', 'AxOne', 'RedDragon', 'everyone', 'bellctl'])
      expect(second).not.toContain(guest);
    expect(evening('2026-08-20').embeds[0]!.footer!.text).toMatch(
      /ranked: at least 10 min played and 30 %.* · 15 not ranked/,
    );
  });

  it('gives the awards of the one table', () => {
    const awards = evening('2026-08-19')
      .embeds[0]!.fields!.find((f) => f.name === 'Awards')!
      .value.split('\n');
    expect(awards).toEqual([
      '**Most revives** · Vektor · 15',
      '**Most objective actions** (stolen, returned, dynamite planted or defused) · bramble, n0va, Oskar · 1',
      '**Best accuracy** (at least 500 shots) · Vektor · 20.2 %',
      '**Most gibs** · Oskar · 53',
    ]);
  });

  it('keeps hostile names inert in every post', () => {
    for (const m of [...posts(), ...fake.messages(timingChannel)]) {
      expect(m.allowed_mentions).toEqual({ parse: [] });
      for (const e of m.embeds) {
        const text = textOf(e);
        expect(text).not.toMatch(/@everyone|@here|<@\d|<@&|<#\d/);
        expect(text).not.toMatch(/[\u0000-\u0009\u000b-\u001f\u007f\u202e]/);
      }
    }
  });
});
