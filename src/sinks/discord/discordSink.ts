// The Discord sink of `et-ledger run`: a sender loop over read.discord_outbox (the projection
// projections/discordOutbox.ts decides; this only sends). Woken by the outbox's NOTIFY on commit,
// polling as a fallback. On PostgreSQL one process sends at a time (advisory lock), so two running
// services never post the same round twice; the sink then holds two pooled connections for its
// whole life (the LISTEN one, and the lock session it also does its queries on).
import type { Registry } from 'prom-client';
import type { DiscordConfig } from '../../config/discord.ts';
import type { Logger } from '../../logger.ts';
import type { NewEvent } from '../../store/eventStore.ts';
import type { SqlDatabase, SqlExecutor } from '../../store/sqlDatabase.ts';
import { startDiscordBot } from './discordBot.ts';
import { createDiscordMetrics } from './discordMetrics.ts';
import { createDiscordRest, type DiscordRest, DiscordSinkError } from './discordRest.ts';
import { createSender, type SenderOptions } from './discordSender.ts';
import { ensureSentTable } from './sentMessages.ts';

/** Same name as in projections/discordOutbox.ts. */
const notifyChannel = 'et_ledger_discord_outbox';

export type DiscordSinkDeps = {
  db: SqlDatabase;
  config: DiscordConfig;
  log: Logger;
  /** The service's metrics registry (GET /metrics); a private one when absent. */
  registry?: Registry;
  /** Wall clock in ms, for the max-age rule (default Date.now). */
  now?: () => number;
  /** Fallback poll when no notification arrives (default 2000 ms; 250 ms while a row waits for a read model). */
  pollMs?: number;
  /** Back-off after a Discord failure (5xx, network): initial and maximum (default 500 ms, 60 s). */
  retryInitialMs?: number;
  retryMaxMs?: number;
  /** How long a channel Discord refuses (permission, unknown) is left alone (default 5 min). */
  channelPauseMs?: number;
  /** Slash commands (needs ET_LEDGER_DISCORD_GUILD): on by default when a guild is configured. */
  commands?: boolean;
  /** How /link and /unlink append their fact; without it they answer that linking is off. */
  appendFact?: (event: NewEvent) => Promise<unknown>;
  /** The session gap (minutes) that /map and /session use for evenings. */
  sessionGapMin?: number;
  /** Tests: a REST client of their own, and a hook between a create and its record. */
  rest?: DiscordRest;
  afterCreate?: SenderOptions['afterCreate'];
};

export type DiscordSink = {
  stop(): Promise<void>;
  /** Resolves true once slash commands are registered; false when they are off or failed. */
  commandsReady: Promise<boolean>;
  /** Resolves when a pass found nothing left to do (tests, the demo); rejects after `timeoutMs`. */
  drain(timeoutMs?: number): Promise<void>;
  /** Resolves when the loop ended (stop, or a refused token). */
  done: Promise<void>;
};

