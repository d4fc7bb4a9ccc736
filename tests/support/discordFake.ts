// A FAKE of Discord's REST API v10 and gateway (no Discord server is installable; notes/peers.md §5):
// node http + ws, speaking the wire protocol discord.js expects — bot auth, channel messages (create
// with nonce/enforce_nonce, edit, fetch, list, delete), rate-limit headers and 429s, JSON error codes;
// the gateway handshake (HELLO, IDENTIFY → READY + GUILD_CREATE, heartbeats), guild command
// registration, INTERACTION_CREATE and the interaction callback; incoming webhooks (execute
// POST /webhooks/{id}/{token}) and other users' messages, each stored and dispatched as MESSAGE_CREATE.
import { once } from 'node:events';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { type WebSocket, WebSocketServer } from 'ws';

export type FakeEmbed = {
  /** Filled in by Discord on stored messages (`rich`). */
  type?: string;
  title?: string;
  description?: string;
  fields?: { name: string; value: string; inline?: boolean }[];
  footer?: { text: string };
  color?: number;
  timestamp?: string;
};

export type FakeAttachment = { id: string; filename: string; size: number; content_type: string; url: string };

export type FakeMessage = {
  id: string;
  channel_id: string;
  author: { id: string; username: string; bot: boolean; discriminator?: string };
  /** Set on a message a webhook posted: the webhook's id (Discord's `webhook_id`). */
  webhook_id?: string;
  content: string;
  embeds: FakeEmbed[];
  nonce?: string | number;
  allowed_mentions?: unknown;
  timestamp: string;
  edited_timestamp: string | null;
  type: 0;
  flags: 0;
  mentions: [];
  mention_roles: [];
  attachments: FakeAttachment[];
  /** Edits received, oldest first (not a Discord field). */
  edits: number;
};

export type FakeRequest = {
  method: string;
  path: string;
  query: URLSearchParams;
  body: Record<string, unknown> | null;
  /** Files of a multipart request (`files[n]` parts), by file name. */
  files: Map<string, Uint8Array>;
  /** process.hrtime.bigint() in ms when the request had fully arrived. */
  atMs: number;
  authorization: string | undefined;
};

export type FakeReply = { status: number; body?: unknown; headers?: Record<string, string> };

/** What a hook may ask: answer normally, or drop the connection without an answer (a crash). */
export type HookVerdict = 'answer' | 'drop';

/** An incoming webhook of a channel, as Discord's "Copy Webhook URL" gives it (`url`). */
export type FakeWebhook = { id: string; token: string; channelId: string; name: string; url: string };

export type DiscordFakeOptions = {
  token?: string;
  /** Per channel, at most this many message writes per window; more are answered 429 (Discord's behaviour). */
  bucket?: { limit: number; windowMs: number };
  /** Honour enforce_nonce (Discord does); tests turn it off to prove the sender's own lookup. */
  enforceNonce?: boolean;
};

export type DiscordFake = {
  /** Base URL for `REST({ api })` / ET_LEDGER_DISCORD_API. */
  api: string;
  token: string;
  botId: string;
  guildId: string;
  requests: FakeRequest[];
  /** 429s the fake had to serve because a client ignored the rate-limit headers. */
  rateLimitViolations: number;
  addChannel(id: string, opts?: { access?: 'ok' | 'forbidden' }): void;
  messages(channelId: string): FakeMessage[];
  /** The next `times` requests matching answer `reply` instead (a 429, a 503, an error code). */
  failNext(match: { method?: string; path?: RegExp }, reply: FakeReply, times?: number): void;
  /** Bytes of every attachment received, by attachment id. */
  files: Map<string, Uint8Array>;
  /** Bodies of PUT /applications/{app}/guilds/{guild}/commands, in order. */
  registeredCommands: { guildId: string; body: unknown }[];
  /** Sends an INTERACTION_CREATE for a slash command; resolves with the bot's callback body. */
  interact(
    name: string,
    options?: Record<string, string>,
    opts?: { channelId?: string; guildId?: string; userId?: string },
  ): Promise<{ type: number; data: { embeds?: FakeEmbed[]; content?: string; allowed_mentions?: unknown } }>;
  /** Resolves when a client has identified on the gateway (READY sent). */
  gatewayReady(): Promise<void>;
  /** Creates an incoming webhook in the channel; anything may POST to its `url` as Discord's webhooks take. */
  addWebhook(channelId: string, name?: string): FakeWebhook;
  /** A member (not a webhook, not the bot) writes `content` in the channel: stored and dispatched. */
  postAsUser(channelId: string, content: string, user?: { id: string; username: string }): FakeMessage;
  /** Dispatches MESSAGE_CREATE for a stored message once more (a replayed gateway event). */
  redeliver(channelId: string, messageId: string): void;
  /** Runs after a request is read (and a create stored), before the answer. */
  hook: ((req: FakeRequest, created: FakeMessage | null) => Promise<HookVerdict> | HookVerdict) | null;
  close(): Promise<void>;
};

