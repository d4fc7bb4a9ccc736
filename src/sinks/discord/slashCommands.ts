// The slash commands (registered per guild) and their answers, from read models only.
import { SlashCommandBuilder } from 'discord.js';
import type { SqlExecutor } from '../../store/sqlDatabase.ts';
import type { DiscordMessage } from './embedLimits.ts';
import { inlineText } from './inertText.ts';
import {
  renderDisambiguation,
  renderLeaderboard,
  renderNotFound,
  renderPlayerStats,
  renderSession,
} from './renderAnswers.ts';
import { postRef } from './renderFormat.ts';
import { renderRoundSummary } from './renderRoundSummary.ts';
import { renderTimingCheck } from './renderTimingCheck.ts';
import {
  findRound,
  lastSession,
  leaderboard,
  listPlayers,
  type Metric,
  matchPlayers,
  parseSince,
  playerTotals,
} from './statsQueries.ts';

const since = (o: import('discord.js').SlashCommandStringOption) =>
  o.setName('since').setDescription('7d, 24h, 2026-08-01 … (default: all time)').setRequired(false).setMaxLength(40);

export const metrics: Metric[] = ['dpm', 'kills', 'kd', 'accuracy', 'revives'];

/** The JSON bodies of PUT /applications/{app}/guilds/{guild}/commands. */
export const commandDefinitions = [
  new SlashCommandBuilder()
    .setName('stats')
    .setDescription("A player's totals")
    .addStringOption((o) =>
      o.setName('player').setDescription('name (fuzzy) or GUID').setRequired(true).setMaxLength(64),
    )
    .addStringOption(since),
  new SlashCommandBuilder()
    .setName('leaderboard')
    .setDescription('Top players by a metric')
    .addStringOption((o) =>
      o
        .setName('metric')
        .setDescription('what to rank by')
        .setRequired(true)
        .addChoices(...metrics.map((m) => ({ name: m, value: m }))),
    )
    .addStringOption(since),
  new SlashCommandBuilder().setName('last-session').setDescription('The latest session: maps, results, top DPM'),
  new SlashCommandBuilder()
    .setName('round')
    .setDescription('The summary of one round')
    .addStringOption((o) => o.setName('id').setDescription('round id, stats file name, or last').setRequired(false)),
  new SlashCommandBuilder()
    .setName('timing')
    .setDescription('The timing check of one round')
    .addStringOption((o) => o.setName('round').setDescription('round id, stats file name, or last').setRequired(false)),
].map((b) => b.toJSON());

export type CommandRequest = { name: string; options: Record<string, string | undefined> };

export async function answerCommand(db: SqlExecutor, req: CommandRequest, nowMs: number): Promise<DiscordMessage> {
  const sinceText = req.options.since;
  const sinceUnix = parseSince(sinceText, nowMs);
  if (sinceUnix === null)
    return renderNotFound(`${inlineText(sinceText ?? '', 40)} is not a period: try 7d, 24h or 2026-08-01.`);
  switch (req.name) {
    case 'stats': {
      const query = req.options.player ?? '';
      const found = matchPlayers(await listPlayers(db), query);
      if (found.length === 0) return renderNotFound(`No player matches ${inlineText(query, 40)}.`);
      if (found.length > 1) return renderDisambiguation(query, found);
      const p = found[0]!;
      return renderPlayerStats(p, await playerTotals(db, p.guid8, sinceUnix), sinceUnix);
    }
    case 'leaderboard': {
      const metric = req.options.metric as Metric;
      if (!metrics.includes(metric)) return renderNotFound(`Unknown metric; one of ${metrics.join(', ')}.`);
      return renderLeaderboard(metric, await leaderboard(db, metric, sinceUnix), sinceUnix);
    }
    case 'last-session': {
      const s = await lastSession(db);
      return s ? renderSession(s, 'Last session') : renderNotFound('No session yet.');
    }
    case 'round':
    case 'timing': {
      const which = (req.name === 'round' ? req.options.id : req.options.round) ?? 'last';
      const r = await findRound(db, which);
      if (!r) return renderNotFound(`No single round matches ${inlineText(which, 40)}.`);
      // Not the posts' reference: a reply in the channel must never be taken for the post itself.
      const ref = postRef(r.verdict.roundKey, `answer:${req.name}`);
      return req.name === 'round'
        ? renderRoundSummary({ verdict: r.verdict, players: r.players, ref })
        : renderTimingCheck(r.verdict, ref);
    }
    default:
      return renderNotFound(`Unknown command ${inlineText(req.name, 32)}.`);
  }
}
