// The sender: follows read.discord_outbox and makes Discord show it, one message per target, kind
// and channel (invariant 7). A create is recorded as `sending` (committed) before the request and
// as `posted` with the message id after; a crash in between leaves `sending`, and the next pass looks
// the message up by the `ref` in its footer before posting (the nonce with enforce_nonce covers a
// repeat within Discord's few minutes as well). Edits are idempotent and simply repeated.

import type { DiscordConfig } from '../../config/discord.ts';
import { canonicalJson } from '../../correlator/canonicalJson.ts';
import { sha256Hex } from '../../events/index.ts';
import type { Logger } from '../../logger.ts';
import type { SqlExecutor } from '../../store/sqlDatabase.ts';
import type { DiscordMetrics } from './discordMetrics.ts';
import { type DiscordRest, DiscordSinkError } from './discordRest.ts';
import type { DiscordMessage } from './embedLimits.ts';
import { ageSec, mayDelete, mayPost } from './postAge.ts';
import { postRef, refFooter } from './renderFormat.ts';
import { type OutboxRow, renderPost, rowLabel } from './renderPost.ts';
import { getSent, pendingRows, recordSent, type Sent, vanishedMessages } from './sentMessages.ts';

export type SenderOptions = {
  db: SqlExecutor;
  rest: DiscordRest;
  config: DiscordConfig;
  log: Logger;
  metrics: DiscordMetrics;
  /** Wall clock in ms (the max-age rule is the one place the edge's clock decides). */
  now: () => number;
  /** Test hook: after Discord created a message, before the sender records it. */
  afterCreate?: (info: { channelId: string; messageId: string; targetKey: string; kind: string }) => Promise<void>;
};

export type PassResult = { handled: number; waiting: number };

const envOf = (config: DiscordConfig, channelId: string) =>
  config.channels.rounds === channelId ? 'ET_LEDGER_CHANNEL_ROUNDS' : 'ET_LEDGER_CHANNEL_TIMING';

/** What the sender compares to decide an edit (also the rebuild report's prediction). */
export const hashOf = ({ files, ...m }: DiscordMessage) =>
  sha256Hex(canonicalJson({ ...m, files: (files ?? []).map((f) => [f.name, sha256Hex(f.data)]) })).slice(0, 32);

