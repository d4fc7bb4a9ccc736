// Turns one outbox row into the message it asks for, reading the rows a renderer needs from the
// read models (the renderers stay pure). Shared by the sender and `et-ledger demo`.

import { roundPageUrl } from '../../config/web.ts';
import { RoundTimingReconciled, type Verdict } from '../../events/index.ts';
import type { SqlExecutor } from '../../store/sqlDatabase.ts';
import type { DiscordMessage } from './embedLimits.ts';
import { mapLabel } from './inertText.ts';
import { postRef } from './renderFormat.ts';
import { renderRoundSummary } from './renderRoundSummary.ts';
import { renderSessionSummary } from './renderSessionSummary.ts';
import { renderTimingCheck } from './renderTimingCheck.ts';
import { roundContext, sessionByRounds } from './sessionQueries.ts';
import { roundPlayers } from './statsQueries.ts';

export type PostKind = 'round-summary' | 'timing-check' | 'session-summary';

/** What a session-summary row decides: the session's stats rounds (sessions view gap rule). */
export type SessionDecision = { serverId: string; firstUnix: number; lastUnix: number; roundKeys: string[] };
export type ChannelName = 'rounds' | 'timing';

/** A row of read.discord_outbox (projections/discordOutbox.ts). */
export type OutboxRow = {
  targetKey: string;
  kind: PostKind;
  channel: ChannelName;
  verdictEventId: string;
  roundTimeUnix: number | null;
  statsFactId: string | null;
  /** The verdict of a round kind; null for a session summary. */
  verdict: Verdict | null;
  session: SessionDecision | null;
  position: number;
};

/** For logs and the demo: `supply R2`, or `session 2026-08-19 19:41`. */
export function rowLabel(row: OutboxRow): string {
  if (row.verdict) return `${mapLabel(row.verdict.map)} R${row.verdict.round}`;
  const first = row.session?.firstUnix ?? 0;
  return `session ${new Date(first * 1000).toISOString().slice(0, 16).replace('T', ' ')} UTC`;
}

export type OutboxRecord = {
  target_key: string;
  kind: PostKind;
  channel: ChannelName;
  verdict_event_id: string;
  round_time_unix: number | null;
  stats_fact_id: string | null;
  verdict: unknown;
  position: number;
};

const verdictSchema = RoundTimingReconciled.shape.data;

export const outboxColumns =
  'o.target_key, o.kind, o.channel, o.verdict_event_id, o.round_time_unix, o.stats_fact_id, o.verdict, o.position';

export function toOutboxRow(r: OutboxRecord): OutboxRow {
  const body = typeof r.verdict === 'string' ? JSON.parse(r.verdict) : r.verdict;
  const isSession = r.kind === 'session-summary';
  return {
    targetKey: r.target_key,
    kind: r.kind,
    channel: r.channel,
    verdictEventId: r.verdict_event_id,
    roundTimeUnix: r.round_time_unix === null ? null : Number(r.round_time_unix),
    statsFactId: r.stats_fact_id,
    verdict: isSession ? null : verdictSchema.parse(body),
    session: isSession ? (body as SessionDecision) : null,
    position: Number(r.position),
  };
}

/**
 * The rounds read model has read at least up to `position` (so it holds the verdict's stats round
 * and its stopwatch map).
 */
async function roundsCaughtUp(db: SqlExecutor, position: number): Promise<boolean> {
  const r = await db.query<{ position: number }>(
    "select min(position) as position, count(*)::int as n from ledger.projection_builds where name = 'rounds' and status = 'active'",
  );
  const row = r.rows[0] as { position: number | null; n: number } | undefined;
  return row !== undefined && Number(row.n) === 1 && Number(row.position) >= position;
}

/** The message for a row, or null while the read models it needs are behind the verdict. */
export async function renderPost(
  db: SqlExecutor,
  row: OutboxRow,
  opts: { assumeCaughtUp?: boolean; publicUrl?: string | null } = {},
): Promise<DiscordMessage | null> {
  const ref = postRef(row.targetKey, row.kind);
  const caughtUp = async () => opts.assumeCaughtUp === true || (await roundsCaughtUp(db, row.position));
  if (row.session) {
    if (!(await caughtUp())) return null;
    const view = await sessionByRounds(db, row.session.serverId, row.session.roundKeys);
    return renderSessionSummary(view, ref);
  }
  if (!row.verdict) return null;
  if (row.kind === 'timing-check') return renderTimingCheck(row.verdict, ref);
  if (row.statsFactId === null || !(await caughtUp())) return null;
  return renderRoundSummary({
    verdict: row.verdict,
    players: await roundPlayers(db, row.statsFactId),
    ref,
    context: await roundContext(db, row.statsFactId),
    pageUrl: roundPageUrl(opts.publicUrl ?? null, row.statsFactId),
  });
}
