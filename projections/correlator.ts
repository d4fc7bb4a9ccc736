// The correlator's shell (spec/correlation.md): keeps candidates in its schema, and for every new
// fact or watermark step re-decides the matching component around it with the pure core
// (src/correlator), appending RoundTimingReconciled events that supersede earlier verdicts.
import {
  ambiguousFactIds,
  type CorrelatorConfig,
  type CorrelatorFact,
  decideVerdicts,
  defaultCorrelatorConfig,
  expandUntilStable,
  type LuaCandidate,
  neighbourhoodWindow,
  ownRoundKey,
  type PreviousVerdict,
  planAppends,
  type StatsCandidate,
} from '../src/correlator/index.ts';
import { statsPlayersOf } from '../src/correlator/statsPlayers.ts';
import { watermarkTime } from '../src/correlator/watermarkLead.ts';
import { derivedEventTypes, statsRoundId, type Verdict } from '../src/events/index.ts';
import { normalizeMapName } from '../src/parser/names.ts';
import { unpairedRound2 } from '../src/parser/statsFile.ts';
import { type ApplyContext, defineProjection, type EventMeta } from '../src/runtime/projection.ts';
import { sqlFile } from '../src/store/sqlDatabase.ts';
import { PAUSE_LOOKBACK_SEC, preloadCandidates } from './support/candidateSpans.ts';
import { advanceWatermarks, fileTimes, saveCandidates, saveStanding } from './support/correlatorTables.ts';
import { pairNear } from './support/pairNear.ts';
import {
  collectGroups,
  pairingMoved,
  revisedHalf,
  roundsOf,
  type StoredRound,
  type StoredStatsFact,
  statsFactsSql,
  storeStatsFacts,
} from './support/statsFacts.ts';
import { applyZoneCorrections, inCorrectedZones } from './support/zoneCorrections.ts';

/** Candidates this far around a batch's seeds are read in one query; components rarely reach further. */
const PRELOAD_PAD_SEC = 6 * 3600;

/**
 * The matching rules' version, carried by every verdict: bump with a rule change, then
 * `et-ledger rebuild correlator`. v2: surrender by team 0 is an abort, overLimit beyond 1 s, a
 * joined suspectedAbort needs winner 0 and a negative field 9 (spec/correlation.md). v3: R1/R2 paired
 * at every reading of a DST-ambiguous file time, empty GUIDs matched by raw name in the R2
 * differential, an unpaired shutdown R2 is `halfUnknown` rather than cumulative (stats-file.md §1.3).
 * v4: a player's corrected time is his own time in play from an `et-ledger.round/2` report (capped
 * to the Lua playtime, `playerTimeOverRound`), else the stats rule with `approximatePlayerTime`; a
 * raw R2 line (R1 + R2 figures) divides by its own cumulative time, `cumulativeFigures`. v5: parser
 * stats/2 (Omni-bots told apart by name in the R2 differential, an R2 whose R1 lost a line is
 * cumulative, an R1 whose f9 is 0 takes f8); our script's report taken over the legacy webhook's of
 * the same round, in any order (src/correlator/luaDeliveries.ts); the name join compares the names
 * as given before it cleans them again (a clean `^Bob` is not `ob`); a fact moves the watermark at
 * most a minute past its arrival (src/correlator/watermarkLead.ts).
 */
const rulesVersion = 5;
/**
 * The shell's storage layout. v3: standing keeps tombstones (retractions), verdicts carry their
 * generation. v4: a stats round is its server and file name (statsRoundId), so a revision of a
 * file is the same round key. v5: stats_facts keeps every reading of a file time. v6: zone
 * corrections (ServerZoneCorrected) re-read the stats facts they cover. v7: stats_facts indexed for
 * the pairing's neighbourhood (projections/support/pairNear.ts). v8: the partner a fact's standing
 * verdict joined is decided again when it lies outside the fact's neighbourhood now (a stats file a
 * zone correction moved away from its report). Every build is a generation of its own.
 */
