// The R1/R2 pairing reads a bounded neighbourhood (projections/support/pairNear.ts, issue 17): a 24/7
// server playing one map every 30 minutes for days, across the autumn DST night (2026-10-25, when
// 02:00–02:59 in Europe/Ljubljana happens twice), pairs the same whole or in shuffled batches, as
// pairRounds does over the whole history at once; and the rows one fact's pairing reads do not grow
// with the history.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { pairNear } from '../../../projections/support/pairNear.ts';
import { statsRoundId } from '../../../src/events/index.ts';
import { fileTimeToUtcCandidates } from '../../../src/parser/localTime.ts';
import { normalizeMapName } from '../../../src/parser/names.ts';
import { pairRounds } from '../../../src/parser/pairRounds.ts';
import { parseStatsFile } from '../../../src/parser/statsFile.ts';
import { activeBuild } from '../../../src/runtime/catalog.ts';
import type { NewEvent } from '../../../src/store/eventStore.ts';
import type { Ledger } from '../../../src/store/openStore.ts';
import { ident, type SqlExecutor } from '../../../src/store/sqlDatabase.ts';
import { postgresAvailable } from '../../support/databases.ts';
import {
  clockTick,
  file,
  identify,
  openTestLedger,
  project,
  readModel,
  statsFile,
} from '../../support/factBuilders.ts';
import { localStamp } from '../../support/statsFileGenerator.ts';

const KIND = postgresAvailable() ? 'postgres' : 'pglite';
const TZ = 'Europe/Ljubljana';
const MAP = 'supply';

/** `YYYY-MM-DD HH:MM:SS` as the game server's clock in Ljubljana shows the instant. */
function localOf(unix: number): string {
  const s = localStamp(unix, TZ); // 2026-01-01-213005
  return `${s.slice(0, 10)} ${s.slice(11, 13)}:${s.slice(13, 15)}:${s.slice(15, 17)}`;
}

type Played = { fileName: string; bytes: Uint8Array; round: 1 | 2 };

/**
 * One map every 30 minutes from `fromUnix`: R1 written at the slot (+ a drift of seconds, so the
 * repeated DST hour never names two files alike), R2 started 2 minutes later and written after its
 * 10 minutes of play.
 */
function history(fromUnix: number, slots: number): Played[] {
  const out: Played[] = [];
  for (let k = 0; k < slots; k++) {
    const r1At = fromUnix + k * 1800 + (k % 50);
    const r2At = r1At + 120 + 600;
    for (const [round, at, playtimeMs] of [
      [1, r1At, 540_000],
      [2, r2At, 600_000],
    ] as const) {
      const f = statsFile({ local: localOf(at), map: MAP, round, limit: '10:00', next: '10:00', playtimeMs });
      out.push({ ...f, round });
    }
  }
  return out;
}

/** Three days across the autumn DST night. */
const FROM = Date.parse('2026-10-23T12:00:00Z') / 1000;
const PLAYED = history(FROM, 3 * 48);
const idOf = (p: Played) => statsRoundId('eu1', p.fileName);

/** The pairing of the whole history at once, as the rule defines it. */
function expectedPairs(): Map<string, string | null> {
  const rounds = PLAYED.map((p) => {
    const parsed = parseStatsFile(p.bytes, p.fileName);
    if (!parsed.ok) throw new Error(`${p.fileName} does not parse`);
    const times = [...fileTimeToUtcCandidates(parsed.round.fileLocalTime, TZ)];
    return {
      id: idOf(p),
      round: p.round,
      fileTimesUnix: times,
      // As roundTiming stores it: the start rounded to the second.
      playtimeSec: times[0]! - Math.round(times[0]! - (parsed.round.statsPlaytimeSec ?? 0)),
    };
  });
  const pairs = pairRounds(rounds);
  return new Map(PLAYED.filter((p) => p.round === 2).map((p) => [idOf(p), pairs.get(idOf(p))?.r1Id ?? null]));
}

const eventsOf = (played: Played[]): NewEvent[] =>
  played.flatMap((p) => identify(file(p.fileName, p.bytes), { serverId: 'eu1', tz: TZ }));

async function ingest(ledger: Ledger, batches: Played[][]): Promise<void> {
  for (const batch of batches) {
    await ledger.store.appendFacts(eventsOf(batch));
    await project(ledger);
  }
  await ledger.store.appendFacts([clockTick(FROM + 5 * 86400, 'eu1')]);
  await project(ledger);
}

