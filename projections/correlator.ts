// The correlator's shell (spec/correlation.md): keeps candidates in its schema, and for every new
// fact or watermark step re-decides the matching component around it with the pure core
// (src/correlator), appending RoundTimingReconciled events that supersede earlier verdicts.
import {
  type CorrelatorConfig,
  type CorrelatorFact,
  decideVerdicts,
  decisionDeadlineUnix,
  defaultCorrelatorConfig,
  expandUntilStable,
  factEventTimeUnix,
  isLuaCandidate,
  type LuaCandidate,
  neighbourhoodWindow,
  ownRoundKey,
  type PreviousVerdict,
  planAppends,
  type StatsCandidate,
} from '../src/correlator/index.ts';
import type { Verdict } from '../src/events/index.ts';
import { normalizeMapName } from '../src/parser/names.ts';
import { type ApplyContext, defineProjection } from '../src/runtime/projection.ts';
import { type SqlExecutor, sqlFile } from '../src/store/sqlDatabase.ts';
import {
  collectGroups,
  pairNear,
  roundsOf,
  type StoredRound,
  statsFactsSql,
  storeStatsFacts,
} from './support/statsFacts.ts';

/** Also the verdicts' correlatorVersion: bump with a rule change, then `et-ledger rebuild correlator`. */
const version = 1;
const config: CorrelatorConfig = { ...defaultCorrelatorConfig, correlatorVersion: version };

export const correlator = defineProjection({
  name: 'correlator',
  version,
  schemaSql: async () => `${await statsFactsSql()}\n${await sqlFile(import.meta.url, 'correlator.sql')}`,
  tables: {},
  on: {
    StatsFileArrived: async (items, ctx) => {
      const stored = await storeStatsFacts(ctx.tx, items);
      const seeds: CorrelatorFact[] = stored
        .filter((f) => f.round.round === 1)
        .map((f) => statsCandidate(f.factId, f.round, f.timing.fileTimeCandidatesUnix));
      // An R2's players depend on its R1: an R2 whose pairing moved (or is new) is a seed again.
      for (const group of collectGroups(stored)) {
        const pairs = await pairNear(ctx.tx, group);
        const known = new Map(
          (
            await ctx.tx.query<{ r2_id: string; r1_id: string | null }>(
              'select r2_id, r1_id from r2_pairs where r2_id = any($1::text[])',
              [pairs.map((p) => p.r2Id)],
            )
          ).rows.map((r) => [r.r2_id, r.r1_id]),
        );
        const changed = pairs.filter((p) => !(known.has(p.r2Id) && known.get(p.r2Id) === p.r1Id));
        if (changed.length === 0) continue;
        await ctx.tx.query(
          `insert into r2_pairs (r2_id, r1_id) select * from unnest($1::text[], $2::text[])
           on conflict (r2_id) do update set r1_id = excluded.r1_id`,
          [changed.map((p) => p.r2Id), changed.map((p) => p.r1Id)],
        );
        const halves = await roundsOf(ctx.tx, changed);
        for (const { r2Id } of changed) {
          const times =
            stored.find((f) => f.factId === r2Id)?.timing.fileTimeCandidatesUnix ?? (await fileTimes(ctx.tx, r2Id));
          seeds.push(statsCandidate(r2Id, halves.get(r2Id)!.round, times));
        }
      }
      for (const s of seeds) await saveCandidate(ctx.tx, s);
      await decide(ctx, seeds, eventTimes(seeds));
    },
    LuaRoundEnded: async (items, ctx) => {
      const seeds: LuaCandidate[] = [];
      for (const { event, meta } of items) {
        const candidate: LuaCandidate = { factId: meta.eventId, report: event.data, pauseRecords: [] };
        await saveCandidate(ctx.tx, candidate);
        seeds.push(candidate);
      }
      await decide(ctx, seeds, eventTimes(seeds));
    },
    PauseRecorded: async (items, ctx) => {
      for (const { event } of items) {
        const p = event.data;
        await ctx.tx.query(
          'insert into pause_records (server_id, map_norm, round, start_unix, end_unix, sec) values ($1, $2, $3, $4, $5, $6) on conflict do nothing',
          [p.serverId, normalizeMapName(p.map), p.round, p.startUnix, p.endUnix, p.sec],
        );
      }
      const seeds: CorrelatorFact[] = [];
      for (const { event } of items) {
        const p = event.data;
        const r = await ctx.tx.query<{ body: LuaCandidate }>(
          "select body from candidates where kind = 'lua' and server_id = $1 and map_norm = $2 and round = $3 and t_min between $4 and $4 + 7200",
          [p.serverId, normalizeMapName(p.map), p.round, p.startUnix],
        );
        seeds.push(...r.rows.map((row) => row.body));
      }
      await decide(
        ctx,
        seeds,
        items.map((i) => [i.event.data.serverId, i.event.data.endUnix]),
      );
    },
    ClockTicked: async (items, ctx) => {
      await decide(
        ctx,
        [],
        items.map((i) => [i.event.data.serverId, i.event.data.atUnix]),
      );
    },
  },
});

