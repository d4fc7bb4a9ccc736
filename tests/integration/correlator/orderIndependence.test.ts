// correlation.md scenario 21 as a property: the sample evening plus generated sessions (replays
// of one map minutes apart, late, missing and duplicate reports, pause records, the autumn DST
// hour, a ghost), fed through the real log in random permutations with random duplicates and
// random batch sizes, projecting between batches, end with the same read models and the same
// last verdict per round as one in-order run.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { NewEvent } from '../../../src/store/eventStore.ts';
import { postgresAvailable } from '../../support/databases.ts';
import {
  body,
  CEST,
  CET,
  clockTick,
  file,
  gametimeFile,
  type Incoming,
  identify,
  type LegacySpec,
  type LuaSpec,
  legacyReport,
  localUnix,
  openTestLedger,
  ownReport,
  pauseRecord,
  project,
  readModel,
  type StatsFileSpec,
  type StoreKind,
  sampleEvening,
  statsFile,
} from '../../support/factBuilders.ts';

const KIND: StoreKind = postgresAvailable() ? 'postgres' : 'pglite';
const RUNS = KIND === 'postgres' ? 15 : 4;

/** One arrival: the events identifyFact makes of it (a report with its pause records), or a tick. */
type Unit = { label: string; events: NewEvent[] };

const unitOf = (label: string, item: Incoming, serverId = 'eu1'): Unit => ({
  label,
  events: identify(item, { serverId }),
});
const statsUnit = (spec: StatsFileSpec, serverId = 'eu1'): Unit => {
  const f = statsFile(spec);
  return unitOf(f.fileName, file(f.fileName, f.bytes), serverId);
};
const ownUnit = (spec: LuaSpec, serverId = 'eu1'): Unit =>
  unitOf(`own ${spec.map} ${spec.endUnix}`, body(ownReport({ ...spec, server: serverId })), serverId);
const legacyUnit = (spec: LegacySpec, serverId = 'eu1'): Unit =>
  unitOf(`legacy ${spec.map} ${spec.endUnix}`, body(legacyReport(spec)), serverId);
const tickUnit = (at: number, serverId = 'eu1'): Unit => ({
  label: `tick ${serverId} ${at}`,
  events: [clockTick(at, serverId)],
});

