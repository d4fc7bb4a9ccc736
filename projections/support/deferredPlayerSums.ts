// The player sums of a build that is catching up (src/runtime/caughtUp.ts says when the runner
// calls back). Batch by batch, a rebuild computes each round's contributions twice (when its file
// is folded, again when its verdict corrects the times) and probes and rewrites every touched day
// and player by key in every batch: the largest share of the rounds projection's SQL (50 s of a
// 100 000-round ingest). A new build therefore starts with its sums deferred (player_sums_deferred, one
// row) and writes none; at the log's head one transaction takes the row away and sums every
// round: contributions, days, then totals, each one grouped pass over the table before it. From then
// on playerTotals.ts keeps them batch by batch. The two must agree to the last row
// (tests/integration/projections/deferredPlayerSums.test.ts): the same contributions
// (contributionsSql), a day's and a player's latest name chosen by the same order, and times summed
// in whole milliseconds as the batches add them.
import type { SqlExecutor } from '../../src/store/sqlDatabase.ts';
import { contribution, contributionsSql, keptParts, parts } from './playerContributions.ts';

export async function playerSumsDeferred(tx: SqlExecutor): Promise<boolean> {
  return (await tx.query('select 1 from player_sums_deferred')).rows.length > 0;
}

/** The parts summed as the kept tables hold them: whole milliseconds to seconds, as the batches add them. */
const summedParts = parts
  .map((c) => (c === 'corrected_ms' ? 'sum(corrected_ms)::float8 / 1000 as corrected_sec' : `sum(${c}) as ${c}`))
  .join(', ');
const kept = keptParts.join(', ');

/** The `caughtUp` hook: the deferred sums, all at once; nothing when they are kept already. */
export async function settlePlayerSums(tx: SqlExecutor): Promise<void> {
  const taken = await tx.query('delete from player_sums_deferred returning 1');
  if (taken.rows.length === 0) return;
  // Nothing writes them while the row is there; emptied all the same, so the sums come from the rows alone.
  await tx.exec('delete from player_totals; delete from player_days; delete from player_round_sums');
  await tx.query(`insert into player_round_sums (${contribution}) ${contributionsSql('true')}`);
  // A day's latest name and time: its latest round by file time (unknown last), then round id.
  await tx.query(
    `insert into player_days (guid8, day_unix, rounds, ${kept}, last_name, last_unix)
     select guid8, day_unix, count(*)::int, ${summedParts},
            (array_agg(name order by file_time_unix desc nulls last, round_id desc))[1],
            coalesce((array_agg(file_time_unix order by file_time_unix desc nulls last, round_id desc))[1], 0)
     from player_round_sums group by guid8, day_unix`,
  );
  // A player's latest name and time are his latest day's.
  await tx.query(
    `insert into player_totals (guid8, rounds, ${kept}, last_name, last_unix)
     select s.guid8, s.rounds, ${kept}, d.last_name, d.last_unix
     from (select guid8, count(*)::int as rounds, ${summedParts}
           from player_round_sums group by guid8) s
     join (select distinct on (guid8) guid8, last_name, last_unix from player_days
           order by guid8, day_unix desc) d on d.guid8 = s.guid8`,
  );
  await tx.exec('analyze player_round_sums; analyze player_days; analyze player_totals');
}
