// The correlator's candidate lookups read the neighbourhood, not the group's history (issue 17):
// a candidate's times are readings less than MAX_READING_SPAN_SEC apart, so a lookup of the
// candidates overlapping [lo, hi] is the index range t_min ∈ [lo − span, hi]. Without that bound
// it was every candidate of the (server, map, round) before hi, once per batch: quadratic over a
// league's history. Measured in buffers PostgreSQL touches, which do not depend on the machine.
import { describe, expect, it, onTestFinished } from 'vitest';
import { preloadCandidates } from '../../../projections/support/candidateSpans.ts';
import { MAX_READING_SPAN_SEC } from '../../../src/parser/localTime.ts';
import { activeBuild } from '../../../src/runtime/catalog.ts';
import { ident } from '../../../src/store/sqlDatabase.ts';
import { postgresAvailable } from '../../support/databases.ts';
import { openTestLedger, project } from '../../support/factBuilders.ts';
import { buffersTouched, measuring, planOf } from '../../support/planCost.ts';

describe.runIf(postgresAvailable())('candidate lookups are bounded by the reading span (postgres)', () => {
  it('a lookup at the end of 4 000 candidates of one group touches a few buffers, and finds a 3-hour fold', async () => {
    const ledger = await openTestLedger('postgres', 'bounded');
    onTestFinished(() => ledger.close());
    await project(ledger); // the correlator's first (empty) build: its tables
    const schema = (await activeBuild(ledger.db, 'correlator'))!.schemaName;
    const base = 1_780_000_000;
    const last = base + 3999 * 3600;
    await ledger.db.exec(`
      set search_path to ${ident(schema)}, public;
      insert into candidates (fact_id, kind, server_id, map_norm, round, t_min, t_max, deadline_unix, body)
      select 'f' || g, 'stats', 'eu1', 'supply', 1, ${base} + g * 3600, ${base} + g * 3600, 0, jsonb_build_object('factId', 'f' || g)
      from generate_series(0, 3999) g;
      -- A file read in an autumn overlap three hours wide: its earliest reading before the window.
      insert into candidates values ('fold', 'stats', 'eu1', 'supply', 1, ${last - 3 * 3600 - 60}, ${last - 60}, 0, '{"factId": "fold"}');
      -- Other groups' candidates at the same times.
      insert into candidates (fact_id, kind, server_id, map_norm, round, t_min, t_max, deadline_unix, body)
      select 'o' || g, 'stats', 'eu' || (g % 7), 'radar', 1 + g % 2, ${base} + g * 900, ${base} + g * 900, 0, '{}'
      from generate_series(0, 9999) g;
      analyze candidates;
      reset search_path;`);

    const window = { serverId: 'eu1', map: 'supply', round: 1 as const, fromUnix: last - 600, toUnix: last + 600 };
    const seen: number[] = [];
    const found = await ledger.db.transaction(async (tx) => {
      await tx.exec(`set local search_path to ${ident(schema)}, public`);
      const spans = await preloadCandidates(
        measuring(tx, (sql) => sql.includes('join candidates c'), buffersTouched, seen),
        [window],
        0,
      );
      const loaded = await spans.load(window);
      // The same lookup without the lower bound, for scale: what every batch used to read.
      const unbounded = buffersTouched(
        await planOf(
          tx,
          `select fact_id from candidates where server_id = 'eu1' and map_norm = 'supply' and round = 1
           and t_max >= $1 and t_min <= $2`,
          [window.fromUnix, window.toUnix],
        ),
      );
      return { ids: loaded.stats.map((s) => (s as unknown as { factId: string }).factId).sort(), unbounded };
    });

    expect(found.ids).toEqual(['f3999', 'fold']);
    expect(seen).toHaveLength(1);
    expect(seen[0]!).toBeLessThan(40);
    expect(found.unbounded).toBeGreaterThan(10 * seen[0]!);
    expect(MAX_READING_SPAN_SEC).toBeGreaterThan(3 * 3600);
  });
});
