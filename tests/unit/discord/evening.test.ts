// The evening's rules (qualification, awards, rates that divide sums, spectators) and its post and
// round-summary lines, with hostile names: pure functions, no store.
import { describe, expect, it } from 'vitest';
import { roundPageUrl } from '../../../src/config/web.ts';
import { type DiscordMessage, limitProblems } from '../../../src/sinks/discord/embedLimits.ts';
import { renderEveningChart } from '../../../src/sinks/discord/renderChart.ts';
import { postRef } from '../../../src/sinks/discord/renderFormat.ts';
import { renderRoundSummary } from '../../../src/sinks/discord/renderRoundSummary.ts';
import { renderSessionSummary } from '../../../src/sinks/discord/renderSessionSummary.ts';
import { metricRule } from '../../../src/sinks/discord/statsQueries.ts';
import { accuracyMinShots, awards, decideAwards } from '../../../src/stats/awards.ts';
import { buildEvening, type EveningRow } from '../../../src/stats/evening.ts';
import { qualification, qualifies, requiredSec } from '../../../src/stats/qualification.ts';
import type { StoredMapRow } from '../../../src/stopwatch/mapRows.ts';
import { lineup, verdict } from './verdictFixture.ts';

const ref = postRef('k', 'session-summary');
const allText = (m: DiscordMessage) =>
  m.embeds
    .flatMap((e) => [
      e.title ?? '',
      e.description ?? '',
      e.footer?.text ?? '',
      ...(e.fields ?? []).flatMap((f) => [f.name, f.value]),
    ])
    .join('\n');

const hostile = [
  '@everyone',
  '<@123456789012345678>',
  '**bold** _it_ ||x||',
  '```js\nalert(1)```',
  `\u001b[31mred\u0000\u202egnp.exe`,
  '<script>alert(1)</script>',
  '@here <#1> <@&2>',
  '`',
];

function row(over: Partial<EveningRow> & Pick<EveningRow, 'roundId' | 'guid8' | 'name' | 'team'>): EveningRow {
  return {
    rawName: over.name,
    fileTimeUnix: 1787168496,
    damageGiven: 1000,
    kills: 5,
    deaths: 5,
    gibs: 1,
    revivesGiven: 0,
    shots: 200,
    hits: 40,
    objectivesStolen: 0,
    objectivesReturned: 0,
    dynamitesPlanted: 0,
    dynamitesDefused: 0,
    timePlayedSec: 600,
    correctedTimeSec: 600,
    ...over,
  };
}

function map(id: string, a: string[], b: string[], over: Partial<StoredMapRow> = {}): StoredMapRow {
  return {
    mapId: id,
    serverId: 'eu1',
    map: 'supply',
    fileTimeUnix: 1787168496,
    r1RoundId: `${id}-1`,
    r1FileName: null,
    r2RoundId: `${id}-2`,
    r2FileName: null,
    timeSetSec: 543,
    r2TimeSec: 265,
    result: 'held',
    winnerLineup: 'A',
    pointsA: 2,
    pointsB: 0,
    lineupA: a.map((g) => ({ id: g, name: g })),
    lineupB: b.map((g) => ({ id: g, name: g })),
    flags: [],
    ...over,
  };
}

describe('qualification: one rule for the evening and /leaderboard', () => {
  it('needs the minimum of minutes and the share of the evening', () => {
    expect(qualification).toEqual({ minSec: 600, minShare: 0.3 });
    expect(requiredSec(null)).toBe(600);
    expect(requiredSec(1000)).toBe(600);
    expect(requiredSec(3000)).toBe(900);
    expect(qualifies(899, 3000)).toBe(false);
    expect(qualifies(900, 3000)).toBe(true);
    expect(qualifies(0, 0)).toBe(false);
    expect(metricRule.dpm).toContain('at least 10 min played');
  });
});

describe('awards: one table', () => {
  it('names every award once; ties share it; accuracy needs its shots', () => {
    expect(awards.map((a) => a.key)).toEqual(['revives', 'objectives', 'accuracy', 'gibs']);
    const t = (o: Partial<Parameters<typeof decideAwards>[0][number]['totals']>) => ({
      revives: 0,
      objectiveActions: 0,
      gibs: 0,
      shots: 0,
      hits: 0,
      ...o,
    });
    const won = decideAwards([
      { name: 'a', totals: t({ revives: 3, gibs: 2, shots: accuracyMinShots - 1, hits: accuracyMinShots - 1 }) },
      { name: 'b', totals: t({ revives: 3, gibs: 1, shots: accuracyMinShots, hits: 100 }) },
    ]);
    expect(won.map((w) => [w.award.key, w.names, w.award.format(w.value)])).toEqual([
      ['revives', ['a', 'b'], '3'],
      ['accuracy', ['b'], '20.0 %'],
      ['gibs', ['a'], '2'],
    ]);
  });
});