const nowMs = () => Number(process.hrtime.bigint()) / 1e6;

export async function startDiscordFake(opts: DiscordFakeOptions = {}): Promise<DiscordFake> {
  const token = opts.token ?? 'fake-bot-token-0123456789abcdefghijklmnop';
  let nextId = 1_300_000_000_000_000_000n;
  const snowflake = () => String(nextId++);
  const botId = snowflake();
  const guildId = snowflake();
  const channels = new Map<string, { access: 'ok' | 'forbidden'; messages: FakeMessage[]; writes: number[] }>();
  const failures: { match: { method?: string; path?: RegExp }; reply: FakeReply; times: number }[] = [];
  const enforceNonce = opts.enforceNonce ?? true;
  const author = { id: botId, username: 'et-ledger', bot: true };

  const send = (res: ServerResponse, r: FakeReply) => {
    // A 204 carries no body and no JSON content type (else @discordjs/rest parses an empty body).
    if (r.status === 204 || r.body === undefined) {
      res.writeHead(r.status, r.headers ?? {});
      res.end();
      return;
    }
    res.writeHead(r.status, { 'content-type': 'application/json', ...(r.headers ?? {}) });
    res.end(JSON.stringify(r.body));
  };
  const error = (status: number, code: number, message: string): FakeReply => ({
    status,
    body: { message, code },
  });

  function rateHeaders(channelId: string): Record<string, string> {
    const b = opts.bucket;
    if (!b) return { 'x-ratelimit-limit': '50', 'x-ratelimit-remaining': '49', 'x-ratelimit-reset-after': '1' };
    const ch = channels.get(channelId);
    const now = nowMs();
    const recent = ch ? ch.writes.filter((t) => now - t < b.windowMs) : [];
    const resetAfter = recent.length > 0 ? (b.windowMs - (now - recent[0]!)) / 1000 : b.windowMs / 1000;
    return {
      'x-ratelimit-limit': String(b.limit),
      'x-ratelimit-remaining': String(Math.max(0, b.limit - recent.length)),
      'x-ratelimit-reset': String((Date.now() + resetAfter * 1000) / 1000),
      'x-ratelimit-reset-after': resetAfter.toFixed(3),
      // One bucket hash per route, as Discord does; the limit counts per channel (major parameter).
      'x-ratelimit-bucket': 'fake-messages-bucket',
    };
  }

  /** Counts a write against the channel's bucket; a 429 reply when the client ignored the headers. */
  function spend(channelId: string): FakeReply | null {
    const b = opts.bucket;
    const ch = channels.get(channelId);
    if (!b || !ch) return null;
    const now = nowMs();
    ch.writes = ch.writes.filter((t) => now - t < b.windowMs);
    if (ch.writes.length >= b.limit) {
      fake.rateLimitViolations++;
      const retry = (b.windowMs - (now - ch.writes[0]!)) / 1000;
      return {
        status: 429,
        body: { message: 'You are being rate limited.', retry_after: retry, global: false },
        headers: { ...rateHeaders(channelId), 'retry-after': retry.toFixed(3), 'x-ratelimit-scope': 'user' },
      };
    }
    ch.writes.push(now);
    return null;
  }

  const pendingInteractions = new Map<string, (body: unknown) => void>();

  function route(req: FakeRequest): { reply: FakeReply; created: FakeMessage | null } {
    // discord.js calls /api/v10/…; a webhook URL as Discord hands it out has no version (/api/webhooks/…).
    const p = req.path.replace(/^\/api(?:\/v\d+)?/, '');
    const callback = /^\/interactions\/(\d+)\/([^/]+)\/callback$/.exec(p);
    if (callback && req.method === 'POST') {
      // Interaction callbacks carry the interaction's token in the path, no Authorization header.
      const answer = pendingInteractions.get(callback[1]!);
      if (!answer || callback[2] !== `itoken-${callback[1]}`)
        return { reply: error(404, 10062, 'Unknown interaction'), created: null };
      pendingInteractions.delete(callback[1]!);
      answer(req.body);
      return { reply: { status: 204 }, created: null };
    }
    const execute = /^\/webhooks\/(\d+)\/([^/]+)$/.exec(p);
    if (execute && req.method === 'POST') return executeWebhook(req, execute[1]!, execute[2]!);
    if (req.authorization !== `Bot ${token}`) return { reply: error(401, 0, '401: Unauthorized'), created: null };
    if (req.method === 'GET' && p === '/users/@me')
      return {
        reply: { status: 200, body: { ...author, discriminator: '0', global_name: null, avatar: null } },
        created: null,
      };
    if (req.method === 'GET' && p === '/gateway/bot')
      return {
        reply: {
          status: 200,
          body: {
            url: `ws://127.0.0.1:${port}/gateway`,
            shards: 1,
            session_start_limit: { total: 1000, remaining: 999, reset_after: 0, max_concurrency: 1 },
          },
        },
        created: null,
      };
    const commands = /^\/applications\/(\d+)\/guilds\/(\d+)\/commands$/.exec(p);
    if (commands && req.method === 'PUT') {
      if (commands[1] !== botId || commands[2] !== guildId)
        return { reply: error(403, 50001, 'Missing Access'), created: null };
      fake.registeredCommands.push({ guildId: commands[2], body: req.body });
      const list = (req.body as unknown as { name: string }[]).map((c) => ({
        ...c,
        id: snowflake(),
        application_id: botId,
        guild_id: guildId,
        version: snowflake(),
        type: 1,
      }));
      return { reply: { status: 200, body: list }, created: null };
    }
    const m = /^\/channels\/(\d+)(\/messages(?:\/(\d+))?)?$/.exec(p);
    if (!m) return { reply: error(404, 0, '404: Not Found'), created: null };
    const [, channelId, messagesPart, messageId] = m as unknown as [
      string,
      string,
      string | undefined,
      string | undefined,
    ];
    const ch = channels.get(channelId);
    if (!ch) return { reply: error(404, 10003, 'Unknown Channel'), created: null };
    if (ch.access === 'forbidden') return { reply: error(403, 50013, 'Missing Permissions'), created: null };
    const headers = rateHeaders(channelId);
    if (!messagesPart)
      return {
        reply: {
          status: 200,
          body: {
            id: channelId,
            type: 0,
            guild_id: guildId,
            name: `ch-${channelId.slice(-4)}`,
            position: 0,
            permission_overwrites: [],
          },
        },
        created: null,
      };
    if (messageId === undefined && req.method === 'GET') {
      const limit = Math.min(100, Number(req.query.get('limit') ?? 50));
      const before = req.query.get('before');
      const list = [...ch.messages]
        .reverse()
        .filter((x) => before === null || BigInt(x.id) < BigInt(before))
        .slice(0, limit);
      return { reply: { status: 200, body: list.map(wire), headers }, created: null };
    }
    if (messageId === undefined && req.method === 'POST') {
      const limited = spend(channelId);
      if (limited) return { reply: limited, created: null };
      const body = req.body ?? {};
      const embeds = (body.embeds as FakeEmbed[] | undefined) ?? [];
      const content = (body.content as string | undefined) ?? '';
      if (content === '' && embeds.length === 0)
        return { reply: error(400, 50006, 'Cannot send an empty message'), created: null };
      const nonce = body.nonce as string | undefined;
      if (enforceNonce && body.enforce_nonce === true && nonce !== undefined) {
        const same = ch.messages.find((x) => x.nonce === nonce && Date.now() - Date.parse(x.timestamp) < 5 * 60_000);
        if (same) return { reply: { status: 200, body: wire(same), headers }, created: null };
      }
      const msg = newMessage(channelId, {
        author,
        content,
        embeds,
        ...(nonce !== undefined ? { nonce } : {}),
        allowed_mentions: body.allowed_mentions,
        attachments: attachmentsOf(req),
      });
      ch.messages.push(msg);
      return { reply: { status: 200, body: wire(msg), headers: rateHeaders(channelId) }, created: msg };
    }
    const msg = ch.messages.find((x) => x.id === messageId);
    if (!msg) return { reply: error(404, 10008, 'Unknown Message'), created: null };
    if (req.method === 'GET') return { reply: { status: 200, body: wire(msg), headers }, created: null };
    if (req.method === 'PATCH') {
      const limited = spend(channelId);
      if (limited) return { reply: limited, created: null };
      const body = req.body ?? {};
      if (body.content !== undefined) msg.content = body.content as string;
      if (body.embeds !== undefined) msg.embeds = body.embeds as FakeEmbed[];
      if (body.allowed_mentions !== undefined) msg.allowed_mentions = body.allowed_mentions;
      // `attachments` lists what the message keeps: the files sent now, by their index.
      if (body.attachments !== undefined) msg.attachments = attachmentsOf(req);
      msg.edited_timestamp = new Date().toISOString();
      msg.edits++;
      return { reply: { status: 200, body: wire(msg), headers: rateHeaders(channelId) }, created: null };
    }
    if (req.method === 'DELETE') {
      ch.messages.splice(ch.messages.indexOf(msg), 1);
      return { reply: { status: 204, headers }, created: null };
    }
    return { reply: error(405, 0, '405: Method Not Allowed'), created: null };
  }

  const wire = ({ edits: _e, nonce: _n, ...m }: FakeMessage) => m;

  const webhooks = new Map<string, FakeWebhook>();

  /** Discord's "Execute Webhook": no bot token, the webhook's own token in the path; 204, or the message with ?wait=true. */
  function executeWebhook(req: FakeRequest, id: string, hookToken: string): { reply: FakeReply; created: null } {
    const hook = webhooks.get(id);
    if (!hook) return { reply: error(404, 10015, 'Unknown Webhook'), created: null };
    if (hook.token !== hookToken) return { reply: error(401, 50027, 'Invalid Webhook Token'), created: null };
    const body = req.body ?? {};
    const content = typeof body.content === 'string' ? body.content : '';
    // Discord stores embeds with their type filled in; empty field values are accepted (since 2024).
    const embeds = ((body.embeds as FakeEmbed[] | undefined) ?? []).map((e) => ({ type: 'rich', ...e }));
    if (content === '' && embeds.length === 0)
      return { reply: error(400, 50006, 'Cannot send an empty message'), created: null };
    const username = typeof body.username === 'string' && body.username !== '' ? body.username : hook.name;
    const msg = storeAndDispatch(hook.channelId, {
      author: { id: hook.id, username, bot: true, discriminator: '0000' },
      webhook_id: hook.id,
      content,
      embeds,
    });
    const wait = req.query.get('wait') === 'true';
    return { reply: wait ? { status: 200, body: wire(msg) } : { status: 204 }, created: null };
  }

  /** A new message as Discord stores it: a fresh id, now, no edits; `m` says who and what. */
  function newMessage(
    channelId: string,
    m: Pick<FakeMessage, 'author' | 'content' | 'embeds'> & Partial<FakeMessage> & { webhook_id?: string },
  ): FakeMessage {
    return {
      id: snowflake(),
      channel_id: channelId,
      timestamp: new Date().toISOString(),
      edited_timestamp: null,
      type: 0,
      flags: 0,
      mentions: [],
      mention_roles: [],
      attachments: [],
      edits: 0,
      ...m,
    };
  }

  /** A message that did not come through the bot's REST calls: kept in the channel and sent to every gateway client. */
  function storeAndDispatch(
    channelId: string,
    m: Pick<FakeMessage, 'author' | 'content' | 'embeds'> & { webhook_id?: string },
  ): FakeMessage {
    const ch = channels.get(channelId);
    if (!ch) throw new Error(`the fake has no channel ${channelId}: addChannel first`);
    const msg = newMessage(channelId, m);
    ch.messages.push(msg);
    dispatchMessage(msg);
    return msg;
  }

  function dispatchMessage(msg: FakeMessage): void {
    const d = { ...wire(msg), guild_id: guildId, tts: false, pinned: false, mention_everyone: false };
    for (const ws of sockets)
      (ws as WebSocket & { dispatch: (t: string, d: unknown) => void }).dispatch('MESSAGE_CREATE', d);
  }

  function attachmentsOf(req: FakeRequest): FakeAttachment[] {
    const listed = (req.body?.attachments as { id: number; filename: string }[] | undefined) ?? [];
    return listed.flatMap((a) => {
      const data = req.files.get(a.filename);
      if (!data) return [];
      const id = snowflake();
      fake.files.set(id, data);
      return [
        {
          id,
          filename: a.filename,
          size: data.length,
          content_type: 'image/png',
          url: `http://127.0.0.1:${port}/attachments/${id}/${a.filename}`,
        },
      ];
    });
  }

  const server = createServer(async (req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const raw = Buffer.concat(chunks);
    let text = raw.toString('utf8');
    const url = new URL(req.url ?? '/', 'http://fake');
    let body: Record<string, unknown> | null = null;
    const files = new Map<string, Uint8Array>();
    const type = req.headers['content-type'] ?? '';
    if (type.startsWith('multipart/form-data')) {
      // payload_json carries the JSON body; files[n] the attachments.
      const form = await new Response(raw, { headers: { 'content-type': type } }).formData();
      text = String(form.get('payload_json') ?? '');
      for (const [key, value] of form.entries())
        if (key !== 'payload_json' && typeof value !== 'string')
          files.set(value.name, new Uint8Array(await value.arrayBuffer()));
    }
    if (text !== '') {
      try {
        body = JSON.parse(text) as Record<string, unknown>;
      } catch {
        send(res, error(400, 50109, 'The request body contains invalid JSON.'));
        return;
      }
    }
    const request: FakeRequest = {
      method: req.method ?? 'GET',
      path: url.pathname,
      query: url.searchParams,
      body,
      files,
      atMs: nowMs(),
      authorization: req.headers.authorization,
    };
    fake.requests.push(request);
    const failure = failures.find(
      (f) =>
        f.times > 0 &&
        (!f.match.method || f.match.method === request.method) &&
        (!f.match.path || f.match.path.test(request.path)),
    );
    if (failure) {
      failure.times--;
      send(res, failure.reply);
      return;
    }
    const { reply, created } = route(request);
    if (fake.hook && (await fake.hook(request, created)) === 'drop') {
      res.socket?.destroy();
      return;
    }
    send(res, reply);
  });
  const sockets = new Set<WebSocket>();
  let readyWaiters: (() => void)[] = [];
  let identified = false;
  const wss = new WebSocketServer({ server, path: '/gateway' });
  wss.on('connection', (ws) => {
    let seq = 0;
    const dispatch = (t: string, d: unknown) => ws.send(JSON.stringify({ op: 0, t, s: ++seq, d }));
    ws.send(JSON.stringify({ op: 10, d: { heartbeat_interval: 41_250 } }));
    ws.on('message', (raw) => {
      const msg = JSON.parse(String(raw)) as { op: number; d: unknown };
      if (msg.op === 1) ws.send(JSON.stringify({ op: 11 }));
      if (msg.op === 2) {
        if ((msg.d as { token?: string }).token !== token) {
          ws.close(4004, 'Authentication failed.');
          return;
        }
        sockets.add(ws);
        dispatch('READY', {
          v: 10,
          user: { ...author, discriminator: '0', global_name: null, avatar: null, flags: 0 },
          guilds: [{ id: guildId, unavailable: true }],
          session_id: `session-${botId}`,
          resume_gateway_url: `ws://127.0.0.1:${port}/gateway`,
          shard: [0, 1],
          application: { id: botId, flags: 0 },
        });
        dispatch('GUILD_CREATE', guildPayload());
        identified = true;
        for (const w of readyWaiters) w();
        readyWaiters = [];
      }
    });
    ws.on('close', () => sockets.delete(ws));
    (ws as WebSocket & { dispatch?: typeof dispatch }).dispatch = dispatch;
  });

  function guildPayload() {
    const everyone = '2248473465835073';
    return {
      id: guildId,
      name: 'fake guild',
      icon: null,
      owner_id: botId,
      afk_channel_id: null,
      afk_timeout: 300,
      verification_level: 0,
      default_message_notifications: 0,
      explicit_content_filter: 0,
      roles: [
        {
          id: guildId,
          name: '@everyone',
          color: 0,
          hoist: false,
          position: 0,
          permissions: everyone,
          managed: false,
          mentionable: false,
          flags: 0,
        },
      ],
      emojis: [],
      features: [],
      mfa_level: 0,
      application_id: null,
      system_channel_id: null,
      system_channel_flags: 0,
      rules_channel_id: null,
      joined_at: new Date().toISOString(),
      large: false,
      unavailable: false,
      member_count: 1,
      voice_states: [],
      members: [],
      channels: [...channels.keys()].map((id, position) => ({
        id,
        type: 0,
        name: `ch-${id.slice(-4)}`,
        position,
        permission_overwrites: [],
      })),
      threads: [],
      presences: [],
      stage_instances: [],
      guild_scheduled_events: [],
      stickers: [],
      premium_tier: 0,
      preferred_locale: 'en-US',
      nsfw_level: 0,
      premium_progress_bar_enabled: false,
    };
  }

  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const port = (server.address() as AddressInfo).port;

  const fake: DiscordFake = {
    api: `http://127.0.0.1:${port}/api`,
    token,
    botId,
    guildId,
    requests: [],
    rateLimitViolations: 0,
    hook: null,
    registeredCommands: [],
    files: new Map(),
    gatewayReady: () => (identified ? Promise.resolve() : new Promise<void>((r) => readyWaiters.push(r))),
    interact(name, options = {}, o = {}) {
      const id = snowflake();
      const channelId = o.channelId ?? [...channels.keys()][0] ?? snowflake();
      const user = {
        id: o.userId ?? '1111111111111111111',
        username: 'reader',
        discriminator: '0',
        global_name: 'Reader',
        avatar: null,
      };
      const answer = new Promise<unknown>((resolve) => pendingInteractions.set(id, resolve));
      const d = {
        id,
        application_id: botId,
        type: 2,
        data: {
          id: snowflake(),
          name,
          type: 1,
          guild_id: o.guildId ?? guildId,
          options: Object.entries(options).map(([k, value]) => ({ name: k, type: 3, value })),
        },
        guild_id: o.guildId ?? guildId,
        channel_id: channelId,
        channel: { id: channelId, type: 0, guild_id: guildId, name: `ch-${channelId.slice(-4)}` },
        member: {
          user,
          roles: [],
          joined_at: new Date().toISOString(),
          deaf: false,
          mute: false,
          flags: 0,
          permissions: '2248473465835073',
        },
        token: `itoken-${id}`,
        version: 1,
        app_permissions: '2248473465835073',
        locale: 'en-US',
        guild_locale: 'en-US',
        entitlements: [],
        authorizing_integration_owners: { '0': guildId },
        context: 0,
      };
      for (const ws of sockets)
        (ws as WebSocket & { dispatch: (t: string, d: unknown) => void }).dispatch('INTERACTION_CREATE', d);
      return answer as ReturnType<DiscordFake['interact']>;
    },
    addWebhook(channelId, name = 'Captain Hook') {
      const id = snowflake();
      const hook: FakeWebhook = {
        id,
        token: `whtoken-${id}`,
        channelId,
        name,
        url: `http://127.0.0.1:${port}/api/webhooks/${id}/whtoken-${id}`,
      };
      webhooks.set(id, hook);
      return hook;
    },
    postAsUser(channelId, content, user = { id: '1111111111111111112', username: 'someone' }) {
      return storeAndDispatch(channelId, { author: { ...user, bot: false, discriminator: '0' }, content, embeds: [] });
    },
    redeliver(channelId, messageId) {
      const msg = channels.get(channelId)?.messages.find((m) => m.id === messageId);
      if (!msg) throw new Error(`the fake has no message ${messageId} in ${channelId}`);
      dispatchMessage(msg);
    },
    addChannel(id, o = {}) {
      channels.set(id, { access: o.access ?? 'ok', messages: [], writes: [] });
    },
    messages: (id) => channels.get(id)?.messages ?? [],
    failNext(match, reply, times = 1) {
      failures.push({ match, reply, times });
    },
    async close() {
      for (const ws of sockets) ws.terminate();
      wss.close();
      server.closeAllConnections();
      await new Promise<void>((r) => server.close(() => r()));
    },
  };
  return fake;
}

/** A 429 as Discord sends it, waited out by @discordjs/rest after `retryAfterSec`. */
export const tooManyRequests = (retryAfterSec: number, global = false): FakeReply => ({
  status: 429,
  body: { message: 'You are being rate limited.', retry_after: retryAfterSec, global },
  headers: {
    'retry-after': String(retryAfterSec),
    'x-ratelimit-limit': '5',
    'x-ratelimit-remaining': '0',
    'x-ratelimit-reset-after': String(retryAfterSec),
    'x-ratelimit-scope': 'user',
    ...(global ? { 'x-ratelimit-global': 'true' } : {}),
  },
});
