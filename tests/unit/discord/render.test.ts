import { describe, expect, it } from 'vitest';
import type { VerdictStatus } from '../../../src/events/index.ts';
import {
  type DiscordMessage,
  embedSize,
  fitEmbed,
  limitProblems,
  limits,
} from '../../../src/sinks/discord/embedLimits.ts';
import { codeCell, inlineText, plainText } from '../../../src/sinks/discord/inertText.ts';
import { clock, postRef } from '../../../src/sinks/discord/renderFormat.ts';
import { renderRoundSummary } from '../../../src/sinks/discord/renderRoundSummary.ts';
import { renderText } from '../../../src/sinks/discord/renderText.ts';
import { renderTimingCheck } from '../../../src/sinks/discord/renderTimingCheck.ts';
import { lineup, verdict } from './verdictFixture.ts';

const ref = postRef('k', 'round-summary');
const allText = (m: DiscordMessage) =>
  m.embeds
    .flatMap((e) => [
      e.title ?? '',
      e.description ?? '',
      e.footer?.text ?? '',
      ...(e.fields ?? []).flatMap((f) => [f.name, f.value]),
    ])
    .join('\n');

function summaryOf(perTeam: number, name?: (i: number) => string) {
  const { stats, verdictPlayers } = lineup(perTeam, name);
  return renderRoundSummary({ verdict: verdict({ players: verdictPlayers }), players: stats, ref });
}

