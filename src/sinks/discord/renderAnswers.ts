// Answers of the slash commands (and the session summary): pure functions of read-model rows.
import type { APIEmbed } from 'discord.js';
import { type DiscordMessage, fitEmbed, noMentions, tableFields } from './embedLimits.ts';
import { codeCell, inlineText, mapMarkdown } from './inertText.ts';
import { clock, col, localClock, localDay, num, outcomeWords, teamName, zoneName } from './renderFormat.ts';
import type { LastSession } from './sessionQueries.ts';
import { accuracyOf, dpmOf, kdOf, type Metric, metricRule, type PlayerRef, type Totals } from './statsQueries.ts';

const message = (embed: APIEmbed): DiscordMessage => ({
  content: '',
  embeds: [fitEmbed(embed)],
  allowed_mentions: noMentions(),
});

export const sinceLabel = (sinceUnix: number): string =>
  sinceUnix <= 0 ? 'all time' : `since ${new Date(sinceUnix * 1000).toISOString().slice(0, 16).replace('T', ' ')} UTC`;

export function renderNotFound(text: string): DiscordMessage {
  return message({ title: 'Nothing found', description: text, color: 0x7f8c8d });
}

export function renderDisambiguation(query: string, candidates: PlayerRef[]): DiscordMessage {
  const lines = candidates.slice(0, 15).map((p) => `${codeCell(p.name, 18)} ${p.guid8} ${col(String(p.rounds), 5)}`);
  return message({
    title: 'Which player?',
    description: `${candidates.length} players match ${inlineText(query, 40)}: ask again with the GUID.`,
    color: 0xf1c40f,
    fields: tableFields('Candidates', `${'Name'.padEnd(18)} ${'GUID'.padEnd(8)} ${col('Rnds', 5)}`, lines),
  });
}

export function renderPlayerStats(p: PlayerRef, t: Totals, sinceUnix: number): DiscordMessage {
  const facts: [string, string][] = [
    ['Rounds', String(t.rounds)],
    ['Kills / deaths', `${t.kills} / ${t.deaths} (K/D ${num(kdOf(t), 2)})`],
    ['Damage', String(t.damage)],
    ['DPM', `${num(dpmOf(t), 1)} (on ${clock(t.correctedSec)} fighting time)`],
    ['Accuracy', `${num(accuracyOf(t), 1)} %`],
    ['Headshots', String(t.headshots)],
    ['Revives', String(t.revives)],
  ];
  return message({
    title: 'Player stats',
    description: `**${inlineText(p.name)}** · \`${p.guid8}\` · ${sinceLabel(sinceUnix)}`,
    color: 0x2874a6,
    fields: facts.map(([name, value]) => ({ name, value, inline: true })),
  });
}

export function renderLeaderboard(
  metric: Metric,
  rows: { guid8: string; name: string; value: number; rounds: number }[],
  sinceUnix: number,
): DiscordMessage {
  const digits = metric === 'kills' || metric === 'revives' ? 0 : metric === 'kd' ? 2 : 1;
  const lines = rows.map(
    (r, i) =>
      `${col(String(i + 1), 2)}. ${codeCell(r.name, 18)} ${col(num(r.value, digits), 8)} ${col(String(r.rounds), 5)}`,
  );
  return message({
    title: `Leaderboard · ${metric}`,
    description: `${metricRule[metric]} · ${sinceLabel(sinceUnix)}`,
    color: 0x27ae60,
    fields:
      rows.length === 0
        ? [{ name: 'Nobody yet', value: 'No player meets the minimum in this period.' }]
        : tableFields('Top', `${col('#', 2)}  ${'Player'.padEnd(18)} ${col(metric, 8)} ${col('Rnds', 5)}`, lines),
  });
}

/** The session summary: maps and results in order, then the top players by corrected DPM. */
export function renderSession(s: LastSession, title = 'Session summary'): DiscordMessage {
  const roundLines = s.rounds.map((r) => {
    const v = r.verdict;
    const result = v ? `${v.winner === 0 ? '?' : teamName(v.winner)} · ${outcomeWords(v)}` : 'undecided';
    const time = v ? clock(v.fightingTimeSec) : '–';
    return `${codeCell(r.map, 16)} R${r.round} ${col(time, 6)}  ${result}`;
  });
  const topLines = s.top.map(
    (t, i) =>
      `${col(String(i + 1), 2)}. ${codeCell(t.name, 16)} ${col(num(t.dpm, 1), 6)} ${col(String(t.kills), 4)} ${col(String(t.deaths), 4)}`,
  );
  const maps = [...new Set(s.rounds.map((r) => r.map))];
  return message({
    title,
    description: `${s.rounds.length} rounds on ${maps.length} maps · ${maps
      .slice(0, 12)
      .map((m) => mapMarkdown(m))
      .join(
        ', ',
      )}\n${localDay(s.firstUnix, s.tz)} ${localClock(s.firstUnix, s.tz)} – ${localClock(s.lastUnix, s.tz)} ${zoneName(s.tz)} · ${s.serverId}`,
    color: 0x8e44ad,
    fields: [
      ...tableFields('Rounds', `${'Map'.padEnd(16)} Rd ${col('Time', 6)}  Result`, roundLines),
      ...(topLines.length > 0
        ? tableFields(
            'Top DPM (own time in play)',
            `${col('#', 2)}  ${'Player'.padEnd(16)} ${col('DPM', 6)} ${col('K', 4)} ${col('D', 4)}`,
            topLines,
          )
        : []),
    ],
  });
}