function generatedSessions(): Unit[] {
  const units: Unit[] = [];
  const at = (t: string, offset = CEST) => localUnix(`2026-09-05 ${t}`, offset);
  const r1 = (local: string, playtimeMs: number): StatsFileSpec => ({
    local: `2026-09-05 ${local}`,
    map: 'etl_frostbite',
    round: 1,
    defender: 1,
    winner: 2,
    limit: '12:00',
    next: '8:20',
    playtimeMs,
  });
  // Replays of one map minutes apart: L1/S1, L2/S2 (Δ 2), L3 with no file, S4 with no report.
  units.push(ownUnit({ map: 'etl_frostbite', round: 1, startUnix: at('20:01:40'), endUnix: at('20:10:00') }));
  units.push(statsUnit(r1('20:10:03', 500_000)));
  units.push(ownUnit({ map: 'etl_frostbite', round: 1, startUnix: at('20:08:10'), endUnix: at('20:16:30') }));
  units.push(statsUnit(r1('20:16:32', 500_000)));
  units.push(ownUnit({ map: 'etl_frostbite', round: 1, startUnix: at('20:16:50'), endUnix: at('20:23:10') }));
  units.push(statsUnit(r1('20:30:01', 480_000)));
  // Its R2, reported by the legacy script (HTTP) and by its fallback file: one fact.
  const r2: LegacySpec = {
    map: 'etl_frostbite',
    round: 2,
    startUnix: at('20:33:00'),
    endUnix: at('20:40:02'),
    timelimitText: '8.333 min',
    winner: 1,
    defender: 1,
  };
  units.push(legacyUnit(r2));
  const fallback = gametimeFile(r2);
  units.push(unitOf(fallback.fileName, file(fallback.fileName, fallback.bytes)));
  units.push(
    statsUnit({ ...r1('20:40:05', 420_000), round: 2, winner: 1, limit: '8:20', next: '61:10', playtimeMs: 420_000 }),
  );
  // A round with a pause: the pause record arrives apart from the report that repeats it.
  const pause = { startUnix: at('20:55:00'), endUnix: at('20:55:40'), sec: 40 };
  units.push(
    unitOf(
      'pause',
      body(pauseRecord({ server: 'eu1', map: 'supply', round: 1, roundStartUnix: at('20:50:00'), ...pause })),
    ),
  );
  units.push(ownUnit({ map: 'supply', round: 1, startUnix: at('20:50:00'), endUnix: at('21:00:00'), pauses: [pause] }));
  units.push(statsUnit({ ...r1('21:00:03', 560_000), map: 'supply' }));

  // eu2: the autumn DST hour (02:00–02:59 local happens twice) and a ghost.
  const dst: [string, 1 | 2, string, number, string][] = [
    ['supply', 1, '02:41:30', CEST, '02:41:33'],
    ['te_escape2', 1, '02:20:00', CET, '02:20:03'],
    ['supply', 1, '02:45:10', CET, '02:45:13'],
    ['supply', 2, '03:05:00', CET, '03:05:03'],
  ];
  for (const [map, round, end, offset, local] of dst) {
    const endUnix = localUnix(`2026-10-25 ${end}`, offset);
    units.push(ownUnit({ map, round, startUnix: endUnix - 500, endUnix, pauses: [] }, 'eu2'));
    units.push(
      statsUnit(
        {
          local: `2026-10-25 ${local}`,
          map,
          round,
          defender: 1,
          winner: 2,
          limit: '10:00',
          next: '8:20',
          playtimeMs: 500_000,
        },
        'eu2',
      ),
    );
  }
  // A tie: two files 3 s before and 3 s after one report's end → all three ambiguous, never a guess.
  // (Two files of the same name would be revisions of one round: see the prefix revision below.)
  const tieEnd = localUnix('2026-10-25 03:30:00', CET);
  units.push(ownUnit({ map: 'radar', round: 1, startUnix: tieEnd - 400, endUnix: tieEnd, pauses: [] }, 'eu2'));
  for (const [serverName, local] of [
    ['first copy', '2026-10-25 03:29:57'],
    ['second copy', '2026-10-25 03:30:03'],
  ] as const)
    units.push(
      statsUnit(
        {
          local,
          map: 'radar',
          round: 1,
          limit: '10:00',
          next: '6:40',
          playtimeMs: 400_000,
          serverName,
        },
        'eu2',
      ),
    );
  // A revision: the same file caught while it was written (cut inside a player line), then whole.
  // Whichever arrives first, the round is the whole file (a shorter copy changes nothing).
  const grown = statsFile({
    local: '2026-10-25 04:20:03',
    map: 'etl_sp_delivery',
    round: 1,
    limit: '10:00',
    next: '8:20',
    playtimeMs: 500_000,
  });
  const cut = grown.bytes.subarray(0, grown.bytes.indexOf(0x0a, grown.bytes.indexOf(0x0a) + 1) + 20);
  units.push(unitOf(`${grown.fileName} (prefix)`, file(grown.fileName, cut), 'eu2'));
  units.push(unitOf(grown.fileName, file(grown.fileName, grown.bytes), 'eu2'));
  const ghostEnd = localUnix('2026-10-25 04:00:00', CET);
  units.push(ownUnit({ map: 'etl_ice', round: 1, startUnix: ghostEnd - 12, endUnix: ghostEnd }, 'eu2'));

  // Ticks in between (live operation): they move the watermark, never the final result.
  units.push(tickUnit(localUnix('2026-08-19 21:50:00')));
  units.push(tickUnit(localUnix('2026-08-19 22:30:00')));
  units.push(tickUnit(at('20:20:00')));
  units.push(tickUnit(localUnix('2026-10-25 02:50:00', CET), 'eu2'));
  return units;
}

const UNITS: Unit[] = [...sampleEvening().map((f) => unitOf(f.fileName ?? 'body', f)), ...generatedSessions()];
const FINAL: NewEvent[] = [
  clockTick(localUnix('2027-01-01 00:00:00', CET)),
  clockTick(localUnix('2027-01-01 00:00:00', CET), 'eu2'),
];