function statsCandidate(factId: string, round: StoredRound, fileTimes: number[]): StatsCandidate {
  return {
    factId,
    serverId: round.serverId,
    fileName: round.fileName,
    map: round.map,
    round: round.round,
    fileTimeCandidatesUnix: fileTimes,
    statsPlaytimeSec: round.statsPlaytimeSec,
    approximateStatsTime: round.flags.includes('approximateStatsTime'),
    overLimit: round.flags.includes('overLimit'),
    shutdownWritten: round.flags.includes('shutdownWritten'),
    timeLimitSec: round.timeLimitSec,
    winner: side(round.winner),
    defender: side(round.defender),
    players: round.players.map((p) => ({
      guid8: p.guid8,
      name: p.name,
      team: p.team,
      damageGiven: p.damageGiven,
      timePlayedSec: p.timePlayedSec,
    })),
  };
}

const side = (n: number): 0 | 1 | 2 => (n === 1 || n === 2 ? n : 0);

async function fileTimes(tx: SqlExecutor, factId: string): Promise<number[]> {
  const r = await tx.query<{ body: StatsCandidate }>('select body from candidates where fact_id = $1', [factId]);
  if (r.rows[0]) return r.rows[0].body.fileTimeCandidatesUnix;
  const f = await tx.query<{ file_time_unix: number | null }>(
    'select file_time_unix from stats_facts where fact_id = $1',
    [factId],
  );
  const t = f.rows[0]?.file_time_unix;
  return t === null || t === undefined ? [] : [Number(t)];
}

function groupOf(c: CorrelatorFact) {
  return isLuaCandidate(c)
    ? { serverId: c.report.serverId, map: normalizeMapName(c.report.map), round: c.report.round }
    : { serverId: c.serverId, map: normalizeMapName(c.map), round: c.round };
}

async function saveCandidate(tx: SqlExecutor, c: CorrelatorFact): Promise<void> {
  const g = groupOf(c);
  const times = isLuaCandidate(c) ? [c.report.roundEndUnix] : c.fileTimeCandidatesUnix;
  const stored = isLuaCandidate(c) ? { ...c, pauseRecords: [] } : c;
  const deadline = decisionDeadlineUnix(c, config);
  await tx.query(
    `insert into candidates (fact_id, kind, server_id, map_norm, round, t_min, t_max, deadline_unix, body)
     values ($1, $2, $3, $4, $5, $6, $7, $8, $9::jsonb)
     on conflict (fact_id) do update set body = excluded.body`,
    [
      c.factId,
      isLuaCandidate(c) ? 'lua' : 'stats',
      g.serverId,
      g.map,
      g.round,
      times.length ? Math.min(...times) : 0,
      times.length ? Math.max(...times) : 0,
      Number.isFinite(deadline) ? deadline : -1,
      JSON.stringify(stored),
    ],
  );
}

/**
 * Each fact's server and event time. The watermark moves through decide() with every fact, not
 * only with ticks, so a fact that carries it past other candidates' deadlines decides them too.
 */
function eventTimes(facts: CorrelatorFact[]): [string, number][] {
  return facts.flatMap((f): [string, number][] => {
    const t = factEventTimeUnix(f);
    return t === null ? [] : [[groupOf(f).serverId, t]];
  });
}

/** Watermarks only move forward; returns the servers whose watermark moved, with old and new. */
async function advanceWatermarks(
  tx: SqlExecutor,
  updates: [string, number][],
): Promise<Map<string, { from: number; to: number }>> {
  const moved = new Map<string, { from: number; to: number }>();
  const best = new Map<string, number>();
  for (const [s, t] of updates) best.set(s, Math.max(best.get(s) ?? Number.NEGATIVE_INFINITY, t));
  for (const [serverId, t] of best) {
    const r = await tx.query<{ unix: number }>('select unix from watermarks where server_id = $1', [serverId]);
    const old = r.rows[0] ? Number(r.rows[0].unix) : Number.NEGATIVE_INFINITY;
    if (t <= old) continue;
    await tx.query(
      'insert into watermarks (server_id, unix) values ($1, $2) on conflict (server_id) do update set unix = excluded.unix',
      [serverId, t],
    );
    moved.set(serverId, { from: old, to: t });
  }
  return moved;
}