const version = 8;

/**
 * The correlator under a given rule set and version. The registry's `correlator` is the one the
 * code defines; tests build another (a wider window, a bumped version) to exercise a rule change.
 */
export function defineCorrelator(config: CorrelatorConfig, version: number) {
  const decide = (ctx: ApplyContext, seeds: CorrelatorFact[], ticks: [string, number][] = []) =>
    decideWithConfig(config, ctx, seeds, ticks);
  /**
   * Stats facts just stored become candidates: R1s as they are, R2s whose pairing moved near them
   * (and where facts that moved in time were before); then everything they touch is decided.
   */
  const decideStats = async (ctx: ApplyContext, stored: StoredStatsFact[], arrivals: ReadonlyMap<string, Date>) => {
    // An R1 stands alone; so does an R2 whose file time cannot be read (it can be paired with nothing).
    const seeds: CorrelatorFact[] = stored
      .filter((f) => f.round.round === 1 || f.timing.fileTimeUnix === null)
      .map((f) => statsCandidate(f.factId, unpairedRound2(f.round), f.timing.fileTimeCandidatesUnix));
    // An R2's players depend on its R1: an R2 whose pairing moved (or is new) is a seed again.
    const pairs = await pairNear(ctx.tx, collectGroups(stored));
    const known = new Map(
      (
        await ctx.tx.query<{ r2_id: string; r1_id: string | null }>(
          'select r2_id, r1_id from r2_pairs where r2_id = any($1::text[])',
          [pairs.map((p) => p.r2Id)],
        )
      ).rows.map((r) => [r.r2_id, r.r1_id]),
    );
    const storedIds = new Set(stored.map((f) => f.factId));
    const changed = pairs.filter((p) => pairingMoved(p, known) || revisedHalf(p, storedIds));
    if (changed.length > 0) {
      await ctx.tx.query(
        `insert into r2_pairs (r2_id, r1_id) select * from unnest($1::text[], $2::text[])
         on conflict (r2_id) do update set r1_id = excluded.r1_id`,
        [changed.map((p) => p.r2Id), changed.map((p) => p.r1Id)],
      );
      const halves = await roundsOf(ctx.tx, changed, stored);
      const times = await fileTimes(
        ctx.tx,
        changed.map((p) => p.r2Id),
        stored,
      );
      for (const { r2Id } of changed) seeds.push(statsCandidate(r2Id, halves.get(r2Id)!.round, times.get(r2Id)!));
    }
    await saveCandidates(ctx.tx, seeds, config);
    // The stored facts' own times move the watermark (re-paired R2s moved it when they arrived).
    const ticks: [string, number][] = [];
    for (const f of stored) {
      const at = arrivals.get(f.factId);
      if (at !== undefined && f.timing.fileTimeUnix !== null)
        ticks.push([f.round.serverId, watermarkTime(f.timing.fileTimeUnix, at)]);
    }
    await decide(ctx, seeds, ticks);
  };
  return defineProjection({
    name: 'correlator',
    version,
    emits: derivedEventTypes,
    schemaSql: async () => `${await statsFactsSql()}\n${await sqlFile(import.meta.url, 'correlator.sql')}`,
    tables: {},
    on: {
      StatsFileArrived: async (items, ctx) => {
        await decideStats(ctx, await storeStatsFacts(ctx.tx, await inCorrectedZones(ctx.tx, items)), arrivalsOf(items));
      },
      ServerZoneCorrected: async (items, ctx) => {
        const refeed = await applyZoneCorrections(ctx.tx, items);
        if (refeed.length > 0)
          await decideStats(ctx, await storeStatsFacts(ctx.tx, refeed, { rezoned: true }), arrivalsOf(refeed));
      },
      LuaRoundEnded: async (items, ctx) => {
        const seeds: LuaCandidate[] = items.map(({ event, meta }) => ({
          factId: meta.eventId,
          report: event.data,
          pauseRecords: [],
        }));
        await saveCandidates(ctx.tx, seeds, config);
        await decide(
          ctx,
          seeds,
          items.map(({ event, meta }) => [
            event.data.serverId,
            watermarkTime(event.data.roundEndUnix, meta.recordedAt),
          ]),
        );
      },
      PauseRecorded: async (items, ctx) => {
        const pauses = items.map(({ event }) => ({ ...event.data, mapNorm: normalizeMapName(event.data.map) }));
        // One statement each way for the whole run: the pauses in, the reports they may belong to out.
        await ctx.tx.query(
          `insert into pause_records (server_id, map_norm, round, start_unix, end_unix, sec)
           select * from unnest($1::text[], $2::text[], $3::smallint[], $4::bigint[], $5::bigint[], $6::float8[])
           on conflict do nothing`,
          [
            pauses.map((p) => p.serverId),
            pauses.map((p) => p.mapNorm),
            pauses.map((p) => p.round),
            pauses.map((p) => p.startUnix),
            pauses.map((p) => p.endUnix),
            pauses.map((p) => p.sec),
          ],
        );
        const reports = await ctx.tx.query<{ body: LuaCandidate }>(
          `select c.body from candidates c where c.fact_id in (
             select c2.fact_id from unnest($1::text[], $2::text[], $3::smallint[], $4::bigint[]) as p(s, m, r, t)
             join candidates c2 on c2.kind = 'lua' and c2.server_id = p.s and c2.map_norm = p.m and c2.round = p.r
               and c2.t_min between p.t and p.t + ${PAUSE_LOOKBACK_SEC})
           order by c.fact_id`,
          [
            pauses.map((p) => p.serverId),
            pauses.map((p) => p.mapNorm),
            pauses.map((p) => p.round),
            pauses.map((p) => p.startUnix),
          ],
        );
        await decide(
          ctx,
          reports.rows.map((row) => row.body),
          items.map((i) => [i.event.data.serverId, watermarkTime(i.event.data.endUnix, i.meta.recordedAt)]),
        );
      },
      ClockTicked: async (items, ctx) => {
        await decide(
          ctx,
          [],
          items.map((i) => [i.event.data.serverId, watermarkTime(i.event.data.atUnix, i.meta.recordedAt)]),
        );
      },
    },
  });
}

