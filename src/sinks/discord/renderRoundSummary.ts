// The round summary for the production channel: a pure function of the verdict, the round's
// stats rows (read.player_stats) and its context (stats flags, the stopwatch map with the evening's
// logical teams). DPM is on corrected time (spec/correlation.md, per player); an R2 without its R1
// holds both halves' figures, so its DPM divides them by both halves' time (the stats file's).

import type { APIEmbed } from 'discord.js';
import type { Verdict, VerdictPlayer } from '../../events/index.ts';
import { dpmOf } from '../../parser/statsDerived.ts';
import type { MapExportRow } from '../../stopwatch/mapRows.ts';
import { type DiscordMessage, fitEmbed, noMentions, tableFields } from './embedLimits.ts';
import { codeCell, inlineText, mapMarkdown } from './inertText.ts';
import {
  clock,
  col,
  fightingTimeText,
  isCumulative,
  mapResultWords,
  mapUnknownWhy,
  num,
  refFooter,
  resultLine,
  teamName,
} from './renderFormat.ts';

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

/** What the read models add to a round's verdict and rows (statsQueries.roundContext). */
export type RoundContext = {
  /** read.rounds flags (`r2Cumulative`, `r1Missing`, `headerOnly`, …) */
  flags: string[];
  /** read.rounds player_count; null when the round is not there */
  playerCount: number | null;
  /** The stopwatch map this round is a half of, with its evening's team names; null when unknown. */
  map: MapExportRow | null;
};

export type RoundView = {
  verdict: Verdict;
  /** The round's stats rows; empty when the rounds read model has none (then the verdict's players show). */
  players: RoundPlayer[];
  /** The reconcile reference (renderFormat.postRef). */
  ref: string;
  /** Without it (a slash command's answer) the map lines are left out. */
  context?: RoundContext;
  /** The round's web page (ET_LEDGER_PUBLIC_URL), the title's link; none without a public URL. */
  pageUrl?: string | null;
};

const colours = { 1: 0xb03a2e, 2: 0x2874a6, 0: 0x7f8c8d } as const;
const nameWidth = 16;
const header = `${'Player'.padEnd(nameWidth)} ${col('K', 3)} ${col('D', 3)} ${col('Dmg', 5)} ${col('DPM', 5)} ${col('Acc', 4)} ${col('HS', 3)} ${col('Rev', 3)}`;

type Line = { team: number; dpm: number | null; text: string; kills: number; deaths: number; damage: number };

/** DPM of a row: corrected time; in a cumulative round both halves' damage over both halves' time. */
function rateOf(v: VerdictPlayer | undefined, damage: number, cumulative: boolean): number | null {
  if (!v) return null;
  if (!cumulative) return v.correctedDpm;
  return dpmOf(damage, v.statsTimeSec);
}

function joinPlayers(view: RoundView, cumulative: boolean): Line[] {
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
    return view.verdict.players.map((p) => {
      const dpm = rateOf(p, p.damageGiven, cumulative);
      return {
        team: p.team,
        dpm,
        kills: 0,
        deaths: 0,
        damage: p.damageGiven,
        text: `${codeCell(p.name, nameWidth)} ${col('–', 3)} ${col('–', 3)} ${col(String(p.damageGiven), 5)} ${col(num(dpm, 1), 5)} ${col('–', 4)} ${col('–', 3)} ${col('–', 3)}`,
      };
    });
  return view.players.map((s) => {
    const dpm = rateOf(verdictOf(s), s.damageGiven, cumulative);
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
  const cumulative = isCumulative(view.context?.flags ?? [], v);
  const lines = joinPlayers(view, cumulative);
  const teams = [1, 2, ...new Set(lines.map((l) => l.team).filter((t) => t !== 1 && t !== 2))];
  const fields = teams.flatMap((team) => {
    const mine = lines.filter((l) => l.team === team).sort((a, b) => (b.dpm ?? -1) - (a.dpm ?? -1));
    if (mine.length === 0) return [];
    const sum = (k: 'kills' | 'deaths' | 'damage') => mine.reduce((n, l) => n + l[k], 0);
    // Spectators (team 3) are listed, never totalled as if they were a team.
    const totals =
      view.players.length === 0 || (team !== 1 && team !== 2)
        ? []
        : [
            `${'Total'.padEnd(nameWidth)} ${col(String(sum('kills')), 3)} ${col(String(sum('deaths')), 3)} ${col(String(sum('damage')), 5)}`,
          ];
    const label = team === 1 || team === 2 ? teamName(team) : team === 3 ? 'Spectators' : `Team ${team}`;
    const won = team === v.winner ? ' — won' : '';
    return tableFields(`${label}${won} (${mine.length})`, header, [...mine.map((l) => l.text), ...totals]);
  });
  const noPlayers = fields.length === 0;
  const description = [
    `**Fighting time** ${fightingTimeText(v)}`,
    // A round nobody played is no result (etl_ice's header-only R1): its header's winner means nothing.
    noPlayers ? '**Result** none: nobody played this round' : `**Result** ${resultLine(v)}`,
    ...mapLines(v, view.context, noPlayers),
    ...(cumulative ? ["⚠ R1 missing: figures are both halves (R1 + R2); DPM on both halves' time"] : []),
    ...(v.flags.includes('suspectedAbort') ? ['⚠ looks like an aborted round'] : []),
    ...(noPlayers ? ['No player rows in the stats file.'] : []),
  ].join('\n');
  const embed: APIEmbed = {
    title: `${mapMarkdown(v.map)} · round ${v.round}`,
    ...(view.pageUrl ? { url: view.pageUrl } : {}),
    description,
    color: noPlayers ? colours[0] : colours[v.winner],
    fields,
    footer: {
      text: `${cumulative ? "DPM on both halves' time" : 'DPM on fighting time'} · ${v.serverId} · ${refFooter(view.ref)}`,
    },
    ...(v.fileTimeUnix !== null || v.luaRoundEndUnix !== null
      ? { timestamp: new Date((v.fileTimeUnix ?? v.luaRoundEndUnix ?? 0) * 1000).toISOString() }
      : {}),
  };
  return { content: '', embeds: [fitEmbed(embed)], allowed_mentions: noMentions() };
}

/** The stopwatch map's lines: the time an R1 set; an R2's result against it and the map's winner. */
function mapLines(v: Verdict, context: RoundContext | undefined, noPlayers: boolean): string[] {
  const m = context?.map;
  if (!m || noPlayers || v.statsFactId === null) return [];
  if (v.round !== 2 && m.r1RoundId === v.statsFactId)
    return m.timeSetSec === null ? [] : [`**Time set** ${clock(m.timeSetSec)}`];
  if (m.r2RoundId !== v.statsFactId) return [];
  if (m.result === 'unknown') {
    const why = mapUnknownWhy(m.flags.filter((f) => f !== 'r2Surrender' && f !== 'r1Surrender'));
    return [`**Map** result unknown${why === '' ? '' : ` (${why})`}`];
  }
  const winner =
    m.result === 'draw'
      ? ` · ${inlineText(m.teamA, 40)} and ${inlineText(m.teamB, 40)} 1 point each`
      : m.winnerTeam === null
        ? ''
        : ` · **${inlineText(m.winnerTeam, 40)}** wins the map`;
  return [`**Map** ${mapResultWords(m)}${winner}`];
}
