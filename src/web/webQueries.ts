// What the web pages read: read.* only (the page role may select nothing else). Sessions are cut
// from a server's rounds by the gap rule here, walking from a known time (never a window over the
// whole history): a page costs the same at 1 000 rounds as at 100 000.
import { sessionByRounds } from '../sinks/discord/sessionQueries.ts';
import type { SqlExecutor } from '../store/sqlDatabase.ts';
import { roundDetail } from './roundQueries.ts';

export type { HistoryEntry, PlayerLine, RoundDetail, RoundRow } from './roundQueries.ts';

export type RoundRef = {
  roundId: string;
  serverId: string;
  serverName: string;
  map: string;
  round: number;
  fileTimeUnix: number;
  tz: string;
};

/** Rounds of a server with a file time, as the sessions are cut from them. */
const roundRefColumns = `round_id, server_id, server_name, map, round, file_time_unix, tz`;

type RoundRefRow = {
  round_id: string;
  server_id: string;
  server_name: string;
  map: string;
  round: number;
  file_time_unix: string | number;
  tz: string;
};
const toRef = (r: RoundRefRow): RoundRef => ({
  roundId: r.round_id,
  serverId: r.server_id,
  serverName: r.server_name,
  map: r.map,
  round: Number(r.round),
  fileTimeUnix: Number(r.file_time_unix),
  tz: r.tz,
});

/** The most rounds one session may hold here (a 24/7 server never pauses 45 minutes). */
export const MAX_SESSION_ROUNDS = 400;

export type SessionRef = {
  serverId: string;
  serverName: string;
  startUnix: number;
  endUnix: number;
  tz: string;
  rounds: RoundRef[];
};

/** Splits rounds in time order (one server) wherever the gap between two exceeds `gapSec`. */
export function cutSessions(rounds: readonly RoundRef[], gapSec: number): SessionRef[] {
  const sessions: SessionRef[] = [];
  let current: RoundRef[] = [];
  const close = () => {
    if (current.length === 0) return;
    const last = current[current.length - 1]!;
    sessions.push({
      serverId: last.serverId,
      serverName: last.serverName,
      startUnix: current[0]!.fileTimeUnix,
      endUnix: last.fileTimeUnix,
      tz: last.tz,
      rounds: current,
    });
    current = [];
  };
  for (const r of rounds) {
    const previous = current[current.length - 1];
    if (previous && r.fileTimeUnix - previous.fileTimeUnix > gapSec) close();
    current.push(r);
  }
  close();
  return sessions;
}

export async function serverIds(db: SqlExecutor): Promise<string[]> {
  // A loose index scan: one index probe per server, not a pass over every round.
  const r = await db.query<{ server_id: string }>(
    `with recursive s(server_id) as (
       (select server_id from read.rounds order by server_id limit 1)
       union all
       select (select server_id from read.rounds where server_id > s.server_id order by server_id limit 1)
       from s where s.server_id is not null)
     select server_id from s where server_id is not null`,
  );
  return r.rows.map((x) => x.server_id);
}

/** The latest session of a server: rounds walked back from its newest until a gap. */
export async function latestSession(db: SqlExecutor, serverId: string, gapSec: number): Promise<SessionRef | null> {
  const r = await db.query<RoundRefRow>(
    `select ${roundRefColumns} from read.rounds where server_id = $1 and file_time_unix is not null
     order by file_time_unix desc, round_id desc limit ${MAX_SESSION_ROUNDS}`,
    [serverId],
  );
  const sessions = cutSessions(r.rows.map(toRef).reverse(), gapSec);
  return sessions[sessions.length - 1] ?? null;
}

/** The session of `serverId` that starts at `startUnix` (a page's address), or null. */
export async function sessionAt(
  db: SqlExecutor,
  serverId: string,
  startUnix: number,
  gapSec: number,
): Promise<SessionRef | null> {
  const r = await db.query<RoundRefRow>(
    `(select ${roundRefColumns} from read.rounds where server_id = $1 and file_time_unix < $2
      order by file_time_unix desc, round_id desc limit 1)
     union all
     (select ${roundRefColumns} from read.rounds where server_id = $1 and file_time_unix >= $2
      order by file_time_unix, round_id limit ${MAX_SESSION_ROUNDS})`,
    [serverId, startUnix],
  );
  const refs = r.rows.map(toRef).sort((a, b) => a.fileTimeUnix - b.fileTimeUnix || (a.roundId < b.roundId ? -1 : 1));
  const session = cutSessions(refs, gapSec).find((s) => s.startUnix === startUnix);
  return session ?? null;
}

