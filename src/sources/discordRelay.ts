// The Discord relay (shared/spec/lua-report.md, legacy shape): servers running the legacy Lua script
// post STATS_READY to a Discord webhook; a discord.js client reads the configured channels and appends
// each message from a whitelisted webhook id as a fact (relayMessage.ts says which bytes), then, when
// configured, deletes the trigger message. Everything else is ignored with a log line and a reason.
//
// Discord side: the bot needs the privileged Message Content intent (without it bots get empty
// content and embeds), and per channel View Channel, Read Message History (the catch-up below) and,
// for deleteTrigger, Manage Messages.
//
// Nothing is lost: a message is deleted only once its fact is in the log (appended or already there);
// an append that fails is retried with back-off while the message stays in the channel; and every
// gateway session starts by reading each channel's recent history, so what was posted while the relay
// was down is taken too. A message seen twice (history and live, a restart) is stored once: the
// fact's id comes from the report's content. Nothing from a message is ever sent back to Discord.
import {
  Client,
  DiscordAPIError,
  Events,
  GatewayIntentBits as Intent,
  type Message,
  RESTJSONErrorCodes,
  Routes,
} from 'discord.js';
import { LedgerError } from '../errors.ts';
import { type BackOff, backOffDelay, createPacer } from '../pacing.ts';
import { deliverArrival, type SourceDeps } from './factSink.ts';
import { type RelayEmbed, type RelayMessage, type RelayRejection, relayBody } from './relayMessage.ts';

export type RelayChannel = {
  serverId: string;
  tz: string;
  channelId: string;
  /** Only messages of these webhooks (Discord's `webhook_id`) are taken. */
  webhookIds: string[];
  /** Delete the STATS_READY message once its fact is in the log. */
  deleteTrigger: boolean;
};

export type DiscordRelayOptions = SourceDeps & {
  token: string;
  /** REST base URL without the version (`https://discord.com/api`); the gateway URL comes from it. */
  api: string;
  relays: RelayChannel[];
  maxFileBytes: number;
  /** Messages read back from each channel when a gateway session starts (default 100: one page). */
  historyLimit?: number;
  backOff?: BackOff;
};

export type DiscordRelay = {
  /**
   * Resolves true once logged in and the channels' recent history has been handled (this waits while
   * the log is unavailable), false when the relay cannot run (token refused, intent not allowed).
   */
  ready: Promise<boolean>;
  stop(): Promise<void>;
};

type Job = { relay: RelayChannel; message: RelayMessage; from: 'live' | 'history' };

/** Message ids handled (or queued) in this process, so history and live events do not repeat work. */
const REMEMBERED = 5000;

