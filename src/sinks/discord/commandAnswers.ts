// Answers of /link, /unlink, /compare and /map: pure functions of read-model rows. Every name from a
// game server goes through inertText (no mention, no markdown, no control byte).
import type { APIEmbed } from 'discord.js';
import type { MapExportRow } from '../../stopwatch/mapRows.ts';
import { type DiscordMessage, fitEmbed, noMentions, tableFields } from './embedLimits.ts';
import { codeCell, inlineText, mapMarkdown } from './inertText.ts';
import { sinceLabel } from './renderAnswers.ts';
import { clock, col, num } from './renderFormat.ts';
import { accuracyOf, dpmOf, kdOf, type PlayerRef, type Totals } from './statsQueries.ts';

const message = (embed: APIEmbed): DiscordMessage => ({
  content: '',
  embeds: [fitEmbed(embed)],
  allowed_mentions: noMentions(),
});

export function renderLinked(guid: string, player: PlayerRef | null): DiscordMessage {
  return message({
    title: 'Linked',
    description: `You are \`${guid}\`${player ? ` (**${inlineText(player.name)}**)` : ' (no round of this GUID yet)'}: /stats without a player now means you. /unlink takes it back.`,
    color: 0x27ae60,
  });
}

export function renderUnlinked(was: string | null): DiscordMessage {
  return message({
    title: was ? 'Unlinked' : 'Nothing to unlink',
    description: was ? `You are no longer linked to \`${was}\`.` : 'You had not linked a GUID: /link GUID does.',
    color: 0x7f8c8d,
  });
}

export function renderCompare(
  a: { player: PlayerRef; totals: Totals },
  b: { player: PlayerRef; totals: Totals },
  sinceUnix: number,
): DiscordMessage {
  const rows: [string, (t: Totals) => string][] = [
    ['Rounds', (t) => String(t.rounds)],
    ['Kills', (t) => String(t.kills)],
    ['Deaths', (t) => String(t.deaths)],
    ['K/D', (t) => num(kdOf(t), 2)],
    ['Damage', (t) => String(t.damage)],
    ['DPM', (t) => num(dpmOf(t), 1)],
    ['Fighting time', (t) => clock(t.correctedSec)],
    ['Accuracy %', (t) => num(accuracyOf(t), 1)],
    ['Revives', (t) => String(t.revives)],
  ];
  const lines = rows.map(([label, f]) => `${label.padEnd(13)} ${col(f(a.totals), 9)} ${col(f(b.totals), 9)}`);
  return message({
    title: 'Compare',
    description: `**${inlineText(a.player.name)}** \`${a.player.guid8}\` vs **${inlineText(b.player.name)}** \`${b.player.guid8}\` · ${sinceLabel(sinceUnix)} · rates divide sums`,
    color: 0x2874a6,
    fields: tableFields(
      'Side by side',
      `${''.padEnd(13)} ${codeCell(a.player.name, 9)} ${codeCell(b.player.name, 9)}`,
      lines,
    ),
  });
}

const resultText = (m: MapExportRow): string =>
  m.result === 'beaten'
    ? `beaten by ${m.winnerTeam}`
    : m.result === 'held'
      ? `held by ${m.winnerTeam}`
      : m.result === 'draw'
        ? 'draw'
        : 'unknown';

export function renderMapRecord(
  map: string,
  maps: MapExportRow[],
  records: { name: string; played: number; won: number; drawn: number }[],
): DiscordMessage {
  const recent = [...maps].reverse().slice(0, 10);
  const mapLines = recent.map(
    (m) =>
      `${(m.fileTimeUtc ?? '–').slice(0, 10)} ${col(clock(m.timeSetSec), 6)} ${col(clock(m.r2TimeSec), 6)}  ${codeCell(resultText(m), 28)}`,
  );
  const playerLines = records
    .slice(0, 15)
    .map(
      (r) => `${codeCell(r.name, 16)} ${col(String(r.played), 4)} ${col(String(r.won), 4)} ${col(String(r.drawn), 4)}`,
    );
  return message({
    title: `Map · ${mapMarkdown(map)}`,
    description: `${maps.length} times played · time set by R1, R2's time, result (stopwatch rule: the R2 result decides)`,
    color: 0xd35400,
    fields: [
      ...tableFields('Recent', `${'Date'.padEnd(10)} ${col('Set', 6)} ${col('R2', 6)}  Result`, mapLines),
      ...(playerLines.length > 0
        ? tableFields(
            'Players',
            `${'Player'.padEnd(16)} ${col('Maps', 4)} ${col('Won', 4)} ${col('Drew', 4)}`,
            playerLines,
          )
        : []),
    ],
  });
}
