// The slash-command side: a discord.js gateway client that registers the commands in the configured
// guild when ready and answers each interaction from the read models. Failures (a refused token, no
// access to the guild) are one clear log line and a metric; the posting side keeps working.
import { Client, Events, GatewayIntentBits, Routes } from 'discord.js';
import type { DiscordConfig } from '../../config/discord.ts';
import type { Logger } from '../../logger.ts';
import type { NewEvent } from '../../store/eventStore.ts';
import type { SqlExecutor } from '../../store/sqlDatabase.ts';
import type { DiscordMetrics } from './discordMetrics.ts';
import { translateDiscordError } from './discordRest.ts';
import { answerCommand, commandDefinitions } from './slashCommands.ts';

export type DiscordBot = { stop(): Promise<void>; ready: Promise<boolean> };

export function startDiscordBot(opts: {
  db: SqlExecutor;
  config: DiscordConfig & { guildId: string };
  log: Logger;
  metrics: DiscordMetrics;
  now: () => number;
  appendFact?: (event: NewEvent) => Promise<unknown>;
  sessionGapMin?: number;
}): DiscordBot {
  const { db, config, log, metrics } = opts;
  const client = new Client({
    intents: [GatewayIntentBits.Guilds],
    rest: { api: config.api },
    allowedMentions: { parse: [] },
  });
  client.on(Events.Error, (e) => log.warn({ err: e.message }, 'Discord gateway error; discord.js reconnects'));
  client.on(Events.InteractionCreate, async (interaction) => {
    if (!interaction.isChatInputCommand() || interaction.guildId !== config.guildId) return;
    const options: Record<string, string | undefined> = {};
    for (const o of interaction.options.data) options[o.name] = o.value == null ? undefined : String(o.value);
    try {
      const answer = await answerCommand(db, { name: interaction.commandName, options }, opts.now(), {
        userId: interaction.user.id,
        interactionId: interaction.id,
        ...(opts.appendFact ? { appendFact: opts.appendFact } : {}),
        ...(opts.sessionGapMin !== undefined ? { sessionGapMin: opts.sessionGapMin } : {}),
      });
      // An answer with a chart (the evening post) carries its PNG as an attachment the embed names.
      const files = (answer.files ?? []).map((f) => ({ attachment: Buffer.from(f.data), name: f.name }));
      await interaction.reply({ embeds: answer.embeds, files, allowedMentions: { parse: [] } });
      metrics.posts.inc({ kind: `command:${interaction.commandName}`, action: 'answer' });
    } catch (e) {
      const err = translateDiscordError(e, `answering /${interaction.commandName}`);
      metrics.errors.inc({ channel: interaction.channelId ?? 'unknown', reason: err.reason });
      log.error({ command: interaction.commandName, err: (e as Error).message }, 'could not answer a slash command');
    }
  });
  const ready = new Promise<boolean>((resolve) => {
    client.once(Events.ClientReady, async (c) => {
      try {
        await c.rest.put(Routes.applicationGuildCommands(c.application.id, config.guildId), {
          body: commandDefinitions,
        });
        log.info({ guildId: config.guildId, commands: commandDefinitions.length }, 'slash commands registered');
        resolve(true);
      } catch (e) {
        const err = translateDiscordError(e, 'registering slash commands');
        metrics.errors.inc({ channel: `guild:${config.guildId}`, reason: err.reason });
        log.error(
          { guildId: config.guildId, err: err.message },
          'cannot register slash commands in ET_LEDGER_DISCORD_GUILD: invite the bot with the applications.commands scope',
        );
        resolve(false);
      }
    });
    client.login(config.token).catch((e) => {
      const err = translateDiscordError(e, 'logging in to the gateway');
      metrics.errors.inc({ channel: 'gateway', reason: err.reason });
      log.error({ err: err.message }, 'Discord gateway login failed: slash commands are off (posting continues)');
      resolve(false);
    });
  });
  return {
    ready,
    async stop() {
      await client.destroy();
    },
  };
}
