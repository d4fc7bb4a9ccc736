// The timing check for the dev channel: every field of the verdict a developer needs to trust or
// question the join (spec/correlation.md). Pure: verdict in, message out. Ghosts are never rendered
// for posting (the outbox never asks), but the function still works on them.
import type { APIEmbed, APIEmbedField } from 'discord.js';
import type { Verdict, VerdictFlag, VerdictStatus } from '../../events/index.ts';
import { type DiscordMessage, fitEmbed, noMentions, tableFields } from './embedLimits.ts';
import { codeCell, mapMarkdown } from './inertText.ts';
import { clock, clockAndSeconds, col, num, outcomeWords, refFooter, signed, teamName } from './renderFormat.ts';

export const statusText: Record<VerdictStatus, { colour: number; meaning: string }> = {
  ALIGNED: { colour: 0x27ae60, meaning: 'stats and Lua agree within 30 s' },
  MINOR_DIFF: { colour: 0xf1c40f, meaning: 'stats and Lua differ by 31–60 s' },
  DISCREPANCY: { colour: 0xc0392b, meaning: 'stats and Lua differ by more than 60 s' },
  NO_LUA_DATA: { colour: 0x7f8c8d, meaning: 'no Lua report within the grace: the stats clock is used' },
  LUA_ONLY: { colour: 0x8e44ad, meaning: 'a Lua report that met no stats file (aborted round, restart, missed file)' },
  NO_STATS_TIME: { colour: 0xe67e22, meaning: 'joined, but the stats file gives no playtime' },
};

export const flagText: Record<VerdictFlag, string> = {
  pausesIncomplete: 'pause count and pause records differ, or a pause was open at round end',
  pausesUnknown: 'Lua script before 1.7.1: pauses not reported',
  approximateStatsTime: 'stats time is the header limit (R1 f8), not a measurement',
  ambiguous: 'two candidates tied at the same distance: left unjoined',
  inconsistentSurrender: 'surrender reported with the winner as the team (a failed vote)',
  suspectedAbort: 'looks like an aborted round (restart or shutdown)',
  ghost: 'Lua-only round under 30 s',
  overLimit: 'stats playtime exceeds the time limit',
  unlinkedPlayers: 'some players did not link to a Lua GUID',
  approximatePlayerTime:
    "some players' time is the stats file's (min of stats time and fighting time), not their own time in play",
  playerTimeOverRound: "some players' own time exceeded the round's Lua playtime and was capped to it",
  cumulativeFigures: "R2 without its R1: figures are both halves (R1 + R2), rates on both halves' time",
};

const nameWidth = 14;
const header = `${'Player'.padEnd(nameWidth)} ${'Tm'} ${col('Stats', 5)} ${col('Corr', 5)} ${col('Fact', 5)} ${col('DPM', 5)} ${col('cDPM', 5)}`;

const teamShort = (t: number) => (t === 1 ? 'AX' : t === 2 ? 'AL' : '--');

function playerLines(v: Verdict): string[] {
  return [...v.players]
    .sort((a, b) => a.team - b.team || (b.correctedDpm ?? -1) - (a.correctedDpm ?? -1))
    .map(
      (p) =>
        `${codeCell(p.name, nameWidth)} ${teamShort(p.team)} ${col(clock(p.statsTimeSec), 5)} ${col(clock(p.correctedTimeSec), 5)} ${col(num(p.factor, 2), 5)} ${col(num(p.dpm, 0), 5)} ${col(num(p.correctedDpm, 0), 5)}`,
    );
}

function pauses(v: Verdict): string {
  if (v.pauseCount === null) return v.flags.includes('pausesUnknown') ? 'unknown' : '–';
  if (v.pauseCount === 0) return 'none';
  return `${v.pauseCount} · ${clock(v.pausedSec)}`;
}

/** The timing check message of one verdict. */
export function renderTimingCheck(v: Verdict, ref: string): DiscordMessage {
  const status = statusText[v.status];
  const stats =
    v.statsPlaytimeSec === null
      ? v.statsFactId === null
        ? 'no stats file'
        : 'unknown'
      : `${v.flags.includes('approximateStatsTime') ? '≈' : ''}${clockAndSeconds(v.statsPlaytimeSec)}`;
  const facts: [string, string][] = [
    ['Stats time', stats],
    ['Lua time', v.luaReportId === null ? 'no Lua report' : clockAndSeconds(v.luaPlaytimeSec)],
    ['Difference', v.diffSec === null ? '–' : `${num(v.diffSec, v.diffSec % 1 === 0 ? 0 : 1)} s`],
    [
      'Fighting time',
      v.fightingTimeSec === null ? '–' : `${clock(v.fightingTimeSec)} (${v.luaPlaytimeSec !== null ? 'Lua' : 'stats'})`,
    ],
    ['Pauses', pauses(v)],
    ['Warmup', v.warmupSec === null ? '–' : `${num(v.warmupSec, 0)} s`],
    ['Wall clock', clock(v.wallClockSec)],
    ['Time limit', clock(v.timelimitSec)],
    ['File − Lua end', v.deltaSec === null ? '–' : `${signed(v.deltaSec)} s`],
    [
      'Surrender',
      v.surrender
        ? `yes — ${teamName(v.surrenderTeam ?? 0)}`
        : v.flags.includes('inconsistentSurrender')
          ? 'no (vote failed)'
          : 'no',
    ],
    ['Outcome', v.surrender || v.outcome !== null ? outcomeWords(v) : '–'],
    ['Winner', v.winner === 0 ? 'unknown' : `${teamName(v.winner)} (defender ${teamName(v.defender)})`],
  ];
  const fields: APIEmbedField[] = facts.map(([name, value]) => ({ name, value, inline: true }));
  fields.push({
    name: 'Flags',
    value: v.flags.length === 0 ? 'none' : v.flags.map((f) => `\`${f}\` ${flagText[f]}`).join('\n'),
  });
  if (v.players.length > 0) fields.push(...tableFields(`Players (${v.players.length})`, header, playerLines(v)));
  const sources = [
    v.statsFileName === null ? null : `stats \`${v.statsFileName.replace(/`/g, '')}\``,
    v.luaReportId === null ? null : `lua \`${v.luaReportId.replace(/`/g, '')}\``,
  ].filter((s): s is string => s !== null);
  const embed: APIEmbed = {
    title: `Timing · ${mapMarkdown(v.map)} · round ${v.round} · ${v.status}`,
    description: [`**${v.status}**: ${status.meaning}`, ...sources].join('\n'),
    color: status.colour,
    fields,
    footer: {
      // Nothing of the verdict's history (supersedes): a post shows the round as decided, the same
      // whatever order the facts arrived in (the channel's final state is a function of the facts).
      text: `correlator v${v.correlatorVersion} · ${v.serverId} · ${refFooter(ref)}`,
    },
    ...(v.fileTimeUnix !== null || v.luaRoundEndUnix !== null
      ? { timestamp: new Date((v.luaRoundEndUnix ?? v.fileTimeUnix ?? 0) * 1000).toISOString() }
      : {}),
  };
  return { content: '', embeds: [fitEmbed(embed)], allowed_mentions: noMentions() };
}
