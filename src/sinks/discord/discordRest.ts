// The few Discord REST v10 calls the sender makes, through @discordjs/rest (as discord.js uses it).
// 429 and the X-RateLimit-* headers are handled by @discordjs/rest's queues (it waits out the reset);
// 5xx and network failures come back here as retriable errors, retried by the sender with back-off
// (@discordjs/rest would retry them at once). Driver errors are translated at this boundary.
import { type APIMessage, DiscordAPIError, HTTPError, RateLimitError, REST, Routes } from 'discord.js';
import { LedgerError } from '../../errors.ts';
import type { DiscordMessage } from './embedLimits.ts';

export type DiscordFailureReason =
  | 'missing_permission'
  | 'unknown_channel'
  | 'unknown_message'
  | 'rejected'
  | 'unauthorized'
  | 'rate_limited'
  | 'server_error'
  | 'network';

export class DiscordSinkError extends LedgerError {
  readonly reason: DiscordFailureReason;
  readonly status: number | null;
  constructor(reason: DiscordFailureReason, message: string, opts: { cause: unknown; status?: number | null }) {
    const retriable = reason === 'server_error' || reason === 'network' || reason === 'rate_limited';
    super('SINK_REJECTED', message, { cause: opts.cause, retriable });
    this.name = 'DiscordSinkError';
    this.reason = reason;
    this.status = opts.status ?? null;
  }
}

/** Discord JSON error codes that say "this channel cannot be used", whatever the message. */
const channelCodes: Record<number, DiscordFailureReason> = {
  10003: 'unknown_channel',
  50001: 'missing_permission',
  50013: 'missing_permission',
};

export function translateDiscordError(e: unknown, what: string): DiscordSinkError {
  if (e instanceof DiscordSinkError) return e;
  if (e instanceof DiscordAPIError) {
    const code = typeof e.code === 'number' ? e.code : Number(e.code);
    const reason: DiscordFailureReason =
      channelCodes[code] ??
      (code === 10008
        ? 'unknown_message'
        : e.status === 401
          ? 'unauthorized'
          : e.status === 403
            ? 'missing_permission'
            : e.status === 404
              ? 'unknown_channel'
              : e.status === 429
                ? 'rate_limited'
                : e.status >= 500
                  ? 'server_error'
                  : 'rejected');
    return new DiscordSinkError(reason, `${what}: Discord answered ${e.status} ${e.message} (code ${e.code})`, {
      cause: e,
      status: e.status,
    });
  }
  if (e instanceof HTTPError)
    return new DiscordSinkError(
      e.status >= 500 ? 'server_error' : 'rejected',
      `${what}: HTTP ${e.status} ${e.message}`,
      {
        cause: e,
        status: e.status,
      },
    );
  if (e instanceof RateLimitError)
    return new DiscordSinkError('rate_limited', `${what}: rate limited for ${e.retryAfter} ms (${e.route})`, {
      cause: e,
      status: 429,
    });
  return new DiscordSinkError('network', `${what}: ${(e as Error)?.message ?? String(e)}`, { cause: e });
}

export type DiscordRest = {
  /** Creates a message; `nonce` (≤ 25 chars) with enforce_nonce makes a repeat within minutes return the first. */
  post(channelId: string, m: DiscordMessage, nonce: string): Promise<APIMessage>;
  edit(channelId: string, messageId: string, m: DiscordMessage): Promise<APIMessage>;
  /** Deletes a message (a retracted round's post). */
  remove(channelId: string, messageId: string): Promise<void>;
  /** Up to `pages` × 100 of the channel's latest messages, newest first. */
  recent(channelId: string, pages: number): Promise<APIMessage[]>;
  /** The bot's own user id. */
  me(): Promise<string>;
  /** Called with the reset wait whenever @discordjs/rest holds a request back for a rate limit. */
  onRateLimited(listener: (info: { route: string; waitMs: number; global: boolean }) => void): void;
  destroy(): void;
};

export function createDiscordRest(opts: {
  token: string;
  api: string;
  /** A rate-limit wait longer than this fails the request (the sender retries later) instead of blocking. */
  maxRateLimitWaitMs?: number;
  timeoutMs?: number;
}): DiscordRest {
  const maxWait = opts.maxRateLimitWaitMs ?? 60_000;
  const rest = new REST({
    api: opts.api,
    version: '10',
    retries: 0,
    timeout: opts.timeoutMs ?? 15_000,
    rejectOnRateLimit: (data) => data.retryAfter > maxWait,
  }).setToken(opts.token);
  const call = async <T>(what: string, work: () => Promise<unknown>): Promise<T> => {
    try {
      return (await work()) as T;
    } catch (e) {
      throw translateDiscordError(e, what);
    }
  };
  // With files the request is multipart (payload_json + files[n]); `attachments` names them, and on
  // an edit it replaces the message's previous attachments.
  const body = (m: DiscordMessage) => ({
    content: m.content,
    embeds: m.embeds,
    allowed_mentions: m.allowed_mentions,
    ...(m.files ? { attachments: m.files.map((f, id) => ({ id, filename: f.name })) } : {}),
  });
  const files = (m: DiscordMessage) =>
    m.files
      ? { files: m.files.map((f) => ({ name: f.name, data: Buffer.from(f.data), contentType: 'image/png' })) }
      : {};
  return {
    post: (channelId, m, nonce) =>
      call(`posting to channel ${channelId}`, () =>
        rest.post(Routes.channelMessages(channelId), { body: { ...body(m), nonce, enforce_nonce: true }, ...files(m) }),
      ),
    edit: (channelId, messageId, m) =>
      call(`editing message ${messageId} in channel ${channelId}`, () =>
        rest.patch(Routes.channelMessage(channelId, messageId), { body: body(m), ...files(m) }),
      ),
    remove: (channelId, messageId) =>
      call(`deleting message ${messageId} in channel ${channelId}`, () =>
        rest.delete(Routes.channelMessage(channelId, messageId)),
      ),
    async recent(channelId, pages) {
      const all: APIMessage[] = [];
      let before: string | undefined;
      for (let i = 0; i < pages; i++) {
        const query = new URLSearchParams({ limit: '100', ...(before ? { before } : {}) });
        const page = await call<APIMessage[]>(`reading channel ${channelId}`, () =>
          rest.get(Routes.channelMessages(channelId), { query }),
        );
        all.push(...page);
        if (page.length < 100) break;
        before = page[page.length - 1]!.id;
      }
      return all;
    },
    me: async () => (await call<{ id: string }>('reading the bot user', () => rest.get(Routes.user('@me')))).id,
    onRateLimited(listener) {
      rest.on('rateLimited', (info) => listener({ route: info.route, waitMs: info.timeToReset, global: info.global }));
    },
    destroy() {
      rest.clearHashSweeper();
      rest.clearHandlerSweeper();
    },
  };
}
