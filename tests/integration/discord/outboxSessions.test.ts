// Session summaries are decided near each change only (projections/support/outboxSessions.ts, issue
// 17): after every batch of every arrival order, the outbox's session rows must equal a recompute
// of every session from the projection's own rounds and watermarks (the window query that ran on
// every batch before), and the final rows must equal one ingest's and a rebuild's. The facts: a late
// round that joins two sessions, a zone correction that moves rounds from one session into another,
// ticks that close sessions, and a second server.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { zoneCorrectionIdentity } from '../../../src/events/index.ts';
import { createLogger } from '../../../src/logger.ts';
import { activeBuild } from '../../../src/runtime/catalog.ts';
import { buildAndSwap } from '../../../src/runtime/ledgerRuntime.ts';
import type { NewEvent } from '../../../src/store/eventStore.ts';
import type { Ledger } from '../../../src/store/openStore.ts';
import { ident } from '../../../src/store/sqlDatabase.ts';
import { postgresAvailable } from '../../support/databases.ts';
import {
  CEST,
  clockTick,
  file,
  identify,
  localUnix,
  openTestLedger,
  project,
  projections,
  statsFile,
} from '../../support/factBuilders.ts';

const KIND = postgresAvailable() ? 'postgres' : 'pglite';
const RUNS = KIND === 'postgres' ? 6 : 2;

type Unit = { label: string; events: NewEvent[] };

const round = (local: string, map: string, serverId = 'eu1', tz = 'Europe/Ljubljana'): Unit => {
  const f = statsFile({ local, map, round: 1, limit: '10:00', next: '8:20', playtimeMs: 500_000 });
  return { label: `${serverId} ${f.fileName}`, events: identify(file(f.fileName, f.bytes), { serverId, tz }) };
};
const tick = (local: string, serverId = 'eu1'): Unit => ({
  label: `tick ${serverId} ${local}`,
  events: [clockTick(localUnix(local, CEST), serverId)],
});

/** Day 3's two files were written by a clock in UTC (ingested as Ljubljana time is what they are not). */
const correction: Unit = {
  label: 'correct-zone',
  events: [
    {
      ...zoneCorrectionIdentity(
        'eu1',
        'Europe/Ljubljana',
        '2026-09-07-200000',
        '2026-09-07-202500',
        '2026-09-08T00:00:00Z',
      ),
      type: 'ServerZoneCorrected',
      schemaVersion: 1,
      data: {
        serverId: 'eu1',
        tz: 'Europe/Ljubljana',
        fromLocal: '2026-09-07-200000',
        toLocal: '2026-09-07-202500',
        at: '2026-09-08T00:00:00Z',
      },
    },
  ],
};

const UNITS: Unit[] = [
  // Day 1: two sessions 70 minutes apart, and the late round between them that joins them.
  round('2026-09-05 20:00:03', 'supply'),
  round('2026-09-05 20:15:03', 'etl_adlernest'),
  round('2026-09-05 20:30:03', 'te_escape2'),
  round('2026-09-05 21:40:03', 'etl_frostbite'),
  round('2026-09-05 21:55:03', 'radar'),
  round('2026-09-05 21:05:03', 'braundorf_b4'),
  tick('2026-09-05 21:20:00'),
  tick('2026-09-05 23:00:00'),
  // Day 2: one session.
  round('2026-09-06 20:00:03', 'supply'),
  round('2026-09-06 20:20:03', 'radar'),
  // Day 3: E at 19:20 local; D1, D2 named 20:00 and 20:20 but written in UTC (as read before the
  // correction: 20:00/20:20 UTC, with F at 22:45 local = 20:45 UTC in their session); after it
  // D1, D2 are 20:00/20:20 local, 40 minutes after E: {E, D1, D2} and {F}.
  round('2026-09-07 19:20:03', 'supply'),
  round('2026-09-07 20:00:03', 'etl_adlernest', 'eu1', 'UTC'),
  round('2026-09-07 20:20:03', 'te_escape2', 'eu1', 'UTC'),
  round('2026-09-07 22:45:03', 'radar'),
  correction,
  tick('2026-09-07 23:59:00'),
  // Another server: its sessions are its own.
  round('2026-09-05 20:10:03', 'supply', 'eu2'),
  round('2026-09-05 20:40:03', 'radar', 'eu2'),
  round('2026-09-05 22:00:03', 'supply', 'eu2'),
  tick('2026-09-05 23:30:00', 'eu2'),
];
const FINAL: NewEvent[] = [
  clockTick(localUnix('2026-12-01 00:00:00', CEST)),
  clockTick(localUnix('2026-12-01 00:00:00', CEST), 'eu2'),
];

type SessionShown = { targetKey: string; serverId: string; session: unknown };

