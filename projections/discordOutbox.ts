// The Discord outbox (DESIGN invariant 7): for every standing verdict, the decision to post a round
// summary (production channel) and a timing check (dev channel), with a hash of what it shows.
// Deterministic like every projection: it never calls Discord; the sender in src/sinks/discord
// sends what this table asks for and edits when a row's verdict changes.
import { canonicalJson } from '../src/correlator/canonicalJson.ts';
import { watermarkTime } from '../src/correlator/watermarkLead.ts';
import { type DerivedFact, isVerdict, sha256Hex, type Verdict } from '../src/events/index.ts';
import { defineProjection } from '../src/runtime/projection.ts';
import { insertRows } from '../src/store/insertRows.ts';
import { type SqlExecutor, sqlFile } from '../src/store/sqlDatabase.ts';
import {
  decideSessions,
  type SessionChanges,
  type SessionRoundRow,
  saveSessionRounds,
} from './support/outboxSessions.ts';
import { RowsByVerdict } from './support/rowsByVerdict.ts';

/**
 * v3: follows the correlator's generation; retractions remove rows; no hand-over between targets.
 * v4: a stats round with no players (a header-only file) gets no round summary.
 * v5: sessions decided near changes only (projections/support/outboxSessions.ts): session ends kept per round.
 */
const version = 5;

/** The sender listens here (same name in src/sinks/discord/discordSender.ts); fires on commit. */
const notifyChannel = 'et_ledger_discord_outbox';

/** A round target's kinds of message; a session has the third. */
const ROUND_KINDS = ['round-summary', 'timing-check'] as const;
export type PostKind = (typeof ROUND_KINDS)[number] | 'session-summary';

/**
 * What a verdict asks to post: ghosts nothing; a Lua-only round only the timing check (dev channel);
 * a stats round nobody played (etl_ice's header-only R1: its verdict has no players) is kept in the
 * read models and checked in the dev channel, but is no result: no round summary.
 */
export function postKinds(v: Verdict): { kind: (typeof ROUND_KINDS)[number]; channel: 'rounds' | 'timing' }[] {
  if (v.flags.includes('ghost')) return [];
  const timing = { kind: 'timing-check' as const, channel: 'timing' as const };
  if (v.statsFactId === null || v.players.length === 0) return [timing];
  return [{ kind: 'round-summary', channel: 'rounds' }, timing];
}

export const discordOutbox = defineProjection({
  name: 'discord-outbox',
  version,
  follows: 'correlator',
  schemaSql: () => sqlFile(import.meta.url, 'discordOutbox.sql'),
  tables: { discord_outbox: { key: ['target_key', 'kind'] } },
  on: {
    RoundTimingReconciled: (items, { tx }) => foldVerdicts(tx, items),
    RoundVerdictRetracted: (items, { tx }) => foldVerdicts(tx, items),
    ClockTicked: async (items, { tx }) => {
      const last = items[items.length - 1]!.meta.position;
      if (
        await decideSessions(
          tx,
          // The correlator's rule: a tick from the future moves the watermark no further than a minute.
          items.map((i) => [i.event.data.serverId, watermarkTime(i.event.data.atUnix, i.meta.recordedAt)]),
          new Map(),
          last,
        )
      )
        await tx.query('select pg_notify($1, $2)', [notifyChannel, String(last)]);
    },
  },
});

type DerivedItem = { event: { data: DerivedFact }; meta: { eventId: string; position: number } };

/**
 * A verdict's rows replace the rows of its round key and of the verdicts it supersedes; a
 * retraction only removes them. The sender deletes a message whose target left the outbox (a
 * retracted round; a LUA_ONLY check whose report joined a stats round, which has its own), so a
 * channel ends the same whatever the order, batching or ingest split of the same facts.
 */
