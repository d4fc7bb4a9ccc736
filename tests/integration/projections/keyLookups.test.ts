// A batch's statements follow the batch, not the history (issue 17; projections/support/keyLookups.ts).
// Before keys-only, given a batch of a thousand rounds the planner read every row of map_halves (and
// of map_results) to decide the batch's maps again, and every row of outbox_session_rounds to mark
// where sessions end: each
// batch cost more as the history grew (in a 100 000-round league ingest, 15 700 and 21 000 buffers a
// call against 4 600 and 16 000 at 20 000 rounds). The same batch is run here over a history ten
// times longer, and what the plan reads is counted in rows (EXPLAIN ANALYZE), which do not depend on
// the machine: a pass over the table reads ten times more, probes by key the same.
import { describe, expect, it, onTestFinished } from 'vitest';
import { decideMaps } from '../../../projections/support/mapsFold.ts';
import { type SessionRoundRow, saveSessionRounds } from '../../../projections/support/outboxSessions.ts';
import { activeBuild } from '../../../src/runtime/catalog.ts';
import { ident, type SqlExecutor } from '../../../src/store/sqlDatabase.ts';
import { postgresAvailable } from '../../support/databases.ts';
import { openTestLedger, project } from '../../support/factBuilders.ts';
import { measuring, rowsRead } from '../../support/planCost.ts';

const BATCH = 1000;
const HISTORIES = [5_000, 50_000];

/**
 * What the measured statements of `run` read over each history: a fresh build per size, filled by the
 * SQL `fill(n)` in the build's schema, then `run` in one transaction on that schema.
 */
async function rowsReadPerHistory(
  projection: string,
  fill: (n: number) => string,
  run: (tx: SqlExecutor, n: number, seen: number[]) => Promise<void>,
): Promise<number[]> {
  const perHistory: number[] = [];
  for (const n of HISTORIES) {
    const ledger = await openTestLedger('postgres', 'keys');
    onTestFinished(() => ledger.close());
    await project(ledger);
    const schema = (await activeBuild(ledger.db, projection))!.schemaName;
    await ledger.db.exec(`set search_path to ${ident(schema)}, public; ${fill(n)}; reset search_path;`);
    const seen: number[] = [];
    await ledger.db.transaction(async (tx) => {
      await tx.exec(`set local search_path to ${ident(schema)}, public`);
      await run(tx, n, seen);
    });
    perHistory.push(seen.reduce((sum, rows) => sum + rows, 0));
  }
  return perHistory;
}

describe.runIf(postgresAvailable())('a batch reads its keys, not the history (postgres)', () => {
  it("deciding a batch's maps reads its rounds' halves, however many halves the history holds", async () => {
    const [short, long] = await rowsReadPerHistory(
      'rounds',
      // n halves: R1s and the R2s paired with them, 20 servers, and the maps they formed, decided before.
      (n) => `
        insert into map_halves (round_id, server_id, map, round, file_name, file_time_unix, defender, winner,
                                time_limit_sec, stats_playtime_sec, aborted, attackers, defenders, r1_round_id)
        select 'r' || lpad(g::text, 6, '0'), 'lg' || (g % 20), 'supply', 1 + g % 2, 'f' || g, 1780000000 + g * 60,
               1, 2, 600, 300, false, '[{"id": "AAAAAAAA"}]', '[{"id": "BBBBBBBB"}]',
               case when g % 2 = 1 then 'r' || lpad((g - 1)::text, 6, '0') end
        from generate_series(0, ${n - 1}) g;
        insert into map_timing select round_id, 'v:' || round_id, 300, false, false from map_halves;
        insert into map_results (map_id, server_id, map, file_time_unix, r1_round_id, r2_round_id, result,
                                 points_a, points_b, lineups_from, flags)
        select round_id, server_id, map, file_time_unix, round_id, 'r' || lpad((substr(round_id, 2)::int + 1)::text, 6, '0'),
               'A', 1, 0, 'r1', '{}'
        from map_halves where round = 1;
        analyze map_halves; analyze map_timing; analyze map_results`,
      async (tx, n, seen) => {
        // The batch: the latest BATCH rounds.
        const touched = new Set(Array.from({ length: BATCH }, (_, i) => `r${String(n - 1 - i).padStart(6, '0')}`));
        await decideMaps(
          measuring(
            tx,
            (sql) => sql.includes('with seed as') || sql.startsWith('delete from map_results'),
            rowsRead,
            seen,
          ),
          touched,
        );
        expect(seen).toHaveLength(2);
        // Each R1 of the batch decided again with its R2 (and its row written anew), the other maps as they were.
        const decided = await tx.query<{ n: number; batch: number }>(
          'select count(*)::int as n, count(*) filter (where map_id = any($1::text[]) and r1_file_name is not null)::int as batch from map_results',
          [[...touched]],
        );
        expect(decided.rows[0]).toEqual({ n: n / 2, batch: BATCH / 2 });
      },
    );
    // A pass over the halves (or the maps) reads ten times more; probes by the batch's keys read the same rows.
    expect(long!).toBeLessThan(1.5 * short!);
  });

  it('marking where sessions end around a batch reads the windows around its rounds, however long the history', async () => {
    const [short, long] = await rowsReadPerHistory(
      'discord-outbox',
      // n rounds over 20 servers, a round every 10 minutes per server.
      (n) => `
        insert into outbox_session_rounds (round_key, server_id, time_unix, verdict_event_id, session_end)
        select 'k' || g, 'lg' || (g % 20), 1780000000 + (g / 20) * 600, 'v' || g, false
        from generate_series(0, ${n - 1}) g;
        analyze outbox_session_rounds`,
      async (tx, n, seen) => {
        // The batch: the latest BATCH rounds, each under a new verdict.
        const latest = Array.from({ length: BATCH }, (_, i) => n - 1 - i).map(
          (g): SessionRoundRow => ({
            round_key: `k${g}`,
            server_id: `lg${g % 20}`,
            time_unix: 1_780_000_000 + Math.floor(g / 20) * 600,
            verdict_event_id: `v${g}`,
          }),
        );
        const before = new Map(latest.map((r) => [r.round_key, r]));
        const after = new Map(latest.map((r) => [r.round_key, { ...r, verdict_event_id: `w${r.round_key}` }]));
        await saveSessionRounds(
          measuring(tx, (sql) => sql.includes('set session_end = not exists'), rowsRead, seen),
          before,
          after,
        );
        expect(seen).toHaveLength(1);
        // Every server's last round ends its session; the rounds before it do not.
        const ends = await tx.query<{ n: number }>(
          'select count(*)::int as n from outbox_session_rounds where session_end',
        );
        expect(ends.rows[0]!.n).toBe(20);
      },
    );
    expect(long!).toBeLessThan(1.5 * short!);
  });
});