/** The outbox's session rows, and the same sessions recomputed from every round (the old full query). */
async function sessionsOf(
  ledger: Ledger,
): Promise<{ held: SessionShown[]; recomputed: SessionShown[]; hashes: boolean }> {
  const schema = ident((await activeBuild(ledger.db, 'discord-outbox'))!.schemaName);
  const held = await ledger.db.query<{
    target_key: string;
    server_id: string;
    verdict: unknown;
    verdict_event_id: string;
  }>(
    `select target_key, server_id, verdict, verdict_event_id from ${schema}.discord_outbox
     where kind = 'session-summary' order by target_key`,
  );
  const recomputed = await ledger.db.query<{
    server_id: string;
    first: string;
    last: string;
    keys: string[];
    ids: string[];
  }>(
    `with ordered as (
       select server_id, round_key, time_unix, verdict_event_id,
              lag(time_unix) over (partition by server_id order by time_unix, round_key) as previous
       from ${schema}.outbox_session_rounds
     ), numbered as (
       select *, sum(case when previous is null or time_unix - previous > 2700 then 1 else 0 end)
                   over (partition by server_id order by time_unix, round_key) as n
       from ordered
     )
     select n.server_id, min(time_unix) as first, max(time_unix) as last,
            array_agg(round_key order by time_unix, round_key) as keys,
            array_agg(verdict_event_id order by time_unix, round_key) as ids
     from numbered n join ${schema}.outbox_watermarks w on w.server_id = n.server_id
     group by n.server_id, n.n, w.watermark_unix having max(time_unix) + 2700 < w.watermark_unix`,
  );
  const { canonicalJson } = await import('../../../src/correlator/canonicalJson.ts');
  const { sha256Hex } = await import('../../../src/events/index.ts');
  const expectedHash = new Map(
    recomputed.rows.map((s) => [`session:${s.server_id}:${Number(s.first)}`, sha256Hex(canonicalJson(s.ids))]),
  );
  return {
    held: held.rows.map((r) => ({ targetKey: r.target_key, serverId: r.server_id, session: r.verdict })),
    recomputed: recomputed.rows
      .map((s) => ({
        targetKey: `session:${s.server_id}:${Number(s.first)}`,
        serverId: s.server_id,
        session: { serverId: s.server_id, firstUnix: Number(s.first), lastUnix: Number(s.last), roundKeys: s.keys },
      }))
      .sort((a, b) => (a.targetKey < b.targetKey ? -1 : a.targetKey > b.targetKey ? 1 : 0)),
    hashes: held.rows.every((r) => expectedHash.get(r.target_key) === r.verdict_event_id),
  };
}

/** Feeds the batches, checking after each one that the session rows are a full recompute's. */
async function feedChecked(batches: NewEvent[][]): Promise<{ final: SessionShown[]; rebuilt: SessionShown[] }> {
  const ledger = await openTestLedger(KIND, 'sessions');
  try {
    for (const batch of [...batches, FINAL]) {
      await ledger.store.appendFacts(batch);
      await project(ledger);
      const s = await sessionsOf(ledger);
      expect(s.held).toEqual(s.recomputed);
      expect(s.hashes).toBe(true);
    }
    const final = (await sessionsOf(ledger)).held;
    const all = await projections();
    await buildAndSwap(
      { db: ledger.db, store: ledger.store, log: createLogger('silent'), projections: all },
      all.find((p) => p.name === 'discord-outbox')!,
      { report: false },
    );
    const after = await sessionsOf(ledger);
    expect(after.held).toEqual(after.recomputed);
    return { final, rebuilt: after.held };
  } finally {
    await ledger.close();
  }
}

describe('session summaries decided near changes (issue 17)', () => {
  it(`end as one ingest, a rebuild and a full recompute after every batch, in any order and split (${KIND})`, async () => {
    const reference = await feedChecked([UNITS.flatMap((u) => u.events)]);
    expect(reference.rebuilt).toEqual(reference.final);
    const sessionKeys = (s: SessionShown[]) =>
      s.map((x) => `${x.serverId} ${(x.session as { roundKeys: string[] }).roundKeys.length}`);
    // eu1: day 1 joined (6 rounds), day 2 (2), day 3 {E, D1, D2} and {F}; eu2: 2 and 1.
    expect(sessionKeys(reference.final).sort()).toEqual(['eu1 1', 'eu1 2', 'eu1 3', 'eu1 6', 'eu2 1', 'eu2 2']);

    // The changes one at a time in the order that exercises them: the joiner after both sessions
    // closed, the correction after day 3 closed.
    const byLabel = (part: string) => UNITS.filter((u) => u.label.includes(part));
    const stepwise = [
      ...UNITS.filter((u) => !u.label.includes('21:05:03') && u !== correction),
      ...byLabel('21:05:03'),
      correction,
    ].map((u) => u.events);
    expect((await feedChecked(stepwise)).final).toEqual(reference.final);

    const n = UNITS.length;
    const arrival = fc.record({
      order: fc.shuffledSubarray([...UNITS.keys()], { minLength: n, maxLength: n }),
      batchSizes: fc.array(fc.integer({ min: 1, max: 6 }), { minLength: 1, maxLength: 8 }),
    });
    await fc.assert(
      fc.asyncProperty(arrival, async ({ order, batchSizes }) => {
        const batches: NewEvent[][] = [];
        for (let i = 0, b = 0; i < order.length; b++) {
          const size = batchSizes[b % batchSizes.length]!;
          batches.push(order.slice(i, i + size).flatMap((k) => UNITS[k]!.events));
          i += size;
        }
        expect((await feedChecked(batches)).final).toEqual(reference.final);
      }),
      { numRuns: Number(process.env.FC_RUNS ?? RUNS), seed: Number(process.env.FC_SEED ?? 17), endOnFailure: true },
    );
  }, 300_000);
});