/** When each stats round of a run reached the log (the latest, for several revisions in one run). */
function arrivalsOf(items: readonly { event: { data: { serverId: string; fileName: string } }; meta: EventMeta }[]) {
  const at = new Map<string, Date>();
  for (const { event, meta } of items) {
    const id = statsRoundId(event.data.serverId, event.data.fileName);
    const seen = at.get(id);
    if (seen === undefined || seen < meta.recordedAt) at.set(id, meta.recordedAt);
  }
  return at;
}

export const correlator = defineCorrelator({ ...defaultCorrelatorConfig, correlatorVersion: rulesVersion }, version);

function statsCandidate(factId: string, round: StoredRound, times: number[]): StatsCandidate {
  return {
    factId,
    serverId: round.serverId,
    fileName: round.fileName,
    map: round.map,
    round: round.round,
    fileTimeCandidatesUnix: times,
    statsPlaytimeSec: round.statsPlaytimeSec,
    approximateStatsTime: round.flags.includes('approximateStatsTime'),
    overLimit: round.flags.includes('overLimit'),
    shutdownWritten: round.flags.includes('shutdownWritten'),
    timeLimitSec: round.timeLimitSec,
    winner: side(round.winner),
    defender: side(round.defender),
    players: statsPlayersOf(round.players),
  };
}

const side = (n: number): 0 | 1 | 2 => (n === 1 || n === 2 ? n : 0);

/**
 * Re-decides the component of every seed, plus every candidate whose decision deadline the
 * watermark has just passed, and appends what changed.
 */