export function createSender(opts: SenderOptions) {
  const { db, rest, config, log, metrics } = opts;
  let botId: string | null = null;

  /** A create that may have reached Discord: search the channel for the message carrying `ref`. */
  async function lookUp(channelId: string, ref: string): Promise<string | null> {
    botId ??= await rest.me().catch(() => null);
    const marker = refFooter(ref);
    const found = (await rest.recent(channelId, 3)).find(
      (m) =>
        (botId === null || m.author?.id === botId) &&
        (m.type ?? 0) === 0 &&
        !m.interaction_metadata &&
        m.embeds?.some((e) => e.footer?.text?.includes(marker)),
    );
    return found?.id ?? null;
  }

  async function reconcile(row: OutboxRow, channelId: string, sent: Sent): Promise<Sent | null> {
    const id = await lookUp(channelId, sent.ref);
    if (id === null) return sent;
    metrics.posts.inc({ kind: row.kind, action: 'reconciled' });
    log.info({ kind: row.kind, target: rowLabel(row), messageId: id }, 'found the message of an interrupted post');
    return recordSent(db, { ...sent, state: 'posted', messageId: id, contentHash: null });
  }

  /**
   * A message whose target left the outbox (a retracted verdict, a regrouped session) is deleted:
   * the round it showed is being re-decided, and its next verdict posts anew, so the channel ends
   * the same whatever order the facts arrived in. A round older than the max age is left alone.
   */
  async function retract(sent: Sent): Promise<void> {
    if (!mayDelete(sent.roundTimeUnix ?? null, opts.now() / 1000, config.postMaxAgeSec)) {
      await recordSent(db, { ...sent, state: 'kept' });
      metrics.posts.inc({ kind: sent.kind, action: 'skip_old_retract' });
      return;
    }
    try {
      await rest.remove(sent.channelId, sent.messageId!);
    } catch (e) {
      if (!(e instanceof DiscordSinkError) || e.reason !== 'unknown_message') throw e;
    }
    await recordSent(db, { ...sent, state: 'retracted', messageId: null, contentHash: null });
    metrics.posts.inc({ kind: sent.kind, action: 'retract' });
    log.info(
      { kind: sent.kind, target: sent.targetKey, messageId: sent.messageId },
      'deleted a retracted Discord message',
    );
  }

  /** Brings one outbox row to Discord; 'waiting' while the read models it needs are behind. */
  async function handle(row: OutboxRow, channelId: string): Promise<'done' | 'waiting'> {
    const ref = postRef(row.targetKey, row.kind);
    const where = { kind: row.kind, target: rowLabel(row), status: row.verdict?.status ?? null };
    let sent = await getSent(db, row.targetKey, row.kind, channelId);
    if (sent?.state === 'sending') sent = await reconcile(row, channelId, sent);
    const hasMessage = sent !== null && (sent.state === 'posted' || sent.state === 'kept') && sent.messageId !== null;
    const roundTimeUnix = row.roundTimeUnix;
    const nowSec = opts.now() / 1000;
    if (!mayPost(roundTimeUnix, nowSec, config.postMaxAgeSec) && sent?.state !== 'sending') {
      await recordSent(db, {
        targetKey: row.targetKey,
        kind: row.kind,
        channelId,
        state: hasMessage ? 'posted' : 'skipped',
        messageId: hasMessage ? sent!.messageId : null,
        ref: sent?.ref ?? ref,
        verdictEventId: row.verdictEventId,
        contentHash: hasMessage ? sent!.contentHash : null,
        roundTimeUnix,
      });
      metrics.posts.inc({ kind: row.kind, action: hasMessage ? 'skip_old_edit' : 'skip_old' });
      log.debug(
        { ...where, ageSec: Math.round(ageSec(roundTimeUnix, nowSec)) },
        'round older than ET_LEDGER_POST_MAX_AGE; not posted or edited',
      );
      return 'done';
    }
    const message = await renderPost(db, row, { publicUrl: config.publicUrl ?? null });
    if (message === null) return 'waiting';
    const contentHash = hashOf(message);
    if (hasMessage && sent) {
      if (sent.contentHash !== contentHash) {
        await rest.edit(channelId, sent.messageId!, message);
        metrics.posts.inc({ kind: row.kind, action: 'edit' });
        log.info({ ...where, messageId: sent.messageId }, 'edited Discord message');
      } else metrics.posts.inc({ kind: row.kind, action: 'unchanged' });
      sent = await recordSent(db, {
        ...sent,
        state: 'posted',
        verdictEventId: row.verdictEventId,
        contentHash,
        ref: sent.ref,
        roundTimeUnix,
      });
    } else {
      await recordSent(db, {
        targetKey: row.targetKey,
        kind: row.kind,
        channelId,
        state: 'sending',
        messageId: null,
        ref,
        verdictEventId: row.verdictEventId,
        contentHash: null,
        roundTimeUnix,
      });
      const created = await rest.post(channelId, message, ref);
      await opts.afterCreate?.({ channelId, messageId: created.id, targetKey: row.targetKey, kind: row.kind });
      sent = await recordSent(db, {
        targetKey: row.targetKey,
        kind: row.kind,
        channelId,
        state: 'posted',
        messageId: created.id,
        ref,
        verdictEventId: row.verdictEventId,
        contentHash,
        roundTimeUnix,
      });
      metrics.posts.inc({ kind: row.kind, action: 'post' });
      log.info({ ...where, messageId: created.id }, 'posted Discord message');
    }
    return 'done';
  }

  const pausedUntil = new Map<string, number>();

  /**
   * One pass over the pending rows. A channel Discord refuses (permission, unknown) is paused with
   * one clear log line; a failure of Discord itself (5xx, network, long rate limit) is thrown for
   * the caller's back-off; `unauthorized` is thrown too (the sink stops).
   */
  async function pass(channelPauseMs: number): Promise<PassResult> {
    const rows = await pendingRows(db, config.channels);
    let handled = 0;
    let waiting = 0;
    for (const gone of await vanishedMessages(db, config.channels)) {
      if ((pausedUntil.get(gone.channelId) ?? 0) > opts.now()) continue;
      try {
        await retract(gone);
        handled++;
      } catch (e) {
        if (e instanceof DiscordSinkError) metrics.errors.inc({ channel: gone.channelId, reason: e.reason });
        if (!(e instanceof DiscordSinkError) || (e.reason !== 'missing_permission' && e.reason !== 'unknown_channel'))
          throw e;
        pausedUntil.set(gone.channelId, opts.now() + channelPauseMs);
        log.error(
          { channelId: gone.channelId, reason: e.reason, err: e.message },
          'cannot delete a retracted message; the channel waits',
        );
      }
    }
    for (const row of rows) {
      const until = pausedUntil.get(row.channelId) ?? 0;
      if (until > opts.now()) {
        waiting++;
        continue;
      }
      try {
        if ((await handle(row, row.channelId)) === 'waiting') waiting++;
        else handled++;
      } catch (e) {
        if (!(e instanceof DiscordSinkError)) throw e;
        const err = e;
        metrics.errors.inc({ channel: row.channelId, reason: err.reason });
        const sent = await getSent(db, row.targetKey, row.kind, row.channelId);
        switch (err.reason) {
          case 'missing_permission':
          case 'unknown_channel':
            pausedUntil.set(row.channelId, opts.now() + channelPauseMs);
            log.error(
              {
                channelId: row.channelId,
                reason: err.reason,
                retryInSec: Math.round(channelPauseMs / 1000),
                err: err.message,
              },
              err.reason === 'unknown_channel'
                ? `Discord does not know channel ${row.channelId} (${envOf(config, row.channelId)}): check the id and that the bot is in that server; posts to it wait`
                : `the bot may not post in channel ${row.channelId} (${envOf(config, row.channelId)}): give it View Channel, Send Messages, Embed Links and Read Message History; posts to it wait`,
            );
            waiting++;
            break;
          case 'unknown_message':
            if (sent) await recordSent(db, { ...sent, state: 'gone', verdictEventId: row.verdictEventId });
            log.warn(
              { channelId: row.channelId, messageId: sent?.messageId },
              'a posted message was deleted in Discord; not posting it again',
            );
            handled++;
            break;
          case 'rejected':
            await recordSent(db, {
              targetKey: row.targetKey,
              kind: row.kind,
              channelId: row.channelId,
              state: sent?.messageId ? 'posted' : 'rejected',
              messageId: sent?.messageId ?? null,
              ref: sent?.ref ?? postRef(row.targetKey, row.kind),
              verdictEventId: row.verdictEventId,
              contentHash: sent?.contentHash ?? null,
            });
            log.error(
              { channelId: row.channelId, err: err.message },
              'Discord refused a message; it is skipped until the next verdict of its round',
            );
            handled++;
            break;
          default:
            throw err;
        }
      }
    }
    return { handled, waiting };
  }

  return { pass, handle };
}