/** Sessions of every server that started before `beforeUnix`, newest first, at most `limit`. */
export async function sessionsBefore(
  db: SqlExecutor,
  beforeUnix: number,
  limit: number,
  gapSec: number,
): Promise<{ sessions: SessionRef[]; more: boolean }> {
  const found: SessionRef[] = [];
  for (const serverId of await serverIds(db))
    found.push(...(await newestSessions(db, serverId, beforeUnix, limit + 1, gapSec)));
  found.sort((a, b) => b.startUnix - a.startUnix || (a.serverId < b.serverId ? -1 : 1));
  return { sessions: found.slice(0, limit), more: found.length > limit };
}

/**
 * A server's `count` newest whole sessions that started before `beforeUnix`: rounds read newest
 * first, a page at a time (24 rounds a session to begin with, an evening's usual size), until
 * `count` sessions are whole or the history ends; a session cut by the page is read on.
 */
async function newestSessions(
  db: SqlExecutor,
  serverId: string,
  beforeUnix: number,
  count: number,
  gapSec: number,
): Promise<SessionRef[]> {
  let rows: RoundRef[] = [];
  let pageSize = count * 24;
  for (;;) {
    const oldest = rows[0];
    const r = await db.query<RoundRefRow>(
      `select ${roundRefColumns} from read.rounds where server_id = $1 and file_time_unix is not null
         and (file_time_unix, round_id) < ($2::bigint, $3::text) order by file_time_unix desc, round_id desc limit $4`,
      [serverId, oldest?.fileTimeUnix ?? beforeUnix, oldest?.roundId ?? '', pageSize],
    );
    rows = [...r.rows.map(toRef).reverse(), ...rows];
    const ended = r.rows.length < pageSize;
    const sessions = cutSessions(rows, gapSec);
    // The oldest session may go on before the rows read: whole only when the history ended there.
    const whole = ended ? sessions : sessions.slice(1);
    if (whole.length >= count || ended) return whole.slice(-count);
    pageSize *= 2;
  }
}

/** A session with its evening (score, maps, ranking) as the Discord session post has it. */
export async function sessionDetail(db: SqlExecutor, session: SessionRef) {
  return sessionByRounds(
    db,
    session.serverId,
    session.rounds.map((r) => r.roundId),
    50,
  );
}
export type SessionDetail = Awaited<ReturnType<typeof sessionDetail>>;

/** The start of the session of `serverId` that holds the round at `unix` (walking back to a gap). */
export async function sessionStartAround(
  db: SqlExecutor,
  serverId: string,
  unix: number,
  gapSec: number,
): Promise<number | null> {
  const r = await db.query<RoundRefRow>(
    `select ${roundRefColumns} from read.rounds where server_id = $1 and file_time_unix <= $2
     order by file_time_unix desc, round_id desc limit ${MAX_SESSION_ROUNDS}`,
    [serverId, unix],
  );
  const sessions = cutSessions(r.rows.map(toRef).reverse(), gapSec);
  return sessions[sessions.length - 1]?.startUnix ?? null;
}

/** Each server's latest session with its evening and its last round: what Tonight shows. */
export async function loadTonight(db: SqlExecutor, gapSec: number) {
  // Servers side by side: each is a few queries, and a pool answers them at once.
  const loaded = await Promise.all(
    (await serverIds(db)).map(async (serverId) => {
      const session = await latestSession(db, serverId, gapSec);
      if (!session) return null;
      const [detail, last] = await Promise.all([
        sessionDetail(db, session),
        roundDetail(db, session.rounds[session.rounds.length - 1]!.roundId),
      ]);
      return { session, detail, last };
    }),
  );
  const out = loaded.filter((x): x is NonNullable<typeof x> => x !== null);
  // The server that played last first.
  return out.sort(
    (a, b) => b.session.endUnix - a.session.endUnix || (a.session.serverId < b.session.serverId ? -1 : 1),
  );
}