async function pairsShown(ledger: Ledger) {
  const rows = await readModel(ledger.db, 'rounds');
  return {
    r1Of: new Map(rows.filter((r) => r.round === 2).map((r) => [r.roundId as string, r.r1RoundId as string | null])),
    rows: rows.map(({ roundId, r1RoundId, fileTimeUnix, matchId, flags }) => ({
      roundId,
      r1RoundId,
      fileTimeUnix,
      matchId,
      flags,
    })),
  };
}

/** A transaction reading the rounds build's tables, counting every row its queries return. */
async function countingRounds<T>(ledger: Ledger, work: (tx: SqlExecutor, read: () => number) => Promise<T>) {
  const schema = (await activeBuild(ledger.db, 'rounds'))!.schemaName;
  return ledger.db.transaction(async (tx) => {
    await tx.exec(`set local search_path to ${ident(schema)}, public`);
    let rows = 0;
    const counting: SqlExecutor = {
      query: async (sql, params) => {
        const r = await tx.query(sql, params);
        rows += r.rows.length;
        return r as never;
      },
      exec: (sql) => tx.exec(sql),
    };
    return work(counting, () => rows);
  });
}

describe('R1/R2 pairing in a bounded window (issue 17)', () => {
  const expected = expectedPairs();

  it(`a 24/7 map every 30 minutes across the DST night pairs the same whole and in shuffled batches (${KIND})`, async () => {
    // The history is what it should be: every R2 paired, the DST night's ambiguous files among them.
    expect([...expected.values()].every((r1) => r1 !== null)).toBe(true);
    const ambiguous = PLAYED.filter((p) => p.fileName.startsWith('2026-10-25-02'));
    expect(ambiguous.length).toBeGreaterThanOrEqual(4);

    const whole = await openTestLedger(KIND, 'pair247');
    let reference: Awaited<ReturnType<typeof pairsShown>>;
    try {
      await ingest(whole, [PLAYED]);
      reference = await pairsShown(whole);
      expect(reference.r1Of).toEqual(expected);

      // Every fact's pairing reads the same few rows, wherever it lies in the history.
      const read = await countingRounds(whole, async (tx, rows) => {
        const counts: number[] = [];
        for (const p of PLAYED) {
          const before = rows();
          const pairs = await pairNear(tx, [
            { serverId: 'eu1', mapNorm: normalizeMapName(MAP), ids: [idOf(p)], gone: [] },
          ]);
          counts.push(rows() - before);
          for (const pair of pairs) expect(pair.r1Id).toBe(expected.get(pair.r2Id));
        }
        return counts;
      });
      // An R2 and its R1, found by one query each way, wherever they lie in the history; a file of
      // the DST night reaches the night's other files through its other reading, and no further.
      const night = (i: number) => ambiguous.includes(PLAYED[i]!);
      expect(read.filter((_, i) => !night(i)).every((n) => n <= 4)).toBe(true);
      expect(read.filter((_, i) => night(i)).every((n) => n <= 4 * ambiguous.length)).toBe(true);
    } finally {
      await whole.close();
    }

    await fc.assert(
      fc.asyncProperty(
        fc.shuffledSubarray([...PLAYED.keys()], { minLength: PLAYED.length, maxLength: PLAYED.length }),
        fc.array(fc.integer({ min: 1, max: 80 }), { minLength: 1, maxLength: 6 }),
        async (order, sizes) => {
          const batches: Played[][] = [];
          for (let i = 0, b = 0; i < order.length; b++) {
            const size = sizes[b % sizes.length]!;
            batches.push(order.slice(i, i + size).map((k) => PLAYED[k]!));
            i += size;
          }
          const ledger = await openTestLedger(KIND, 'pair247');
          try {
            await ingest(ledger, batches);
            const shown = await pairsShown(ledger);
            expect(shown.r1Of).toEqual(expected);
            expect(shown.rows).toEqual(reference.rows);
          } finally {
            await ledger.close();
          }
        },
      ),
      { numRuns: Number(process.env.FC_RUNS ?? 2), seed: Number(process.env.FC_SEED ?? 1017), endOnFailure: true },
    );
  }, 600_000);
});
