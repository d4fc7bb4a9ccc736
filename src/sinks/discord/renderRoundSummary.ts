// The round summary for the production channel: a pure function of the verdict and the round's
// stats rows (read.player_stats). DPM is on corrected time (spec/correlation.md, per player).
import type { APIEmbed } from 'discord.js';
import type { Verdict, VerdictPlayer } from '../../events/index.ts';
import { type DiscordMessage, fitEmbed, noMentions, tableFields } from './embedLimits.ts';
import { codeCell, mapMarkdown } from './inertText.ts';
import { col, fightingTimeText, num, refFooter, resultLine, teamName } from './renderFormat.ts';

/** One stats-file player row, as the rounds read model holds it. */
export type RoundPlayer = {
  guid8: string;
  name: string;
  team: number;
  kills: number;
  deaths: number;
  damageGiven: number;
  /** Percent, or null when no shot was fired. */
  accuracy: number | null;
  headshots: number;
  revivesGiven: number;
};

export type RoundView = {
  verdict: Verdict;
  /** The round's stats rows; empty when the rounds read model has none (then the verdict's players show). */
  players: RoundPlayer[];
  /** The reconcile reference (renderFormat.postRef). */
  ref: string;
};

const colours = { 1: 0xb03a2e, 2: 0x2874a6, 0: 0x7f8c8d } as const;
const nameWidth = 16;
const header = `${'Player'.padEnd(nameWidth)} ${col('K', 3)} ${col('D', 3)} ${col('Dmg', 5)} ${col('DPM', 5)} ${col('Acc', 4)} ${col('HS', 3)} ${col('Rev', 3)}`;

type Line = { team: number; dpm: number | null; text: string; kills: number; deaths: number; damage: number };

function joinPlayers(view: RoundView): Line[] {
  const byKey = new Map<string, VerdictPlayer>();
  const byGuid = new Map<string, VerdictPlayer[]>();
  for (const p of view.verdict.players) {
    byKey.set(`${p.guid8}\0${p.name}`, p);
    byGuid.set(p.guid8, [...(byGuid.get(p.guid8) ?? []), p]);
  }
  const verdictOf = (s: RoundPlayer) => {
    const same = byGuid.get(s.guid8);
    return byKey.get(`${s.guid8}\0${s.name}`) ?? (same?.length === 1 ? same[0] : undefined);
  };
  if (view.players.length === 0)
    return view.verdict.players.map((p) => ({
      team: p.team,
      dpm: p.correctedDpm,
      kills: 0,
      deaths: 0,
      damage: p.damageGiven,
      text: `${codeCell(p.name, nameWidth)} ${col('–', 3)} ${col('–', 3)} ${col(String(p.damageGiven), 5)} ${col(num(p.correctedDpm, 1), 5)} ${col('–', 4)} ${col('–', 3)} ${col('–', 3)}`,
    }));
  return view.players.map((s) => {
    const dpm = verdictOf(s)?.correctedDpm ?? null;
    return {
      team: s.team,
      dpm,
      kills: s.kills,
      deaths: s.deaths,
      damage: s.damageGiven,
      text: `${codeCell(s.name, nameWidth)} ${col(String(s.kills), 3)} ${col(String(s.deaths), 3)} ${col(String(s.damageGiven), 5)} ${col(num(dpm, 1), 5)} ${col(num(s.accuracy, 0), 4)} ${col(String(s.headshots), 3)} ${col(String(s.revivesGiven), 3)}`,
    };
  });
}

/** The round summary message: title from the map and round only (no player text in titles). */
export function renderRoundSummary(view: RoundView): DiscordMessage {
  const v = view.verdict;
  const lines = joinPlayers(view);
  const teams = [1, 2, ...new Set(lines.map((l) => l.team).filter((t) => t !== 1 && t !== 2))];
  const fields = teams.flatMap((team) => {
    const mine = lines.filter((l) => l.team === team).sort((a, b) => (b.dpm ?? -1) - (a.dpm ?? -1));
    if (mine.length === 0) return [];
    const sum = (k: 'kills' | 'deaths' | 'damage') => mine.reduce((n, l) => n + l[k], 0);
    const totals =
      view.players.length === 0
        ? []
        : [
            `${'Total'.padEnd(nameWidth)} ${col(String(sum('kills')), 3)} ${col(String(sum('deaths')), 3)} ${col(String(sum('damage')), 5)}`,
          ];
    const label = team === 1 || team === 2 ? teamName(team) : `Team ${team}`;
    const won = team === v.winner ? ' — won' : '';
    return tableFields(`${label}${won} (${mine.length})`, header, [...mine.map((l) => l.text), ...totals]);
  });
  const description = [
    `**Fighting time** ${fightingTimeText(v)}`,
    `**Result** ${resultLine(v)}`,
    ...(v.flags.includes('suspectedAbort') ? ['⚠ looks like an aborted round'] : []),
    ...(fields.length === 0 ? ['No player rows in the stats file.'] : []),
  ].join('\n');
  const embed: APIEmbed = {
    title: `${mapMarkdown(v.map)} · round ${v.round}`,
    description,
    color: colours[v.winner],
    fields,
    footer: { text: `DPM on fighting time · ${v.serverId} · ${refFooter(view.ref)}` },
    ...(v.fileTimeUnix !== null || v.luaRoundEndUnix !== null
      ? { timestamp: new Date((v.fileTimeUnix ?? v.luaRoundEndUnix ?? 0) * 1000).toISOString() }
      : {}),
  };
  return { content: '', embeds: [fitEmbed(embed)], allowed_mentions: noMentions() };
}
