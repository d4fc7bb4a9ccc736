// `et-ledger web`: the pages, over read models only (src/web/webQueries.ts), served by Hono on
// node:http. GET only: no endpoint changes state. Every query parameter is bounded and a bad one is
// a 400 that says what is wrong; an error is logged and shown as a plain 500, never a stack trace.
import { readFileSync } from 'node:fs';
import type { AddressInfo, Socket } from 'node:net';
import { serve } from '@hono/node-server';
import { Hono } from 'hono';
import { streamSSE } from 'hono/streaming';
import type { Logger } from '../logger.ts';
import { leaderboard } from '../sinks/discord/statsQueries.ts';
import type { SqlDatabase } from '../store/sqlDatabase.ts';
import { html } from './html.ts';
import { contentSecurityPolicy, page } from './layout.ts';
import { type LiveFeed, startLiveFeed } from './liveFeed.ts';
import { isMetric, leaderboardPage } from './pages/leaderboard.ts';
import { parsePeriod } from './pages/period.ts';
import { playerPage } from './pages/player.ts';
import { roundPage } from './pages/round.ts';
import { sessionPage, sessionsPage } from './pages/sessions.ts';
import { serverSection, tonightPage } from './pages/tonight.ts';
import { playerDpmByDay, playerIdentity, playerMapRecord, playerTotals } from './playerQueries.ts';
import { roundDetail } from './roundQueries.ts';
import { loadTonight, sessionAt, sessionDetail, sessionStartAround, sessionsBefore } from './webQueries.ts';

const css = readFileSync(new URL('site.css', import.meta.url), 'utf8');

export type WebDeps = {
  db: SqlDatabase;
  log: Logger;
  sessionGapMin: number;
  /** Wall clock (tests pin it). */
  nowMs?: () => number;
};

const uuidLike = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const guid8Like = /^[0-9A-Fa-f]{8}$/;
const serverIdLike = /^[A-Za-z0-9_.-]{1,64}$/;
const unixLike = /^\d{1,11}$/;

class BadRequest extends Error {}

function intParam(text: string | undefined, name: string, min: number, max: number, fallback: number): number {
  if (text === undefined || text === '') return fallback;
  if (!/^\d{1,12}$/.test(text) || Number(text) < min || Number(text) > max)
    throw new BadRequest(
      `${name} must be a whole number from ${min} to ${max}; got ${JSON.stringify(text.slice(0, 40))}`,
    );
  return Number(text);
}

/** Tonight as the live feed last read it (null before its first render). */
type TonightCache = () => Awaited<ReturnType<typeof loadTonight>> | null;