describe('the evening', () => {
  const players = ['P1', 'P2', 'P3', 'P4'];
  const rows: EveningRow[] = [
    // two maps of two rounds each, 600 s a round; P1 P2 attack first on both maps
    ...['m1-1', 'm1-2', 'm2-1', 'm2-2'].flatMap((roundId, i) =>
      players.map((g, j) =>
        row({ roundId, guid8: g, name: g, team: ((i + (j < 2 ? 0 : 1)) % 2) + 1, damageGiven: 1000 + j * 100 }),
      ),
    ),
    // a guest for one round, a spectator, two bots sharing a GUID, an R2 without its R1
    row({ roundId: 'm1-1', guid8: 'GUEST', name: 'guest', team: 1, damageGiven: 5000 }),
    row({ roundId: 'm1-1', guid8: 'SPEC', name: 'spec', team: 3, damageGiven: 9000, timePlayedSec: 2400 }),
    row({ roundId: 'm2-1', guid8: 'OMNIBOT0', name: '[BOT]a', team: 1 }),
    row({ roundId: 'm2-1', guid8: 'OMNIBOT0', name: '[BOT]b', team: 2 }),
    row({
      roundId: 'c-2',
      guid8: 'P1',
      name: 'P1',
      team: 1,
      damageGiven: 2000,
      timePlayedSec: 600,
      correctedTimeSec: 300,
    }),
  ];
  const evening = buildEvening({
    maps: [
      map('m1', ['P1', 'P2'], ['P3', 'P4']),
      map('m2', ['P1', 'P2'], ['P3', 'P4'], {
        fileTimeUnix: 1787170000,
        result: 'beaten',
        winnerLineup: 'B',
        pointsA: 0,
        pointsB: 2,
      }),
    ],
    rounds: [
      ...['m1-1', 'm1-2', 'm2-1', 'm2-2'].map((roundId) => ({ roundId, fightingTimeSec: 600, cumulative: false })),
      { roundId: 'c-2', fightingTimeSec: 300, cumulative: true },
    ],
    rows,
  });

  it("scores by logical team and divides sums for DPM; a cumulative round uses both halves' time", () => {
    expect(evening.teams).toEqual(['Team P1', 'Team P3']);
    expect(evening.points).toEqual([2, 2]);
    const p1 = evening.players.find((p) => p.id === 'P1')!;
    expect(p1.timeSec).toBe(4 * 600 + 600);
    expect(p1.dpm).toBeCloseTo(((4 * 1000 + 2000) * 60) / 3000, 6);
    // the cumulative round counts its players' time in the evening's fighting time
    expect(evening.fightingSec).toBe(4 * 600 + 600);
  });

  it('ranks only qualified players on a side: no guest, no spectator, bots apart', () => {
    // P1 (6000 over 3000 s) and P3 (4800 over 2400 s) tie at 120: the GUID decides.
    expect(evening.ranked.map((p) => [p.name, Math.round(p.dpm!)])).toEqual([
      ['P4', 130],
      ['P1', 120],
      ['P3', 120],
      ['P2', 110],
    ]);
    expect(evening.players.map((p) => p.name)).not.toContain('spec');
    expect(evening.players.filter((p) => p.guid8 === 'OMNIBOT0').map((p) => p.timeSec)).toEqual([600, 600]);
    expect(evening.players.find((p) => p.name === 'guest')!.qualified).toBe(false);
    expect(evening.players.find((p) => p.name === 'P3')!.team).toBe(1);
  });
});

