// What `run` tells an operator about the log as it grows, from one subscription that starts at the
// head (history is not logged again at each start):
//  - one info line per round decided (`round decided`: server, map, round, status), and one per
//    verdict retracted, of the correlator build readers follow (a rebuild's new generation is quiet
//    until it is swapped in); counted in et_ledger_verdicts_decided_total{server,status};
//  - the last fact of each game server (et_ledger_last_fact_age_seconds): stats files, Lua reports,
//    pauses, quarantined arrivals — never a clock tick, which the service makes itself.
// It only reads: the verdicts are the correlator's, whichever process appended them.
import type { Logger } from '../logger.ts';
import type { LedgerMetrics } from '../metrics.ts';
import { generationOf } from '../runtime/generations.ts';
import type { EventStore, StoredEvent } from '../store/eventStore.ts';
import type { SqlExecutor } from '../store/sqlDatabase.ts';

/** Facts that only a game server's own activity produces (a tick or a zone correction is ours). */
export const gameFactTypes = ['StatsFileArrived', 'LuaRoundEnded', 'PauseRecorded', 'UnrecognizedFactArrived'] as const;
const gameFacts = new Set<string>(gameFactTypes);

export type LiveWatchOptions = {
  store: EventStore;
  /** The read-model database: where the last facts before this start are looked up (PGlite, PostgreSQL). */
  db: SqlExecutor;
  log: Logger;
  metrics: LedgerMetrics;
  /** The configured game servers: each has an age, from this start when the log holds no fact of it. */
  servers: readonly string[];
  /** The correlator generation readers follow now (null before its first build). */
  activeGeneration: () => Promise<number | null>;
  now?: () => number;
};

export type LiveWatch = {
  /** Seconds since each server's last fact, for et_ledger_last_fact_age_seconds. */
  lastFactAges(): Record<string, number>;
  stop(): Promise<void>;
  readonly done: Promise<void>;
};

type VerdictData = {
  roundKey: string;
  serverId: string;
  map: string;
  round: number;
  status: string;
  statsFileName?: string | null;
  luaReportId?: string | null;
  deltaSec?: number | null;
  diffSec?: number | null;
  flags?: string[];
  supersedes?: string[];
};

/** Starts at the head of the log; resolves once the starting point and the earlier last facts are known. */
export async function startLiveWatch(opts: LiveWatchOptions): Promise<LiveWatch> {
  const now = opts.now ?? Date.now;
  const startedAt = now();
  const log = opts.log.child({ part: 'decisions' });
  const head = await opts.store.headPosition();
  const lastFact = new Map<string, number>();
  for (const [server, at] of await lastFactsBefore(opts, head)) lastFact.set(server, at);

  const onBatch = async (events: StoredEvent[]) => {
    let generation: number | null | undefined;
    for (const e of events) {
      const serverId = (e.data as { serverId?: unknown } | null)?.serverId;
      if (gameFacts.has(e.type) && typeof serverId === 'string')
        lastFact.set(serverId, Math.max(lastFact.get(serverId) ?? 0, e.recordedAt.getTime()));
      if (e.type !== 'RoundTimingReconciled' && e.type !== 'RoundVerdictRetracted') continue;
      // Asked once per batch that holds a verdict: a swap between batches is seen at the next one.
      if (generation === undefined) generation = await opts.activeGeneration().catch(() => null);
      if (generation === null || generationOf(e) !== generation) continue;
      const v = e.data as VerdictData;
      if (e.type === 'RoundVerdictRetracted') {
        const r = e.data as VerdictData & { reason?: string };
        log.info(
          {
            server: r.serverId,
            map: r.map,
            round: r.round,
            reason: r.reason,
            roundKey: r.roundKey,
            position: e.position,
          },
          'round verdict retracted',
        );
        continue;
      }
      opts.metrics.verdictsDecided.inc({ server: v.serverId, status: v.status });
      log.info(
        {
          server: v.serverId,
          map: v.map,
          round: v.round,
          status: v.status,
          statsFile: v.statsFileName ?? null,
          luaReport: v.luaReportId ?? null,
          deltaSec: v.deltaSec ?? null,
          diffSec: v.diffSec ?? null,
          flags: v.flags ?? [],
          ...(v.supersedes && v.supersedes.length > 0 ? { revises: v.supersedes.length } : {}),
          roundKey: v.roundKey,
          position: e.position,
        },
        'round decided',
      );
    }
  };
  const sub = opts.store.subscribe(head, onBatch, { batchSize: 500 });
  const done = sub.done.catch((e: unknown) => {
    // Only an operator's view is lost: the service goes on, and says so once.
    log.error({ err: e }, 'the decision log stopped following the log; rounds decided are no longer logged');
  });
  return {
    lastFactAges() {
      const t = now();
      const ages: Record<string, number> = {};
      const servers = new Set([...opts.servers, ...lastFact.keys()]);
      for (const s of servers) ages[s] = Math.max(0, Math.round((t - (lastFact.get(s) ?? startedAt)) / 1000));
      return ages;
    },
    stop: () => sub.stop(),
    done,
  };
}

/**
 * Each configured server's last game fact before `head`, when the log is a table in the read-model
 * database (PGlite, PostgreSQL): a backward walk of the primary key that stops at the first match,
 * bounded to the last 200 000 events so a server that never sent anything costs one bounded scan.
 * Another store (EventStoreDB) starts every age at this process's start.
 */
async function lastFactsBefore(opts: LiveWatchOptions, head: number): Promise<Map<string, number>> {
  const found = new Map<string, number>();
  if (opts.store.kind === 'eventstoredb') return found;
  for (const server of opts.servers) {
    const r = await opts.db
      .query<{ at: Date | string }>(
        `select recorded_at as at from ledger.events
          where position <= $1 and position > $1 - 200000 and type = any($2::text[]) and data->>'serverId' = $3
          order by position desc limit 1`,
        [head, [...gameFactTypes], server],
      )
      .catch(() => ({ rows: [] as { at: Date | string }[] }));
    const at = r.rows[0]?.at;
    if (at !== undefined) found.set(server, new Date(at).getTime());
  }
  return found;
}
