// The slash commands (registered per guild) and their answers, from read models only.
import { SlashCommandBuilder } from 'discord.js';
import { AccountLinked, AccountUnlinked, accountLinkIdentity, PlayerGuid } from '../../events/index.ts';
import type { NewEvent } from '../../store/eventStore.ts';
import type { SqlExecutor } from '../../store/sqlDatabase.ts';
import { renderCompare, renderLinked, renderMapRecord, renderUnlinked } from './commandAnswers.ts';
import { linkedGuid, mapRecords, mapsNamed, sessionRounds } from './commandQueries.ts';
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
import { renderSessionSummary } from './renderSessionSummary.ts';
import { renderTimingCheck } from './renderTimingCheck.ts';
import { lastSession, roundContext, sessionByRounds } from './sessionQueries.ts';
import {
  findRound,
  leaderboard,
  listPlayers,
  type Metric,
  matchPlayers,
  type PlayerRef,
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
    .setDescription("A player's totals (yours when you linked your GUID)")
    .addStringOption((o) =>
      o
        .setName('player')
        .setDescription('name (fuzzy) or GUID; default: you (/link)')
        .setRequired(false)
        .setMaxLength(64),
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
    .setName('session')
    .setDescription("An evening's post: score by team, maps, top players")
    .addStringOption((o) =>
      o.setName('date').setDescription('YYYY-MM-DD (UTC) or last (default)').setRequired(false).setMaxLength(10),
    ),
  new SlashCommandBuilder()
    .setName('compare')
    .setDescription('Two players side by side')
    .addStringOption((o) => o.setName('p1').setDescription('name (fuzzy) or GUID').setRequired(true).setMaxLength(64))
    .addStringOption((o) => o.setName('p2').setDescription('name (fuzzy) or GUID').setRequired(true).setMaxLength(64))
    .addStringOption(since),
  new SlashCommandBuilder()
    .setName('map')
    .setDescription('Times set and results on a map, per team and per player')
    .addStringOption((o) =>
      o.setName('name').setDescription('map name, e.g. supply').setRequired(true).setMaxLength(64),
    ),
  new SlashCommandBuilder()
    .setName('link')
    .setDescription('Link yourself to your ET GUID: /stats without a player then means you')
    .addStringOption((o) =>
      o.setName('guid').setDescription('your GUID: 8 or 32 hex characters').setRequired(true).setMaxLength(32),
    ),
  new SlashCommandBuilder().setName('unlink').setDescription('Remove the link to your GUID'),
  new SlashCommandBuilder()
    .setName('timing')
    .setDescription('The timing check of one round')
    .addStringOption((o) => o.setName('round').setDescription('round id, stats file name, or last').setRequired(false)),
].map((b) => b.toJSON());

export type CommandRequest = { name: string; options: Record<string, string | undefined> };

/** Who asked, and how a command that records a fact (/link, /unlink) appends it. */
export type CommandContext = {
  userId?: string;
  interactionId?: string;
  appendFact?: (event: NewEvent) => Promise<unknown>;
  sessionGapMin?: number;
};

export async function answerCommand(
  db: SqlExecutor,
  req: CommandRequest,
  nowMs: number,
  ctx: CommandContext = {},
): Promise<DiscordMessage> {
  const sinceText = req.options.since;
  const sinceUnix = parseSince(sinceText, nowMs);
  if (sinceUnix === null)
    return renderNotFound(`${inlineText(sinceText ?? '', 40)} is not a period: try 7d, 24h or 2026-08-01.`);
  switch (req.name) {
    case 'stats': {
      let query = req.options.player;
      if (query === undefined) {
        const mine = ctx.userId ? await linkedGuid(db, ctx.userId) : null;
        if (mine === null) return renderNotFound('Name a player, or /link your GUID so that /stats means you.');
        query = mine;
      }
      const p = onePlayer(await listPlayers(db), query);
      if ('embeds' in p) return p;
      return renderPlayerStats(p, await playerTotals(db, p.guid8, sinceUnix), sinceUnix);
    }
    case 'compare': {
      const players = await listPlayers(db);
      const picked = [];
      for (const query of [req.options.p1 ?? '', req.options.p2 ?? '']) {
        const p = onePlayer(players, query);
        if ('embeds' in p) return p;
        picked.push({ player: p, totals: await playerTotals(db, p.guid8, sinceUnix) });
      }
      return renderCompare(picked[0]!, picked[1]!, sinceUnix);
    }
    case 'map': {
      const name = (req.options.name ?? '').trim();
      const maps = await mapsNamed(db, name, ctx.sessionGapMin ?? 45);
      if (maps.length === 0) return renderNotFound(`No stopwatch map named ${inlineText(name, 40)} yet.`);
      return renderMapRecord(name, maps, await mapRecords(db, name));
    }
    case 'session': {
      const date = (req.options.date ?? 'last').trim();
      if (date !== 'last' && !/^\d{4}-\d{2}-\d{2}$/.test(date))
        return renderNotFound(`${inlineText(date, 12)} is not a date: YYYY-MM-DD or last.`);
      const found = await sessionRounds(db, date === 'last' ? null : date);
      if (!found) return renderNotFound(date === 'last' ? 'No session yet.' : `No session started on ${date}.`);
      const s = await sessionByRounds(db, found.serverId, found.ids);
      return renderSessionSummary(s, postRef(`session:${found.serverId}:${found.ids[0]}`, 'answer:session'));
    }
    case 'link':
    case 'unlink':
      return link(db, req, ctx, nowMs);
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
        ? renderRoundSummary({
            verdict: r.verdict,
            players: r.players,
            ref,
            ...(r.verdict.statsFactId ? { context: await roundContext(db, r.verdict.statsFactId) } : {}),
          })
        : renderTimingCheck(r.verdict, ref);
    }
    default:
      return renderNotFound(`Unknown command ${inlineText(req.name, 32)}.`);
  }
}