export function createWebApp(deps: WebDeps, feed: LiveFeed, streams: Set<Socket>, tonight: TonightCache): Hono {
  const { db } = deps;
  const now = deps.nowMs ?? Date.now;
  const gapSec = deps.sessionGapMin * 60;
  const app = new Hono();

  app.use('*', async (c, next) => {
    if (c.req.method !== 'GET' && c.req.method !== 'HEAD') {
      return c.text('method not allowed: these pages only read', 405, { Allow: 'GET, HEAD' });
    }
    await next();
    c.header('Content-Security-Policy', contentSecurityPolicy);
    c.header('X-Content-Type-Options', 'nosniff');
    c.header('Referrer-Policy', 'same-origin');
  });

  app.get('/assets/site.css', (c) =>
    c.body(css, 200, { 'Content-Type': 'text/css; charset=utf-8', 'Cache-Control': 'max-age=300' }),
  );
  app.get('/healthz', (c) => c.text('ok'));

  app.get('/', async (c) => {
    // The feed re-reads Tonight on every read-model commit: a page costs no query, only a render
    // with the current clock; the id it carries and the data it shows are from the same read.
    const since = feed.currentId();
    const servers = tonight() ?? (await loadTonight(db, gapSec));
    return c.html(tonightPage(servers, Math.floor(now() / 1000), gapSec, since));
  });

  app.get('/live', (c) => {
    const lastId = c.req.header('Last-Event-ID') ?? c.req.query('since');
    if (lastId !== undefined && lastId.length > 64) throw new BadRequest('Last-Event-ID is too long');
    c.header('X-Accel-Buffering', 'no'); // a proxy (nginx) must pass each event on at once
    const socket = (c.env as { incoming?: { socket?: Socket } } | undefined)?.incoming?.socket;
    return streamSSE(c, async (stream) => {
      if (socket) streams.add(socket);
      const queue: { id: string; serverId: string; html: string }[] = [];
      let wake: (() => void) | null = null;
      const unsubscribe = feed.subscribe((e) => {
        queue.push(e);
        wake?.();
      });
      stream.onAbort(() => {
        unsubscribe();
        wake?.();
      });
      await stream.writeSSE({ event: 'hello', data: 'live', retry: 1000 });
      queue.unshift(...feed.since(lastId));
      while (!stream.aborted) {
        while (queue.length > 0) {
          const e = queue.shift()!;
          await stream.writeSSE({
            event: 'tonight',
            id: e.id,
            data: JSON.stringify({ serverId: e.serverId, html: e.html }),
          });
        }
        // A comment every 15 s keeps proxies from closing an idle stream.
        await new Promise<void>((resolve) => {
          wake = resolve;
          setTimeout(resolve, 15_000).unref();
        });
        wake = null;
        if (!stream.aborted && queue.length === 0) await stream.write(': keep-alive\n\n');
      }
      unsubscribe();
      if (socket) streams.delete(socket);
    });
  });

  app.get('/sessions', async (c) => {
    const limit = intParam(c.req.query('limit'), 'limit', 1, 100, 20);
    const before = intParam(
      c.req.query('before'),
      'before',
      0,
      99_999_999_999,
      Math.floor(now() / 1000) + 86_400 * 366,
    );
    const { sessions, more } = await sessionsBefore(db, before, limit, gapSec);
    return c.html(sessionsPage(sessions, more, limit));
  });

  app.get('/sessions/:server', async (c) => {
    const serverId = c.req.param('server');
    const around = c.req.query('around');
    if (!serverIdLike.test(serverId) || around === undefined || !unixLike.test(around))
      throw new BadRequest('a session is /sessions/SERVER/START, or /sessions/SERVER?around=UNIX');
    const start = await sessionStartAround(db, serverId, Number(around), gapSec);
    if (start === null) return c.html(notFound('No session of this server holds that time.'), 404);
    return c.redirect(`/sessions/${encodeURIComponent(serverId)}/${start}`, 302);
  });

  app.get('/sessions/:server/:start', async (c) => {
    const serverId = c.req.param('server');
    const start = c.req.param('start');
    if (!serverIdLike.test(serverId) || !unixLike.test(start))
      throw new BadRequest('a session is /sessions/SERVER/START (unix seconds)');
    const session = await sessionAt(db, serverId, Number(start), gapSec);
    if (!session) return c.html(notFound('No session of this server starts at that time.'), 404);
    return c.html(sessionPage(session, await sessionDetail(db, session)));
  });

  app.get('/rounds/:id', async (c) => {
    const id = c.req.param('id');
    if (!uuidLike.test(id)) throw new BadRequest('a round is /rounds/ROUND_ID (the round id of read.rounds)');
    const detail = await roundDetail(db, id);
    if (!detail) return c.html(notFound('No round has this id.'), 404);
    return c.html(roundPage(detail));
  });

  app.get('/players/:guid', async (c) => {
    const guid = c.req.param('guid');
    if (!guid8Like.test(guid)) throw new BadRequest('a player is /players/GUID8 (8 hex characters of the stats GUID)');
    const period = parsePeriod(c.req.query('period'), now());
    if ('error' in period) throw new BadRequest(period.error);
    const who = await playerIdentity(db, guid.toUpperCase());
    if (!who) return c.html(notFound('No player has this GUID.'), 404);
    const [totals, maps, points] = [
      await playerTotals(db, who.guid8, period.sinceUnix),
      await playerMapRecord(db, who.guid8, period.sinceUnix),
      await playerDpmByDay(db, who.guid8, period.sinceUnix),
    ];
    return c.html(playerPage(who, period, totals, maps, points));
  });

  app.get('/leaderboard', async (c) => {
    const metric = c.req.query('metric') ?? 'dpm';
    if (!isMetric(metric)) throw new BadRequest('metric must be one of dpm, kills, kd, accuracy, revives');
    const period = parsePeriod(c.req.query('period'), now(), '30d');
    if ('error' in period) throw new BadRequest(period.error);
    const limit = intParam(c.req.query('limit'), 'limit', 1, 100, 25);
    return c.html(leaderboardPage(metric, period, await leaderboard(db, metric, period.sinceUnix, limit)));
  });

  app.notFound((c) => c.html(notFound('There is no such page.'), 404));
  app.onError((e, c) => {
    if (e instanceof BadRequest) return c.html(errorPage('Bad request', e.message), 400);
    deps.log.error({ err: e, path: c.req.path }, 'page failed');
    return c.html(
      errorPage('Something went wrong', 'The page could not be read from the read models; the error is in the log.'),
      500,
    );
  });
  return app;
}

const errorPage = (title: string, message: string) =>
  page({ title }, html`<h1>${title}</h1><p>${message}</p><p><a href="/">Tonight</a></p>`);
const notFound = (message: string) => errorPage('Not found', message);

export type WebServer = {
  url: string;
  port: number;
  feed: LiveFeed;
  dropLiveConnections(): void;
  stop(): Promise<void>;
};

/** Serves the pages on host:port (port 0: any free one) until stop(). */
export async function startWebServer(deps: WebDeps, listen: { host: string; port: number }): Promise<WebServer> {
  const gapSec = deps.sessionGapMin * 60;
  const now = deps.nowMs ?? Date.now;
  let lastTonight: Awaited<ReturnType<typeof loadTonight>> | null = null;
  const feed = await startLiveFeed({
    db: deps.db,
    log: deps.log,
    render: async () => {
      const servers = await loadTonight(deps.db, gapSec);
      lastTonight = servers;
      return servers.map((t) => ({
        serverId: t.session.serverId,
        html: serverSection(t, Math.floor(now() / 1000), gapSec).text,
      }));
    },
  });
  const streams = new Set<Socket>();
  const app = createWebApp(deps, feed, streams, () => lastTonight);
  const server = await new Promise<ReturnType<typeof serve>>((resolve, reject) => {
    const s = serve({ fetch: app.fetch, hostname: listen.host, port: listen.port }, () => resolve(s));
    s.once('error', reject);
  });
  const address = server.address() as AddressInfo;
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  return {
    url: `http://${host}:${address.port}`,
    port: address.port,
    feed,
    dropLiveConnections() {
      const n = streams.size;
      for (const s of streams) s.destroy();
      streams.clear();
      return n;
    },
    async stop() {
      for (const s of streams) s.destroy();
      await feed.close();
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        (server as unknown as { closeAllConnections?: () => void }).closeAllConnections?.();
      });
    },
  };
}
