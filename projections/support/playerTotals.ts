// The rounds projection's per-player sums (playerTotals.sql): after rows of some rounds change
// (written, re-timed, their verdict's corrected times changed), the (player, day) keys those rounds
// were in and are in now are summed again from the rows, then those players' all-time totals.
import { rowTimeSql } from '../../src/stats/evening.ts';
import { type SqlExecutor, sqlFile } from '../../src/store/sqlDatabase.ts';

export const playerTotalsSql = () => sqlFile(import.meta.url, 'playerTotals.sql');

export async function refreshPlayerTotals(tx: SqlExecutor, roundIds: readonly string[]): Promise<void> {
  if (roundIds.length === 0) return;
  const ids = [...new Set(roundIds)];
  // These statements touch a few rows per key through the tables' keys. While a build catches up,
  // the tables grow faster than autovacuum analyses them, and a planner that believes they are
  // small scans all of player_rows per batch (seconds at 100 000 rounds): keys only, for this part.
  await tx.query('set local enable_seqscan = off');
  await tx.query('set local enable_hashjoin = off');
  await tx.query('set local enable_mergejoin = off');
  try {
    await refreshKeys(tx, ids);
  } finally {
    // After a failure the transaction is aborted and rolls these back itself.
    for (const setting of ['enable_seqscan', 'enable_hashjoin', 'enable_mergejoin'])
      await tx.query(`set local ${setting} to default`).catch(() => {});
  }
}

async function refreshKeys(tx: SqlExecutor, ids: string[]): Promise<void> {
  const old = await tx.query<{ guid8: string; day_unix: string }>(
    'delete from player_day_rounds where round_id = any($1::text[]) returning guid8, day_unix',
    [ids],
  );
  const fresh = await tx.query<{ guid8: string; day_unix: string }>(
    `insert into player_day_rounds (guid8, day_unix, round_id)
     select distinct p.guid8, (coalesce(r.file_time_unix, 0) / 86400) * 86400, p.round_id
     from player_rows p join rounds r on r.round_id = p.round_id
     where p.round_id = any($1::text[])
     returning guid8, day_unix`,
    [ids],
  );
  const keys = new Map<string, { guid8: string; day: number }>();
  for (const k of [...old.rows, ...fresh.rows])
    keys.set(`${k.guid8}\0${k.day_unix}`, { guid8: k.guid8, day: Number(k.day_unix) });
  if (keys.size === 0) return;
  const guids = [...keys.values()].map((k) => k.guid8);
  const days = [...keys.values()].map((k) => k.day);
  // The days' sums before and after: all-time totals move by the difference, so a batch costs
  // the days it touches, not every day of every player in it.
  const before = await tx.query<DaySums>(
    `delete from player_days d using unnest($1::text[], $2::bigint[]) as k(g, d)
     where d.guid8 = k.g and d.day_unix = k.d returning ${sumColumns}`,
    [guids, days],
  );
  const after = await tx.query<DaySums>(
    `insert into player_days
     select p.guid8, k.d, count(distinct p.round_id)::int, sum(p.kills), sum(p.deaths), sum(p.damage_given),
            sum(${rowTimeSql('l.corrected_time_sec')}), sum(p.shots), sum(p.hits), sum(p.headshots), sum(p.revives_given),
            (array_agg(p.name order by r.file_time_unix desc nulls last, p.round_id desc))[1],
            max(coalesce(r.file_time_unix, 0))
     from unnest($1::text[], $2::bigint[]) as k(g, d)
     join player_day_rounds x on x.guid8 = k.g and x.day_unix = k.d
     join player_rows p on p.round_id = x.round_id and p.guid8 = x.guid8
     join rounds r on r.round_id = p.round_id
     left join guid_links l on l.round_id = p.round_id and l.guid8 = p.guid8 and l.name = p.name
     group by p.guid8, k.d
     returning ${sumColumns}`,
    [guids, days],
  );
  const delta = new Map<string, number[]>();
  const add = (rows: DaySums[], sign: number) => {
    for (const r of rows) {
      const d = delta.get(r.guid8) ?? new Array(sums.length).fill(0);
      sums.forEach((c, i) => {
        d[i] += sign * Number(r[c]);
      });
      delta.set(r.guid8, d);
    }
  };
  add(before.rows, -1);
  add(after.rows, 1);
  const players = [...delta.keys()];
  const column = (i: number) => players.map((g) => delta.get(g)![i]!);
  await tx.query(
    `insert into player_totals as t (guid8, ${sums.join(', ')}, last_name, last_unix)
     select g, ${sums.map((_, i) => `x${i}`).join(', ')}, '', 0
     from unnest($1::text[], ${sums.map((_, i) => `$${i + 2}::float8[]`).join(', ')}) as u(g, ${sums.map((_, i) => `x${i}`).join(', ')})
     on conflict (guid8) do update set ${sums.map((c) => `${c} = t.${c} + excluded.${c}`).join(', ')}`,
    [players, ...sums.map((_, i) => column(i))],
  );
  // The latest name is the latest day's: one probe of the key (guid8, day_unix) from its end per
  // player, not a read of every day the player played. A player left with no round has no totals.
  await tx.query('delete from player_totals where guid8 = any($1::text[]) and rounds <= 0', [players]);
  await tx.query(
    `update player_totals t set last_name = d.last_name, last_unix = d.last_unix
     from unnest($1::text[]) as g(guid8) cross join lateral
          (select last_name, last_unix from player_days x where x.guid8 = g.guid8 order by day_unix desc limit 1) d
     where t.guid8 = g.guid8`,
    [players],
  );
}

const sums = ['rounds', 'kills', 'deaths', 'damage', 'corrected_sec', 'shots', 'hits', 'headshots', 'revives'] as const;
const sumColumns = `guid8, ${sums.join(', ')}`;
type DaySums = { guid8: string } & Record<(typeof sums)[number], number | string>;