export function startDiscordSink(deps: DiscordSinkDeps): DiscordSink {
  const log = deps.log.child({ sink: 'discord' });
  const metrics = createDiscordMetrics(deps.registry);
  const rest = deps.rest ?? createDiscordRest({ token: deps.config.token, api: deps.config.api });
  rest.onRateLimited(({ route, waitMs, global }) => {
    metrics.rateLimited.inc({ global: String(global) });
    log.debug({ route, waitMs, global }, 'Discord rate limit: waiting for the reset');
  });
  const senderOn = (db: SqlExecutor) =>
    createSender({
      db,
      rest,
      config: deps.config,
      log,
      metrics,
      now: deps.now ?? Date.now,
      ...(deps.afterCreate ? { afterCreate: deps.afterCreate } : {}),
    });
  const pollMs = deps.pollMs ?? 2000;
  const retryInitialMs = deps.retryInitialMs ?? 500;
  const retryMaxMs = deps.retryMaxMs ?? 60_000;
  const channelPauseMs = deps.channelPauseMs ?? 5 * 60_000;

  const guildId = deps.config.guildId;
  const bot =
    guildId !== null && deps.commands !== false
      ? startDiscordBot({
          db: deps.db,
          config: { ...deps.config, guildId },
          log,
          metrics,
          now: deps.now ?? Date.now,
          ...(deps.appendFact ? { appendFact: deps.appendFact } : {}),
          ...(deps.sessionGapMin !== undefined ? { sessionGapMin: deps.sessionGapMin } : {}),
        })
      : null;

  let stopping = false;
  let poked = false;
  let wake = () => {};
  const sleep = (ms: number) =>
    new Promise<void>((resolve) => {
      if (poked || stopping) {
        poked = false;
        resolve();
        return;
      }
      const t = setTimeout(finish, ms);
      function finish() {
        clearTimeout(t);
        wake = () => {};
        poked = false;
        resolve();
      }
      wake = finish;
    });
  const poke = () => {
    poked = true;
    wake();
  };
  let drainers: { resolve: () => void }[] = [];

  /** `db`: where the sender reads and writes (on PostgreSQL the lock-holding session, not the pool). */
  const loop = async (db: SqlExecutor) => {
    const sender = senderOn(db);
    let failures = 0;
    let waitingStreak = 0;
    let tableReady = false;
    while (!stopping) {
      let nextWait = pollMs;
      // Only a pass that started after drain() was asked may answer it.
      const asked = drainers;
      drainers = [];
      let idle = false;
      try {
        if (!tableReady) {
          await ensureSentTable(db);
          tableReady = true;
        }
        const r = await sender.pass(channelPauseMs);
        failures = 0;
        // A row waiting for the rounds read model (which does not notify) is polled for soon,
        // less often the longer it waits (10, 20, 40 … ms, at most pollMs).
        waitingStreak = r.waiting > 0 && r.handled === 0 ? waitingStreak + 1 : 0;
        if (r.handled > 0) nextWait = 0;
        else if (r.waiting > 0) nextWait = Math.min(pollMs, 10 * 2 ** Math.min(waitingStreak - 1, 10));
        idle = r.handled === 0 && r.waiting === 0;
      } catch (e) {
        if (e instanceof DiscordSinkError && e.reason === 'unauthorized') {
          log.error(
            { err: e.message },
            'Discord refused DISCORD_TOKEN (401): the Discord sink stops; set a valid bot token and restart',
          );
          drainers.push(...asked);
          return;
        }
        if (isMissingOutbox(e)) {
          log.debug('read.discord_outbox does not exist yet; waiting for the projection');
          nextWait = pollMs;
        } else {
          failures++;
          nextWait = Math.min(retryMaxMs, retryInitialMs * 2 ** Math.min(failures - 1, 16));
          log.warn(
            { err: e instanceof Error ? e.message : String(e), failures, retryInMs: nextWait },
            'Discord sender pass failed; retrying with back-off',
          );
        }
      }
      if (idle) for (const d of asked) d.resolve();
      else drainers.push(...asked);
      if (nextWait > 0) await sleep(nextWait);
    }
  };

  const done = (async () => {
    const unlisten = await deps.db.listen(notifyChannel, poke).catch((e) => {
      log.warn({ err: (e as Error).message }, 'cannot LISTEN for outbox changes; polling only');
      return async () => {};
    });
    try {
      if (deps.db.ownedByOneProcess) return await loop(deps.db);
      await deps.db.withSession(async (session) => {
        while (!stopping) {
          const got = await session.query<{ ok: boolean }>(
            "select pg_try_advisory_lock(hashtext('et-ledger discord sender')) as ok",
          );
          if (got.rows[0]?.ok) {
            log.info({ pid: process.pid }, 'leading the Discord sender');
            try {
              return await loop(session);
            } finally {
              await session.query("select pg_advisory_unlock(hashtext('et-ledger discord sender'))").catch(() => {});
            }
          }
          await sleep(pollMs);
        }
      });
    } finally {
      await unlisten().catch(() => {});
      if (!deps.rest) rest.destroy();
      for (const d of drainers) d.resolve();
    }
  })();
  done.catch((e) => log.error({ err: e }, 'Discord sink stopped on an unexpected error'));

  return {
    done: done.catch(() => {}),
    commandsReady: bot?.ready ?? Promise.resolve(false),
    async stop() {
      stopping = true;
      wake();
      await done.catch(() => {});
      await bot?.stop();
    },
    drain(timeoutMs = 30_000) {
      return new Promise<void>((resolve, reject) => {
        const t = setTimeout(() => reject(new Error(`Discord sink not drained after ${timeoutMs} ms`)), timeoutMs);
        drainers.push({
          resolve: () => {
            clearTimeout(t);
            resolve();
          },
        });
        poke();
      });
    },
  };
}

const isMissingOutbox = (e: unknown) =>
  /discord_outbox" does not exist|relation "read\.discord_outbox"/.test((e as Error)?.message ?? '');
