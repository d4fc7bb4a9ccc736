// The evening's post, once a session has ended (the sessions view's gap rule, decided by the
// discord-outbox projection): the score by logical team, each map's result, the top players by DPM
// on their own time in play (src/stats/qualification.ts decides who is ranked), the awards
// (src/stats/awards.ts), and a chart of it all for a phone. Every name is inert (inertText.ts).
import type { APIEmbed, APIEmbedField } from 'discord.js';
import { qualificationRule, qualificationShort } from '../../stats/qualification.ts';
import { type DiscordMessage, fitEmbed, limits, noMentions, tableFields } from './embedLimits.ts';
import { codeCell, inlineText, mapMarkdown } from './inertText.ts';
import { renderEveningChart } from './renderChart.ts';
import {
  clock,
  col,
  localClock,
  localDay,
  mapResultWords,
  mapUnknownWhy,
  num,
  refFooter,
  zoneName,
} from './renderFormat.ts';
import type { LastSession } from './sessionQueries.ts';

export const sessionChartName = 'session-dpm.png';

/** Markdown lines as fields of at most 1024 characters each (`… (cont.)` after the first). */
function lineFields(name: string, lines: string[]): APIEmbedField[] {
  const fields: APIEmbedField[] = [];
  let group: string[] = [];
  const flush = () => {
    fields.push({ name: fields.length === 0 ? name : `${name} (cont.)`, value: group.join('\n') });
    group = [];
  };
  for (const line of lines) {
    if (group.length > 0 && [...group, line].join('\n').length > limits.fieldValue) flush();
    group.push(line.slice(0, limits.fieldValue));
  }
  if (group.length > 0) flush();
  return fields;
}

const plural = (n: number, one: string) => `${n} ${one}${n === 1 ? '' : 's'}`;
/** "Team bramble" → "bramble" for narrow columns. */
const short = (team: string) => team.replace(/^Team /, '');

/**
 * The session as the summary reads it; `tz` is the game server's IANA zone (read.rounds.tz of its
 * rounds). Times are shown on the server's clock with the zone named (`21:41–22:34
 * Europe/Ljubljana`), the one rule for times in posts; without a zone they are UTC, named so.
 */
export type SessionSummaryInput = LastSession;

export function renderSessionSummary(s: SessionSummaryInput, ref: string): DiscordMessage {
  const e = s.evening;
  const tz = s.tz ?? null;
  const day = (unix: number) => localDay(unix, tz);
  const [teamA, teamB] = e.teams;
  const teamOf = (name: string | null) => (name === teamA ? 0 : name === teamB ? 1 : null);
  const mapLines = e.maps.map((m, i) => {
    const words = mapResultWords(m);
    const why = m.result === 'unknown' ? mapUnknownWhy(m.flags) : '';
    const winner =
      m.result === 'draw' ? ' → 1 point each' : m.winnerTeam === null ? '' : ` → **${inlineText(m.winnerTeam, 40)}**`;
    return `${i + 1}. ${mapMarkdown(m.map)} · ${words}${why === '' ? '' : ` (${why})`}${winner}`;
  });
  const topLines = e.ranked
    .slice(0, 8)
    .map(
      (p, i) =>
        `${col(String(i + 1), 2)}. ${codeCell(p.name, 14)} ${codeCell(p.team === null ? '' : short(e.teams[p.team]), 8)} ${col(num(p.dpm, 0), 4)} ${col(clock(p.timeSec), 6)}`,
    );
  const notRanked = e.players.length - e.ranked.length;
  const awardLines = e.awards.map(
    (a) =>
      `**${a.award.title}**${a.award.rule === null ? '' : ` (${a.award.rule})`} · ${a.names.map((n) => inlineText(n, 24)).join(', ')} · ${a.award.format(a.value)}`,
  );
  const rounds = s.rounds.length;
  const embed: APIEmbed = {
    title: `Session summary · ${day(s.firstUnix)}`,
    description: [
      `**${inlineText(teamA, 40)} ${e.points[0]} – ${e.points[1]} ${inlineText(teamB, 40)}**`,
      `${plural(e.maps.length, 'map')} · ${plural(rounds, 'round')} · ${clock(e.fightingSec)} fighting · ${localClock(s.firstUnix, tz)}–${localClock(s.lastUnix, tz)} ${zoneName(tz)} · ${inlineText(s.serverId, 32)}`,
    ].join('\n'),
    color: 0x8e44ad,
    fields: [
      ...lineFields('Maps', mapLines.length > 0 ? mapLines : ['No stopwatch map decided.']),
      ...(topLines.length > 0
        ? tableFields(
            'Top DPM (own time in play)',
            `${col('#', 2)}  ${'Player'.padEnd(14)} ${'Team'.padEnd(8)} ${col('DPM', 4)} ${col('Time', 6)}`,
            topLines,
          )
        : [{ name: 'Top DPM (own time in play)', value: 'Nobody played long enough to be ranked.' }]),
      ...(awardLines.length > 0 ? lineFields('Awards', awardLines) : []),
    ],
    footer: {
      text: `DPM = damage × 60 / own time in play · ranked: ${qualificationRule(e.fightingSec)}${notRanked > 0 ? ` · ${notRanked} not ranked` : ''} · ${s.serverId} · ${refFooter(ref)}`,
    },
  };
  const chart = renderEveningChart({
    teams: e.teams,
    points: e.points,
    subtitle: `${day(s.firstUnix)} · ${plural(e.maps.length, 'map')} · ${plural(rounds, 'round')}`,
    maps: e.maps.map((m) => ({
      map: m.map,
      result: m.result === 'unknown' ? 'no result' : mapResultWords(m),
      detail:
        m.result === 'unknown'
          ? mapUnknownWhy(m.flags, true) || 'unknown'
          : m.result === 'draw'
            ? '1 point each'
            : (m.winnerTeam ?? ''),
      winner: teamOf(m.winnerTeam),
      draw: m.result === 'draw',
    })),
    bars: e.ranked.slice(0, 10).map((p) => ({ label: p.name, value: p.dpm ?? 0, team: p.team })),
    note: qualificationShort(e.fightingSec),
  });
  return {
    content: '',
    embeds: [fitEmbed({ ...embed, image: { url: `attachment://${sessionChartName}` } })],
    allowed_mentions: noMentions(),
    files: [{ name: sessionChartName, data: chart }],
  };
}