describe('round summary', () => {
  it('shows map, round, Lua fighting time, winner and surrender', () => {
    const m = summaryOf(3);
    const e = m.embeds[0]!;
    expect(e.title).toBe('supply · round 2');
    expect(e.description).toContain('**Fighting time** 4:25 (Lua)');
    expect(e.description).toContain('Axis won · surrender (Allies surrendered)');
    expect(e.fields!.map((f) => f.name)).toEqual(['Axis — won (3)', 'Allies (3)']);
    expect(m.allowed_mentions).toEqual({ parse: [] });
  });

  it('marks the stats clock when there is no Lua time', () => {
    const { stats, verdictPlayers } = lineup(2);
    const v = verdict({
      status: 'NO_LUA_DATA',
      luaPlaytimeSec: null,
      luaReportId: null,
      fightingTimeSec: 381,
      flags: ['approximateStatsTime'],
    });
    const m = renderRoundSummary({ verdict: { ...v, players: verdictPlayers }, players: stats, ref });
    expect(m.embeds[0]!.description).toContain('≈6:21 ⚠ stats clock');
  });

  it('fits a 16-vs-16 round in one message within every Discord limit', () => {
    const m = summaryOf(16, (i) => `${'W'.repeat(30)}${i}`);
    expect(limitProblems(m)).toEqual([]);
    expect(m.embeds).toHaveLength(1);
    const rows = (m.embeds[0]!.fields ?? []).flatMap((f) => f.value.split('\n')).filter((l) => /^W{15}/.test(l));
    expect(rows).toHaveLength(32);
  });

  it('chunks a 32-vs-32 round into fields of at most 1024 characters', () => {
    const m = summaryOf(32, (i) => `${'M'.repeat(20)}${i}`);
    expect(limitProblems(m)).toEqual([]);
    expect(m.embeds[0]!.fields!.length).toBeGreaterThan(2);
    expect(m.embeds[0]!.fields!.some((f) => f.name.endsWith('(cont.)'))).toBe(true);
  });

  it('renders hostile names inert: mentions, markdown, fences, control bytes, length', () => {
    const hostile = [
      '@everyone',
      '<@123456789012345678>',
      '**bold** _it_ ~~s~~ ||spoiler||',
      '```js\nalert(1)```',
      `\u001b[31mred\u001b[0m\u0000\u202egnp.exe`,
      'A'.repeat(45),
      '@here <#1> <@&2> <:e:3>',
      '`',
    ];
    const m = summaryOf(4, (i) => hostile[i] ?? `p${i}`);
    const text = allText(m);
    expect(limitProblems(m)).toEqual([]);
    expect(text).not.toMatch(/@everyone|@here|<@\d|<@&|<#\d/);
    expect(text).not.toMatch(/[\u0000-\u0009\u000b-\u001f\u007f\u202e]/);
    expect(text).not.toContain('A'.repeat(17));
    // Every field is exactly one code block: no name closes the fence early.
    for (const f of m.embeds[0]!.fields ?? []) expect(f.value.match(/```/g)).toHaveLength(2);
    expect(m.embeds[0]!.title).toBe('supply · round 2');
    expect(renderText(m)).not.toMatch(/\u001b/);
  });

  it('shows the verdict players when the stats rows are not there', () => {
    const { verdictPlayers } = lineup(2);
    const m = renderRoundSummary({ verdict: verdict({ players: verdictPlayers }), players: [], ref });
    expect(m.embeds[0]!.fields).toHaveLength(2);
    expect(m.embeds[0]!.fields![0]!.value).toContain('227.3');
  });
});

describe('timing check', () => {
  const statuses: VerdictStatus[] = [
    'ALIGNED',
    'MINOR_DIFF',
    'DISCREPANCY',
    'NO_LUA_DATA',
    'LUA_ONLY',
    'NO_STATS_TIME',
  ];
  it.each(statuses)('renders status %s with its meaning', (status) => {
    const v = verdict({
      status,
      ...(status === 'NO_STATS_TIME' ? { statsPlaytimeSec: null, diffSec: null } : {}),
      ...(status === 'LUA_ONLY'
        ? { statsFactId: null, statsFileName: null, statsPlaytimeSec: null, diffSec: null }
        : {}),
      ...(status === 'NO_LUA_DATA' ? { luaReportId: null, luaPlaytimeSec: null, diffSec: null } : {}),
    });
    const m = renderTimingCheck(v, ref);
    expect(limitProblems(m)).toEqual([]);
    expect(m.embeds[0]!.title).toContain(status);
    const facts = Object.fromEntries((m.embeds[0]!.fields ?? []).map((f) => [f.name, f.value]));
    if (status === 'NO_STATS_TIME') expect(facts['Stats time']).toBe('unknown');
    if (status === 'LUA_ONLY') expect(facts['Stats time']).toBe('no stats file');
    if (status === 'NO_LUA_DATA') expect(facts['Lua time']).toBe('no Lua report');
  });

  it('shows times, pauses, surrender, flags and per-player correction factors', () => {
    const { verdictPlayers } = lineup(2);
    const v = verdict({
      statsPlaytimeSec: 741,
      luaPlaytimeSec: 720,
      fightingTimeSec: 720,
      diffSec: 21,
      pauseCount: 2,
      pausedSec: 78,
      warmupSec: 21,
      flags: ['pausesIncomplete', 'overLimit'],
      players: verdictPlayers.map((p) => ({ ...p, factor: 720 / 741 })),
    });
    const m = renderTimingCheck(v, ref);
    const facts = Object.fromEntries((m.embeds[0]!.fields ?? []).map((f) => [f.name, f.value]));
    expect(facts['Stats time']).toBe('12:21 (741 s)');
    expect(facts['Lua time']).toBe('12:00 (720 s)');
    expect(facts.Difference).toBe('21 s');
    expect(facts.Pauses).toBe('2 · 1:18');
    expect(facts.Warmup).toBe('21 s');
    expect(facts.Surrender).toBe('yes — Allies');
    expect(facts['File − Lua end']).toBe('+3 s');
    expect(facts.Flags).toContain('`pausesIncomplete`');
    expect(facts['Players (4)']).toContain('0.97');
  });
});

describe('limits and inert text', () => {
  it('fitEmbed drops trailing fields with a note when 6000 characters would be exceeded', () => {
    const fields = Array.from({ length: 30 }, (_, i) => ({ name: `f${i}`, value: 'x'.repeat(1000) }));
    const e = fitEmbed({ title: 't', fields });
    expect(embedSize(e)).toBeLessThanOrEqual(limits.embedTotal);
    expect(e.fields!.length).toBeLessThanOrEqual(limits.fields);
    expect(e.fields!.at(-1)!.name).toBe('Not shown');
  });

  it('plainText removes controls and cuts by code points', () => {
    expect(plainText('a\u0007b\u200bc\u202e', 10)).toBe('abc');
    expect(plainText('😀'.repeat(5), 3)).toBe('😀😀…');
    expect(plainText('\u0000', 5)).toBe('?');
  });

  it('inlineText escapes markdown and defuses mentions', () => {
    expect(inlineText('**x** @everyone <@1>')).toBe('\\*\\*x\\*\\* @\u200beveryone \\<@\u200b1\\>');
  });

  it('codeCell pads to a width and cannot close a fence', () => {
    expect(codeCell('a`b', 5)).toBe('aˋb  ');
  });

  it('clock formats seconds and fractions', () => {
    expect(clock(265)).toBe('4:25');
    expect(clock(543.54)).toBe('9:03.5');
    expect(clock(null)).toBe('–');
  });
});