async function foldVerdicts(tx: SqlExecutor, items: DerivedItem[]): Promise<void> {
  const state = await loadTouched(
    tx,
    items.map((i) => i.event.data),
  );
  for (const { event, meta } of items) {
    const v = event.data;
    trackSessionRound(state.sessionRounds, v, meta.eventId);
    // The round's own rows (loadTouched leaves session rows out), and those of what it supersedes.
    for (const kind of ROUND_KINDS) state.outbox.remove(outboxKey({ target_key: v.roundKey, kind }));
    state.outbox.removeVerdicts(v.supersedes);
    if (!isVerdict(v)) continue;
    const payloadHash = sha256Hex(canonicalJson(v));
    // A message shows one round key for its whole life (invariant 7): a verdict's own key.
    for (const { kind, channel } of postKinds(v)) {
      state.outbox.set({
        target_key: v.roundKey,
        kind,
        channel,
        verdict_event_id: meta.eventId,
        payload_hash: payloadHash,
        server_id: v.serverId,
        map: v.map,
        round: v.round,
        status: v.status,
        stats_fact_id: v.statsFactId,
        round_time_unix: v.fileTimeUnix ?? v.luaRoundEndUnix,
        verdict: v,
        position: meta.position,
      });
    }
  }
  const changes = await saveTouched(tx, state);
  const last = items[items.length - 1]!.meta.position;
  await decideSessions(
    tx,
    items.map((i) => [i.event.data.serverId, i.event.data.watermarkUnix]),
    changes,
    last,
  );
  await tx.query('select pg_notify($1, $2)', [notifyChannel, String(last)]);
}

const outboxKey = (r: { target_key: string; kind: string }) => `${r.target_key}\0${r.kind}`;

type OutboxRow = {
  target_key: string;
  kind: PostKind;
  channel: 'rounds' | 'timing';
  verdict_event_id: string;
  payload_hash: string;
  server_id: string;
  map: string;
  round: number;
  status: string;
  stats_fact_id: string | null;
  round_time_unix: number | null;
  verdict: unknown;
  position: number;
};

/**
 * The rows a run of verdicts can touch — those of their round keys and of the verdicts they
 * supersede — loaded once, folded in memory in log order, and written back once (saveTouched).
 */
type Touched = {
  outbox: RowsByVerdict<OutboxRow>;
  sessionRounds: RowsByVerdict<SessionRoundRow>;
  loadedOutbox: OutboxRow[];
  loadedSessionRounds: ReadonlyMap<string, SessionRoundRow>;
};

async function loadTouched(tx: SqlExecutor, verdicts: DerivedFact[]): Promise<Touched> {
  const keys = [...new Set(verdicts.map((v) => v.roundKey))];
  const superseded = [...new Set(verdicts.flatMap((v) => v.supersedes))];
  const outbox = await tx.query<OutboxRow>(
    `select * from discord_outbox where kind <> 'session-summary'
       and (target_key = any($1::text[]) or verdict_event_id = any($2::text[]))`,
    [keys, superseded],
  );
  const rounds = await tx.query<SessionRoundRow>(
    `select round_key, server_id, time_unix, verdict_event_id from outbox_session_rounds
     where round_key = any($1::text[]) or verdict_event_id = any($2::text[])`,
    [keys, superseded],
  );
  const loadedSessionRounds = new Map(rounds.rows.map((r) => [r.round_key, { ...r, time_unix: Number(r.time_unix) }]));
  return {
    outbox: new RowsByVerdict(
      outboxKey,
      outbox.rows.map((r) => ({ ...r, position: Number(r.position) })),
    ),
    sessionRounds: new RowsByVerdict((r) => r.round_key, loadedSessionRounds.values()),
    loadedOutbox: outbox.rows,
    loadedSessionRounds,
  };
}

/** Writes the touched rows back; returns where the sessions' rounds changed. */
async function saveTouched(tx: SqlExecutor, t: Touched): Promise<SessionChanges> {
  if (t.loadedOutbox.length > 0)
    await tx.query(
      'delete from discord_outbox where (target_key, kind) in (select * from unnest($1::text[], $2::text[]))',
      [t.loadedOutbox.map((r) => r.target_key), t.loadedOutbox.map((r) => r.kind)],
    );
  await insertRows(tx, 'discord_outbox', [...t.outbox.rows.values()]);
  return saveSessionRounds(tx, t.loadedSessionRounds, t.sessionRounds.rows);
}

/** A stats round's standing verdict places it in its server's sessions; other verdicts and retractions leave them. */
function trackSessionRound(rounds: RowsByVerdict<SessionRoundRow>, v: DerivedFact, eventId: string): void {
  rounds.remove(v.roundKey);
  rounds.removeVerdicts(v.supersedes);
  if (isVerdict(v) && v.statsFactId !== null && v.fileTimeUnix !== null && !v.flags.includes('ghost'))
    rounds.set({
      round_key: v.roundKey,
      server_id: v.serverId,
      time_unix: v.fileTimeUnix,
      verdict_event_id: eventId,
    });
}
