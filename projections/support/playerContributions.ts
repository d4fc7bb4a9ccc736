// What each round adds to each of its players' sums (player_round_sums in playerTotals.sql), as
// SQL shared by the batch-by-batch sums (playerTotals.ts) and the bulk ones (deferredPlayerSums.ts).
import { rowTimeSql } from '../../src/stats/evening.ts';

/** A round's sums for one player, as player_round_sums keeps them (`rounds` is 1: the row itself). */
export const parts = ['kills', 'deaths', 'damage', 'corrected_ms', 'shots', 'hits', 'headshots', 'revives'] as const;
/** What a contribution holds besides its key (round_id, guid8). */
export const values = ['day_unix', 'file_time_unix', 'name', ...parts] as const;
export const contribution = `round_id, guid8, ${values.join(', ')}`;
/** `parts` as player_days and player_totals keep them: the time in seconds, not milliseconds. */
export const keptParts = parts.map((c) => (c === 'corrected_ms' ? 'corrected_sec' : c));

/**
 * Each player's contribution to the rounds `where` selects (a condition on `r`, the rounds): his
 * lines of the round summed, the round counted once, his name in the round his first line's. The
 * join starts from the rounds: one probe of player_rows per round, not one of rounds per row.
 */
export const contributionsSql = (where: string): string => `
  select p.round_id, p.guid8, (coalesce(r.file_time_unix, 0) / 86400) * 86400 as day_unix, r.file_time_unix,
         (array_agg(p.name order by p.line))[1] as name, sum(p.kills) as kills, sum(p.deaths) as deaths,
         sum(p.damage_given) as damage,
         round(sum(${rowTimeSql('l.corrected_time_sec')}) * 1000)::bigint as corrected_ms,
         sum(p.shots) as shots, sum(p.hits) as hits, sum(p.headshots) as headshots, sum(p.revives_given) as revives
  from rounds r join player_rows p on p.round_id = r.round_id
  left join guid_links l on l.round_id = p.round_id and l.guid8 = p.guid8 and l.name = p.name
  where ${where}
  group by p.round_id, p.guid8, r.round_id`;
