// The correlator writes pauses and re-pairings one statement per batch (issue 17): a run of pause
// records, reports and stats files — R2s re-paired when a replayed R1 arrives late — fed in one
// batch, one fact per batch, backwards, or with every pause record in one run at the end, ends
// with the same verdicts, rounds, pause records and R2 pairs.
import { describe, expect, it } from 'vitest';
import { activeBuild } from '../../../src/runtime/catalog.ts';
import type { NewEvent } from '../../../src/store/eventStore.ts';
import type { Ledger } from '../../../src/store/openStore.ts';
import { ident } from '../../../src/store/sqlDatabase.ts';
import { postgresAvailable } from '../../support/databases.ts';
import {
  body,
  clockTick,
  file,
  identify,
  localUnix,
  openTestLedger,
  ownReport,
  pauseRecord,
  project,
  readModel,
  statsFile,
} from '../../support/factBuilders.ts';

const KIND = postgresAvailable() ? 'postgres' : 'pglite';
const at = (t: string) => localUnix(`2026-09-05 ${t}`);

type Unit = { label: string; events: NewEvent[] };

const report = (map: string, round: 1 | 2, start: string, end: string): Unit => ({
  label: `report ${map} ${round} ${end}`,
  events: identify(body(ownReport({ map, round, startUnix: at(start), endUnix: at(end), pauses: [] }))),
});
const stats = (map: string, round: 1 | 2, local: string, playtimeMs: number): Unit => {
  const f = statsFile({ local: `2026-09-05 ${local}`, map, round, limit: '10:00', next: '8:00', playtimeMs });
  return { label: f.fileName, events: identify(file(f.fileName, f.bytes)) };
};
const pause = (map: string, round: 1 | 2, roundStart: string, from: string, to: string): Unit => ({
  label: `pause ${map} ${round} ${from}`,
  events: identify(
    body(pauseRecord({ map, round, roundStartUnix: at(roundStart), startUnix: at(from), endUnix: at(to) })),
  ),
});

const PAUSES: Unit[] = [
  pause('supply', 1, '20:00:00', '20:03:00', '20:03:40'),
  pause('supply', 1, '20:00:00', '20:06:00', '20:06:20'),
  pause('supply', 2, '20:12:00', '20:15:00', '20:15:30'),
  // Delivered twice (a retried POST): one fact.
  pause('supply', 2, '20:12:00', '20:15:00', '20:15:30'),
  // No report ever comes for it.
  pause('etl_ice', 1, '22:00:00', '22:01:00', '22:01:10'),
  pause('radar', 2, '20:52:00', '20:55:00', '20:55:45'),
];
const OTHERS: Unit[] = [
  report('supply', 1, '20:00:00', '20:10:00'),
  stats('supply', 1, '20:10:03', 540_000),
  report('supply', 2, '20:12:00', '20:20:00'),
  stats('supply', 2, '20:20:03', 450_000),
  report('radar', 1, '20:30:00', '20:40:00'),
  stats('radar', 1, '20:40:03', 600_000),
  // A replay of radar's R1: the R2 that starts at 20:52 is its R2, not the first R1's.
  report('radar', 1, '20:42:00', '20:50:00'),
  stats('radar', 1, '20:50:03', 480_000),
  report('radar', 2, '20:52:00', '21:00:00'),
  stats('radar', 2, '21:00:03', 435_000),
];
const FINAL = [clockTick(localUnix('2026-09-06 12:00:00'))];

async function stateOf(ledger: Ledger) {
  const schema = ident((await activeBuild(ledger.db, 'correlator'))!.schemaName);
  const rows = async (sql: string) => (await ledger.db.query(sql)).rows;
  return {
    verdicts: (await readModel(ledger.db, 'verdicts')).map(
      ({ eventId: _e, position: _p, watermarkUnix: _w, supersedes: _s, ...v }) => v,
    ),
    rounds: await readModel(ledger.db, 'rounds'),
    pauses: await rows(
      `select server_id, map_norm, round, start_unix::text, end_unix::text, sec from ${schema}.pause_records order by 1, 2, 3, 4`,
    ),
    pairs: await rows(`select r2_id, r1_id from ${schema}.r2_pairs order by r2_id`),
  };
}

async function fed(batches: Unit[][]) {
  const ledger = await openTestLedger(KIND, 'setbased');
  try {
    for (const batch of [...batches, [{ label: 'final', events: FINAL }]]) {
      await ledger.store.appendFacts(batch.flatMap((u) => u.events));
      await project(ledger);
    }
    return await stateOf(ledger);
  } finally {
    await ledger.close();
  }
}

describe('pauses and re-pairings one statement per batch (issue 17)', () => {
  it(`end the same in one batch, one fact per batch, backwards, and with the pauses in one run (${KIND})`, async () => {
    const all = [...PAUSES, ...OTHERS];
    const reference = await fed([all]);
    expect(reference.pauses).toHaveLength(5);
    const radarR2 = reference.rounds.find((r) => r.map === 'radar' && r.round === 2)!;
    const replay = reference.rounds.find((r) => r.map === 'radar' && String(r.fileName).includes('205003'))!;
    expect(radarR2.r1RoundId).toBe(replay.roundId);
    expect(reference.pairs).toContainEqual({ r2_id: radarR2.roundId, r1_id: replay.roundId });
    // A pause record the report does not list shows in its verdict (the report's count falls short).
    const incomplete = reference.verdicts.filter((v) => (v.flags as string[]).includes('pausesIncomplete'));
    expect(incomplete.map((v) => `${v.map} ${v.round}`).sort()).toEqual(['radar 2', 'supply 1', 'supply 2']);

    expect(await fed(all.map((u) => [u]))).toEqual(reference);
    expect(await fed([...all].reverse().map((u) => [u]))).toEqual(reference);
    // The replayed R1 last: the R2 paired with the first R1 is paired again.
    const late = OTHERS.filter((u) => !u.label.includes('205003'));
    expect(await fed([...late.map((u) => [u]), [OTHERS.find((u) => u.label.includes('205003'))!], PAUSES])).toEqual(
      reference,
    );
  }, 300_000);
});