/** /link and /unlink record a fact (AccountLinked / AccountUnlinked); the answer says what it did. */
async function link(db: SqlExecutor, req: CommandRequest, ctx: CommandContext, nowMs: number): Promise<DiscordMessage> {
  if (!ctx.userId || !ctx.interactionId || !ctx.appendFact)
    return renderNotFound('Linking is not available here (the bot cannot record facts).');
  const at = new Date(nowMs).toISOString();
  const ids = accountLinkIdentity(ctx.userId, ctx.interactionId);
  if (req.name === 'unlink') {
    const was = await linkedGuid(db, ctx.userId);
    if (was !== null) {
      const data = { discordUserId: ctx.userId, interactionId: ctx.interactionId, at };
      await ctx.appendFact({
        ...ids,
        type: 'AccountUnlinked',
        schemaVersion: 1,
        data: AccountUnlinked.shape.data.parse(data),
      });
    }
    return renderUnlinked(was);
  }
  const guid = (req.options.guid ?? '').trim().toUpperCase();
  const checked = PlayerGuid.safeParse(guid);
  if (!checked.success) return renderNotFound(`${inlineText(guid, 34)} is not a GUID: 8 or 32 hexadecimal characters.`);
  const data = { discordUserId: ctx.userId, guid, interactionId: ctx.interactionId, at };
  await ctx.appendFact({ ...ids, type: 'AccountLinked', schemaVersion: 1, data: AccountLinked.shape.data.parse(data) });
  const known = matchPlayers(await listPlayers(db), guid);
  return renderLinked(guid, known.length === 1 ? known[0]! : null);
}

/** The one player a query names, or the answer that says there is none or several. */
function onePlayer(players: PlayerRef[], query: string): PlayerRef | DiscordMessage {
  const found = matchPlayers(players, query);
  if (found.length === 0) return renderNotFound(`No player matches ${inlineText(query, 40)}.`);
  if (found.length > 1) return renderDisambiguation(query, found);
  return found[0]!;
}