/** What must not depend on arrival order: the read models, without positions, event ids and delivery details. */
async function finalState(batches: NewEvent[][]) {
  const ledger = await openTestLedger(KIND, 'order');
  try {
    for (const batch of batches) {
      await ledger.store.appendFacts(batch);
      await project(ledger);
    }
    await ledger.store.appendFacts(FINAL);
    await project(ledger);
    const verdicts = (await readModel(ledger.db, 'verdicts')).map(
      ({ eventId: _e, position: _p, watermarkUnix: _w, supersedes: _s, ...v }) => v,
    );
    return {
      verdicts,
      rounds: await readModel(ledger.db, 'rounds'),
      playerStats: await readModel(ledger.db, 'player_stats'),
      // Which delivery of a report the log kept first (HTTP body or fallback file) is not a result.
      luaRoundTeams: (await readModel(ledger.db, 'lua_round_teams')).map(
        ({ shape: _s, sourceKind: _k, sourceRef: _r, ...r }) => r,
      ),
      // What Discord will show: one row per round (and per session) and message kind. Which
      // verdict event a row shows is history; the session's rounds are not.
      outbox: (await readModel(ledger.db, 'discord_outbox')).map(
        ({ verdictEventId: _v, payloadHash: _h, position: _p, verdict, ...r }): Record<string, unknown> => ({
          ...r,
          session: r.kind === 'session-summary' ? verdict : null,
        }),
      ),
    };
  } finally {
    await ledger.close();
  }
}

describe('order independence (correlation.md scenario 21)', () => {
  it(`the sample evening and generated sessions in any order, with duplicates and any batching, end the same (${KIND})`, async () => {
    const reference = await finalState([UNITS.flatMap((u) => u.events)]);
    // The reference itself is what the READMEs and the spec say.
    expect(reference.verdicts.filter((v) => v.status === 'LUA_ONLY').map((v) => [v.map, v.flags])).toEqual(
      expect.arrayContaining([
        ['te_escape2', ['suspectedAbort']],
        ['etl_frostbite', []],
        ['etl_ice', ['ghost']],
      ]),
    );
    const joined = reference.verdicts.filter((v) => v.luaReportId !== null && v.statsFactId !== null);
    expect(joined.map((v) => v.deltaSec).sort()).toEqual([2, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3]);
    expect(reference.verdicts.filter((v) => v.serverId === 'eu2' && v.statsFactId !== null)).toHaveLength(7);
    expect(
      reference.verdicts
        .filter((v) => v.map === 'radar')
        .map((v) => `${v.status} ${v.flags}`)
        .sort(),
    ).toEqual([
      'LUA_ONLY ambiguous',
      'NO_LUA_DATA ambiguous,approximatePlayerTime',
      'NO_LUA_DATA ambiguous,approximatePlayerTime',
    ]);
    expect(reference.outbox.filter((r) => r.kind === 'session-summary').length).toBeGreaterThan(0);
    const delivery = reference.rounds.filter((r) => r.map === 'etl_sp_delivery');
    expect(delivery.map((r) => [r.playerCount, r.flags])).toEqual([[6, []]]);

    const n = UNITS.length;
    const arrival = fc.record({
      order: fc.shuffledSubarray([...UNITS.keys()], { minLength: n, maxLength: n }),
      duplicates: fc.array(fc.tuple(fc.nat(n - 1), fc.nat(n + 8)), { maxLength: 8 }),
      batchSizes: fc.array(fc.integer({ min: 1, max: 10 }), { minLength: 1, maxLength: 12 }),
    });
    await fc.assert(
      fc.asyncProperty(arrival, async ({ order, duplicates, batchSizes }) => {
        const sequence = order.map((i) => UNITS[i]!);
        for (const [unit, at] of duplicates) sequence.splice(Math.min(at, sequence.length), 0, UNITS[unit]!);
        const batches: NewEvent[][] = [];
        for (let i = 0, b = 0; i < sequence.length; b++) {
          const size = batchSizes[b % batchSizes.length]!;
          batches.push(sequence.slice(i, i + size).flatMap((u) => u.events));
          i += size;
        }
        const state = await finalState(batches);
        expect(state.verdicts).toEqual(reference.verdicts);
        expect(state.rounds).toEqual(reference.rounds);
        expect(state.playerStats).toEqual(reference.playerStats);
        expect(state.luaRoundTeams).toEqual(reference.luaRoundTeams);
        expect(state.outbox).toEqual(reference.outbox);
      }),
      {
        numRuns: Number(process.env.FC_RUNS ?? RUNS),
        seed: Number(process.env.FC_SEED ?? 20260819),
        endOnFailure: true,
      },
    );
  }, 120_000);
});