async function loadCandidates(
  tx: SqlExecutor,
  range: { serverId: string; map: string; round: 1 | 2; fromUnix: number; toUnix: number },
) {
  const r = await tx.query<{ kind: string; body: CorrelatorFact }>(
    'select kind, body from candidates where server_id = $1 and map_norm = $2 and round = $3 and t_max >= $4 and t_min <= $5',
    [range.serverId, normalizeMapName(range.map), range.round, range.fromUnix, range.toUnix],
  );
  const stats: StatsCandidate[] = [];
  const lua: LuaCandidate[] = [];
  for (const row of r.rows) {
    if (row.kind === 'lua') {
      const c = row.body as LuaCandidate;
      lua.push({ ...c, pauseRecords: await pausesOf(tx, c) });
    } else stats.push(row.body as StatsCandidate);
  }
  return { stats, lua };
}

async function pausesOf(tx: SqlExecutor, c: LuaCandidate) {
  const end = c.report.roundEndUnix;
  const start = c.report.roundStartUnix ?? end - 7200;
  const r = await tx.query<{ start_unix: number; end_unix: number; sec: number }>(
    'select start_unix, end_unix, sec from pause_records where server_id = $1 and map_norm = $2 and round = $3 and start_unix between $4 and $5 order by start_unix',
    [c.report.serverId, normalizeMapName(c.report.map), c.report.round, start, end],
  );
  return r.rows.map((p) => ({ startUnix: Number(p.start_unix), endUnix: Number(p.end_unix), sec: Number(p.sec) }));
}

/**
 * Re-decides the component of every seed, plus every candidate whose decision deadline the
 * watermark has just passed, and appends what changed.
 */
async function decide(ctx: ApplyContext, seeds: CorrelatorFact[], ticks: [string, number][] = []): Promise<void> {
  const { tx } = ctx;
  const moved = await advanceWatermarks(tx, ticks);
  for (const [serverId, { from, to }] of moved) {
    const due = await tx.query<{ body: CorrelatorFact }>(
      // Decided once the watermark is past the deadline: newly due when from <= deadline < to.
      'select body from candidates where server_id = $1 and deadline_unix >= $2 and deadline_unix < $3',
      [serverId, Number.isFinite(from) ? from : -1, to],
    );
    seeds.push(...due.rows.map((r) => r.body));
  }
  const watermarks = new Map(
    (await tx.query<{ server_id: string; unix: number }>('select server_id, unix from watermarks')).rows.map((r) => [
      r.server_id,
      Number(r.unix),
    ]),
  );
  const done = new Set<string>();
  for (const seed of seeds) {
    if (done.has(seed.factId) || neighbourhoodWindow(seed, config) === null) continue;
    const hood = await expandUntilStable(seed, (range) => loadCandidates(tx, range), config);
    for (const f of [...hood.stats, ...hood.lua]) done.add(f.factId);
    const desired = decideVerdicts(hood.stats, hood.lua, watermarks, config);
    const keys = [...hood.stats, ...hood.lua].map(ownRoundKey);
    const previous = new Map<string, PreviousVerdict>();
    for (const row of (
      await tx.query<{ round_key: string; event_id: string; verdict: Verdict }>(
        'select round_key, event_id, verdict from standing where round_key = any($1::text[])',
        [keys],
      )
    ).rows) {
      previous.set(row.round_key, { eventId: row.event_id, verdict: row.verdict });
    }
    const plan = planAppends(desired, previous, config);
    for (const a of plan.appends) {
      ctx.emit([
        {
          eventId: a.eventId,
          streamId: a.streamId,
          type: a.event.type,
          schemaVersion: a.event.schemaVersion,
          data: a.event.data,
        },
      ]);
      await tx.query(
        'insert into standing (round_key, event_id, verdict) values ($1, $2, $3::jsonb) on conflict (round_key) do update set event_id = excluded.event_id, verdict = excluded.verdict',
        [a.event.data.roundKey, a.eventId, JSON.stringify(a.event.data)],
      );
    }
    if (plan.withdrawn.length > 0)
      await tx.query('delete from standing where round_key = any($1::text[])', [plan.withdrawn]);
  }
}