describe('the evening post and round lines keep hostile names inert', () => {
  it('team names, players and award winners', () => {
    const names = hostile;
    const rows = ['m1-1', 'm1-2'].flatMap((roundId, i) =>
      names.map((name, j) =>
        row({ roundId, guid8: `G${j}`, name, team: ((i + (j < 4 ? 0 : 1)) % 2) + 1, revivesGiven: j, gibs: 9 }),
      ),
    );
    const evening = buildEvening({
      maps: [
        map(
          'm1',
          names.slice(0, 4).map((_, j) => `G${j}`),
          names.slice(4).map((_, j) => `G${j + 4}`),
          {
            lineupA: names.slice(0, 4).map((n, j) => ({ id: `G${j}`, name: n })),
            lineupB: names.slice(4).map((n, j) => ({ id: `G${j + 4}`, name: n })),
          },
        ),
      ],
      rounds: ['m1-1', 'm1-2'].map((roundId) => ({ roundId, fightingTimeSec: 600, cumulative: false })),
      rows,
    });
    const m = renderSessionSummary(
      {
        serverId: 'eu1',
        tz: null,
        firstUnix: 1787168496,
        lastUnix: 1787169000,
        rounds: [],
        evening,
        top: evening.ranked,
      },
      ref,
    );
    const text = allText(m);
    expect(limitProblems(m)).toEqual([]);
    expect(text).not.toMatch(/@everyone|@here|<@\d|<@&|<#\d|<script/);
    expect(text).not.toMatch(/[\u0000-\u0009\u000b-\u001f\u007f\u202e]/);
    for (const f of m.embeds[0]!.fields ?? [])
      if (f.value.includes('```')) expect(f.value.match(/```/g)).toHaveLength(2);
    expect(m.embeds[0]!.title).toBe('Session summary · 2026-08-19');
    expect(m.files![0]!.data.subarray(0, 4)).toEqual(new Uint8Array([0x89, 0x50, 0x4e, 0x47]));

    const { stats, verdictPlayers } = lineup(2);
    const exported = {
      serverId: 'eu1',
      map: 'supply',
      fileTimeUtc: null,
      sessionStartUtc: null,
      r1RoundId: 'r1',
      r1FileName: null,
      r2RoundId: verdict().statsFactId,
      r2FileName: null,
      timeSetSec: 543,
      r2TimeSec: 265,
      result: 'held',
      winnerTeam: '@everyone **x** <@1>',
      teamA: '@everyone **x** <@1>',
      teamB: 'Team 2',
      teamAPoints: 2,
      teamBPoints: 0,
      flags: [],
    };
    const summary = renderRoundSummary({
      verdict: verdict({ players: verdictPlayers }),
      players: stats,
      ref,
      context: { flags: [], playerCount: 4, map: exported },
    });
    expect(summary.embeds[0]!.description).toContain(
      '**Map** held 9:03 · **@\u200beveryone \\*\\*x\\*\\* \\<@\u200b1\\>** wins the map',
    );
    expect(allText(summary)).not.toMatch(/@everyone|<@\d/);
  });

  it("a cumulative R2 shows both halves' damage over both halves' time, never over R2 time", () => {
    const { stats, verdictPlayers } = lineup(1);
    const players = verdictPlayers.map((p) => ({
      ...p,
      statsTimeSec: 600,
      correctedTimeSec: 301,
      correctedDpm: (p.damageGiven * 60) / 301,
    }));
    const m = renderRoundSummary({
      verdict: verdict({ players }),
      players: stats,
      ref,
      context: { flags: ['r2Cumulative', 'r1Missing'], playerCount: 2, map: null },
    });
    const text = allText(m);
    expect(text).toContain('R1 missing: figures are both halves');
    expect(text).toContain('100.0'); // 1000 × 60 / 600
    expect(text).not.toContain('199.3'); // 1000 × 60 / 301
  });

  it("links the title to the round's web page only when a public URL is set", () => {
    const { stats, verdictPlayers } = lineup(1);
    const base = { verdict: verdict({ players: verdictPlayers }), players: stats, ref };
    const roundId = '5b4bd2bc-0f29-8db3-b3a7-4c1926499411';
    const linked = renderRoundSummary({ ...base, pageUrl: roundPageUrl('https://stats.example.org', roundId) });
    expect(linked.embeds[0]!.url).toBe(`https://stats.example.org/rounds/${roundId}`);
    expect(renderRoundSummary(base).embeds[0]!.url).toBeUndefined();
    expect(renderRoundSummary({ ...base, pageUrl: roundPageUrl(null, roundId) }).embeds[0]!.url).toBeUndefined();
  });

  it('a round nobody played says it is no result', () => {
    const m = renderRoundSummary({ verdict: verdict({ players: [] }), players: [], ref });
    expect(m.embeds[0]!.description).toContain('**Result** none: nobody played this round');
    expect(m.embeds[0]!.description).not.toMatch(/won|full hold|surrender/);
  });

  it('the chart takes any name and length', () => {
    const png = renderEveningChart({
      teams: [`Team ${'W'.repeat(40)}`, 'Team @everyone\u202e'],
      points: [10, 8],
      subtitle: 'x',
      maps: Array.from({ length: 13 }, (_, i) => ({
        map: `map_with_a_very_long_name_${i}`,
        result: 'beat 12:00 by 2:12',
        detail: hostile[i % hostile.length]!,
        winner: (i % 3 === 2 ? null : i % 2) as 0 | 1 | null,
        draw: i === 4,
      })),
      bars: hostile.map((label, i) => ({ label, value: 100 + i, team: (i % 2) as 0 | 1 })),
      note: 'n',
    });
    expect(png.subarray(0, 4)).toEqual(new Uint8Array([0x89, 0x50, 0x4e, 0x47]));
  });
});