export function startDiscordRelay(opts: DiscordRelayOptions): DiscordRelay {
  const log = opts.log.child({ source: 'discord' });
  const backOff = opts.backOff ?? { initialMs: 1000, maxMs: 30_000 };
  const historyLimit = Math.min(100, Math.max(1, opts.historyLimit ?? 100));
  const byChannel = new Map(opts.relays.map((r) => [r.channelId, r]));
  const pacer = createPacer();
  const loginPacer = createPacer();
  const seen = new Set<string>();
  const pending: Job[] = [];
  let worker: Promise<void> = Promise.resolve();
  let working = false;
  const idleWaiters: (() => void)[] = [];
  let client: Client | null = null;
  let stopped = false;
  let settle: (ok: boolean) => void = () => {};
  const ready = new Promise<boolean>((r) => {
    settle = r;
  });

  function enqueue(job: Job): void {
    if (seen.has(job.message.id)) {
      log.debug({ channel: job.message.channelId, message: job.message.id }, 'message already handled');
      return;
    }
    seen.add(job.message.id);
    if (seen.size > REMEMBERED) seen.delete(seen.values().next().value!);
    pending.push(job);
    if (!working) worker = work();
  }

  /** One message at a time, in arrival order; `working` drops in the same tick the queue is found empty. */
  async function work(): Promise<void> {
    working = true;
    try {
      for (let job = pending.shift(); job && !stopped; job = pending.shift()) {
        try {
          await handle(job);
        } catch (e) {
          log.error({ err: e, message: job.message.id }, 'relay failed on a message; it stays in the channel');
        }
      }
    } finally {
      working = false;
      for (const w of idleWaiters.splice(0)) w();
    }
  }

  const idle = () => (working ? new Promise<void>((r) => idleWaiters.push(r)) : Promise.resolve());

  function reject(job: Job, reason: RelayRejection | 'not_whitelisted', detail: string): void {
    const { message: m, relay } = job;
    const fields = {
      server: relay.serverId,
      channel: m.channelId,
      message: m.id,
      webhook: m.webhookId,
      reason,
      detail,
    };
    // The history is read again on every start: only live messages are counted and logged above debug.
    if (job.from === 'history') return void log.debug(fields, 'message ignored');
    opts.metrics.relayIgnored.inc({ reason });
    // A webhook missing from the whitelist or a whitelisted one posting something else is a
    // configuration matter; a member chatting in the channel is not.
    if (m.webhookId !== null) log.warn(fields, 'message ignored');
    else log.info(fields, 'message ignored');
  }

  async function handle(job: Job): Promise<void> {
    const { message: m, relay } = job;
    if (m.webhookId === null || !relay.webhookIds.includes(m.webhookId))
      return reject(
        job,
        'not_whitelisted',
        m.webhookId === null
          ? 'not posted by a webhook'
          : `webhook ${m.webhookId} is not in this channel's webhookIds (add it to take its messages)`,
      );
    const body = relayBody(m);
    if (!body.ok) return reject(job, body.reason, body.detail);
    if (!(await append(job, body.bytes))) return;
    if (relay.deleteTrigger) await deleteTrigger(relay, m);
  }

  /** True once the fact is in the log; false when the message is left in the channel for the next start. */
  async function append(job: Job, bytes: Uint8Array): Promise<boolean> {
    const { message: m, relay } = job;
    for (let failures = 1; ; failures++) {
      try {
        await deliverArrival(opts, {
          bytes,
          fileName: null,
          serverId: relay.serverId,
          tz: relay.tz,
          source: { kind: 'discord', ref: `channels/${m.channelId}/messages/${m.id}` },
          receivedAt: new Date(m.createdAtMs).toISOString(),
          maxBytes: opts.maxFileBytes,
        });
        return true;
      } catch (e) {
        opts.metrics.sourceErrors.inc({ source: 'discord', server: relay.serverId, reason: 'append' });
        const retriable = e instanceof LedgerError && e.retriable;
        const fields = { err: e, server: relay.serverId, channel: m.channelId, message: m.id, failures };
        if (retriable && !stopped) {
          const delay = backOffDelay(backOff, failures);
          log.warn({ ...fields, retryInMs: delay }, 'could not hand a message to the log; retrying');
          await pacer.sleep(delay);
        }
        if (!retriable || stopped) {
          seen.delete(m.id);
          log.error(fields, 'could not hand a message to the log; it stays in the channel for the next start');
          return false;
        }
      }
    }
  }

  async function deleteTrigger(relay: RelayChannel, m: RelayMessage): Promise<void> {
    const fields = { channel: m.channelId, message: m.id };
    try {
      await client?.rest.delete(Routes.channelMessage(m.channelId, m.id), { reason: 'et-ledger: report stored' });
      log.debug(fields, 'trigger message deleted');
    } catch (e) {
      const code = e instanceof DiscordAPIError ? e.code : null;
      if (code === RESTJSONErrorCodes.UnknownMessage) return void log.debug(fields, 'trigger message already gone');
      const hint =
        code === RESTJSONErrorCodes.MissingPermissions || code === RESTJSONErrorCodes.MissingAccess
          ? 'give the bot Manage Messages in the channel, or set deleteTrigger false'
          : 'it stays in the channel; the next start deletes it';
      opts.metrics.sourceErrors.inc({ source: 'discord', server: relay.serverId, reason: 'delete' });
      log.warn({ ...fields, err: (e as Error).message, hint }, 'could not delete the trigger message');
    }
  }

  async function catchUp(c: Client): Promise<void> {
    for (const relay of opts.relays) {
      const fields = { server: relay.serverId, channel: relay.channelId };
      try {
        const channel = await c.channels.fetch(relay.channelId);
        if (!channel?.isTextBased()) {
          log.error(fields, 'the relay channel is not a text channel the bot can read');
          continue;
        }
        const history = await channel.messages.fetch({ limit: historyLimit });
        const oldestFirst = [...history.values()].sort((a, b) => (BigInt(a.id) < BigInt(b.id) ? -1 : 1));
        for (const m of oldestFirst) enqueue({ relay, message: snapshot(m), from: 'history' });
        log.info({ ...fields, messages: oldestFirst.length }, "read the relay channel's recent messages");
      } catch (e) {
        opts.metrics.sourceErrors.inc({ source: 'discord', server: relay.serverId, reason: 'history' });
        log.error(
          { ...fields, err: (e as Error).message },
          'cannot read the relay channel: give the bot View Channel and Read Message History there; live messages are still taken',
        );
      }
    }
    await idle();
  }

  function connect(): Client {
    const c = new Client({
      intents: [Intent.Guilds, Intent.GuildMessages, Intent.MessageContent],
      rest: { api: opts.api },
      allowedMentions: { parse: [] },
    });
    c.on(Events.Error, (e) => log.warn({ err: e.message }, 'Discord gateway error; discord.js reconnects'));
    c.on(Events.MessageCreate, (m) => {
      const relay = byChannel.get(m.channelId);
      if (relay && m.author?.id !== c.user?.id) enqueue({ relay, message: snapshot(m), from: 'live' });
    });
    // Every new gateway session (the first, and a re-identify after an invalid session) reads the
    // history; a resumed session gets the missed events from Discord itself.
    c.on(Events.ShardReady, () => {
      void catchUp(c).then(() => {
        if (!stopped) settle(true);
      });
    });
    c.on(Events.ShardDisconnect, (event) => {
      const hint =
        event.code === 4014
          ? 'turn on the Message Content intent (developer portal → Bot → Privileged Gateway Intents)'
          : 'check DISCORD_TOKEN';
      opts.metrics.sourceErrors.inc({ source: 'discord', server: 'all', reason: 'gateway' });
      log.error({ code: event.code, hint }, 'Discord closed the gateway for good: the relay is off');
      settle(false);
    });
    return c;
  }

  const running = (async () => {
    for (let failures = 1; !stopped; failures++) {
      const c = connect();
      client = c;
      try {
        await c.login(opts.token);
        return;
      } catch (e) {
        await c.destroy().catch(() => {});
        if (stopped) break;
        const permanent = (e as { code?: unknown }).code === 'TokenInvalid';
        opts.metrics.sourceErrors.inc({ source: 'discord', server: 'all', reason: 'login' });
        if (permanent) {
          log.error({ err: (e as Error).message }, 'Discord refused the bot token (DISCORD_TOKEN): the relay is off');
          settle(false);
          return;
        }
        const delay = backOffDelay(backOff, failures);
        log.warn({ err: (e as Error).message, retryInMs: delay }, 'cannot reach the Discord gateway; retrying');
        await loginPacer.sleep(delay);
      }
    }
    settle(false);
  })();

  return {
    ready,
    async stop() {
      stopped = true;
      pacer.wake();
      loginPacer.wake();
      await client?.destroy();
      await running;
      await worker;
      settle(false);
    },
  };
}

function snapshot(m: Message): RelayMessage {
  return {
    id: m.id,
    channelId: m.channelId,
    webhookId: m.webhookId,
    authorName: m.author?.username ?? '',
    content: m.content ?? '',
    embeds: m.embeds.map((e) => e.data as RelayEmbed),
    createdAtMs: m.createdTimestamp,
  };
}