async function decideWithConfig(
  config: CorrelatorConfig,
  ctx: ApplyContext,
  seeds: CorrelatorFact[],
  ticks: [string, number][],
): Promise<void> {
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
  const windows = seeds.map((s) => neighbourhoodWindow(s, config)).filter((w) => w !== null);
  const spans = await preloadCandidates(tx, windows, PRELOAD_PAD_SEC);
  // Round keys, not fact ids: a hood keeps one delivery of a report (collapseLua), and the others
  // are decided with it.
  const done = new Set<string>();
  const hoods: { stats: StatsCandidate[]; lua: LuaCandidate[] }[] = [];
  // The standing entries as they were (verdicts and tombstones), overlaid with this call's changes.
  const standing = new Map<string, PreviousVerdict>();
  for (let pending = seeds; pending.length > 0; ) {
    const fresh: typeof hoods = [];
    for (const seed of pending) {
      if (done.has(ownRoundKey(seed)) || neighbourhoodWindow(seed, config) === null) continue;
      const hood = await expandUntilStable(seed, (range) => spans.load(range), config);
      for (const f of [...hood.stats, ...hood.lua]) done.add(ownRoundKey(f));
      fresh.push(hood);
    }
    hoods.push(...fresh);
    const keys = [...new Set(fresh.flatMap((h) => [...h.stats, ...h.lua].map(ownRoundKey)))];
    for (const row of (
      await tx.query<{ round_key: string; event_id: string; verdict: Verdict | null }>(
        'select round_key, event_id, verdict from standing where round_key = any($1::text[])',
        [keys],
      )
    ).rows)
      standing.set(row.round_key, { eventId: row.event_id, verdict: row.verdict });
    // A fact whose stats file moved in time (a zone correction) may have left its partner outside
    // its neighbourhood: that partner loses its join and must be decided too, or it keeps no verdict.
    const strays = [
      ...new Set(
        keys.flatMap((k) => {
          const v = standing.get(k)?.verdict;
          if (!v) return [];
          const stats = v.statsFactId !== null && !done.has(v.statsFactId) ? [v.statsFactId] : [];
          const lua = v.luaFactId !== null && !done.has(`lua:${v.luaReportId}`) ? [v.luaFactId] : [];
          return [...stats, ...lua];
        }),
      ),
    ];
    pending =
      strays.length === 0
        ? []
        : (
            await tx.query<{ body: CorrelatorFact }>('select body from candidates where fact_id = any($1::text[])', [
              strays,
            ])
          ).rows.map((r) => r.body);
  }
  const changed = new Set<string>();
  const decideWith = { ...config, generation: ctx.generation };
  for (const hood of hoods) {
    const desired = decideVerdicts(hood.stats, hood.lua, watermarks, decideWith);
    const previous = new Map<string, PreviousVerdict>();
    for (const f of [...hood.stats, ...hood.lua]) {
      const v = standing.get(ownRoundKey(f));
      if (v) previous.set(ownRoundKey(f), v);
    }
    const desiredKeys = new Set(desired.map((d) => d.roundKey));
    const withdraws = [...previous].some(([k, v]) => v.verdict !== null && !desiredKeys.has(k));
    const plan = planAppends(desired, previous, decideWith, {
      ambiguous: withdraws ? ambiguousFactIds(hood.stats, hood.lua, decideWith) : new Set(),
      watermarks,
    });
    for (const a of [...plan.appends, ...plan.retractions])
      ctx.emit([
        {
          eventId: a.eventId,
          streamId: a.streamId,
          type: a.event.type,
          schemaVersion: a.event.schemaVersion,
          data: a.event.data,
        },
      ]);
    for (const [k, entry] of plan.standing) {
      standing.set(k, entry);
      changed.add(k);
    }
  }
  await saveStanding(
    tx,
    [...changed].map((k) => [k, standing.get(k)!]),
  );
}
