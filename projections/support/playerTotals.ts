// The rounds projection's per-player sums (playerTotals.sql). What each round adds to a player is
// kept (player_round_sums): after rows of some rounds change (written, re-timed, their verdict's
// corrected times changed, deleted), their contributions are computed again, and the (player, day)
// sums and all-time totals move by the difference. A batch reads its own rounds' rows once, writes
// the contributions that changed, and probes each touched day and player by key: it does not sum
// again the other rounds of the days it touches. A build catching up does none of it: it sums every
// round once, in bulk, when it reaches the log's head (deferredPlayerSums.ts).
import { type SqlExecutor, sqlFile } from '../../src/store/sqlDatabase.ts';
import { playerSumsDeferred } from './deferredPlayerSums.ts';
import { withKeyLookups } from './keyLookups.ts';
import { contribution, contributionsSql, keptParts, parts, values } from './playerContributions.ts';

export const playerTotalsSql = () => sqlFile(import.meta.url, 'playerTotals.sql');

// These statements touch a few rows per key through the tables' keys (keyLookups.ts says why).
export async function refreshPlayerTotals(tx: SqlExecutor, roundIds: readonly string[]): Promise<void> {
  if (roundIds.length === 0 || (await playerSumsDeferred(tx))) return;
  const ids = [...new Set(roundIds)];
  await withKeyLookups(tx, () => refresh(tx, ids));
}

/** The kept sums of player_days and player_totals, in the order of a delta: rounds, then `parts`. */
const sums = ['rounds', ...keptParts];

async function refresh(tx: SqlExecutor, ids: string[]): Promise<void> {
  // One statement computes the rounds' contributions again, writes those that differ from the kept
  // ones and returns the difference per (player, day). Its parts share one snapshot: `old` is the
  // table before the writes. A contribution that came back the same (a round written again as it
  // was, an ingest's verdicts without Lua reports) cancels out in `diff` (one group, +1 and -1)
  // and costs the read of its rows, no write. `diff` holds, per key, a new contribution (+1), a
  // gone one (-1), or both (changed); the writes probe the key per row.
  const fromDiff = (c: string) => `d.${c}`;
  const delta = await tx.query<Record<string, unknown> & { guid8: string }>(
    `with fresh as (${contributionsSql('r.round_id = any($1::text[])')}),
     old as (select ${contribution} from player_round_sums where round_id = any($1::text[])),
     diff as (
       select ${contribution}, sum(side)::int as side, count(*) over (partition by round_id, guid8) as n
       from (select 1 as side, ${contribution} from fresh union all select -1, ${contribution} from old) x
       group by ${contribution} having sum(side) <> 0),
     added as (insert into player_round_sums (${contribution}) select ${contribution} from diff where side > 0 and n = 1),
     changed as (
       update player_round_sums c set (${values.join(', ')}) = (${values.map(fromDiff).join(', ')}) from diff d
       where d.side > 0 and d.n = 2 and c.round_id = d.round_id and c.guid8 = d.guid8),
     removed as (
       delete from player_round_sums c using diff d
       where d.side < 0 and d.n = 1 and c.round_id = d.round_id and c.guid8 = d.guid8)
     select guid8, day_unix, sum(side) as rounds, ${parts.map((c) => `sum(side * ${c}) as ${c}`).join(', ')}
     from diff group by guid8, day_unix`,
    [ids],
  );
  if (delta.rows.length === 0) return;
  // A day whose sums did not move is still here when one of its contributions changed name or time.
  const days = delta.rows.map((r) => ({
    guid8: r.guid8,
    day: Number(r.day_unix),
    delta: ['rounds', ...parts].map((c) => Number(r[c])),
  }));

  const players = new Map<string, number[]>();
  for (const { guid8, delta } of days) {
    const t = players.get(guid8) ?? new Array(sums.length).fill(0);
    delta.forEach((x, i) => {
      t[i]! += x;
    });
    players.set(guid8, t);
  }

  // A day's latest name and time: its latest round by file time (unknown last), then round id.
  await tx.query(
    upsertSql(
      'player_days',
      ['guid8', 'day_unix'],
      ['text', 'bigint'],
      `select c.name as last_name, coalesce(c.file_time_unix, 0) as last_unix from player_round_sums c
       where c.guid8 = u.k0 and c.day_unix = u.k1
       order by c.file_time_unix desc nulls last, c.round_id desc limit 1`,
    ),
    [days.map((d) => d.guid8), days.map((d) => d.day), ...byColumn(days.map((d) => d.delta))],
  );
  // Only a day that lost rounds can be left with none.
  const emptied = days.filter((d) => d.delta[0]! < 0);
  if (emptied.length > 0)
    await tx.query(
      `delete from player_days d using unnest($1::text[], $2::bigint[]) as k(g, d)
       where d.guid8 = k.g and d.day_unix = k.d and d.rounds <= 0`,
      [emptied.map((d) => d.guid8), emptied.map((d) => d.day)],
    );

  // The latest name is the latest day's: one probe of the key (guid8, day_unix) from its end per
  // player, not a read of every day the player played. A player left with no round has no totals.
  const playerRows = [...players];
  await tx.query(
    upsertSql(
      'player_totals',
      ['guid8'],
      ['text'],
      'select x.last_name, x.last_unix from player_days x where x.guid8 = u.k0 order by x.day_unix desc limit 1',
    ),
    [playerRows.map(([g]) => g), ...byColumn(playerRows.map(([, delta]) => delta))],
  );
  const left = playerRows.filter(([, delta]) => delta[0]! < 0).map(([g]) => g);
  if (left.length > 0)
    await tx.query('delete from player_totals where guid8 = any($1::text[]) and rounds <= 0', [left]);
}

/**
 * Adds the deltas (one array per kept sum, time in ms) to the rows of `keys`, inserting the keys
 * not there yet, and sets each row's latest name and time from `latest` (a lateral probe that
 * sees the keys as u.k0, u.k1 …). The time is added in whole ms and rounded back onto them, so
 * it carries no error from one change to the next.
 */
function upsertSql(table: string, keys: string[], keyTypes: string[], latest: string): string {
  const k = keys.map((_, i) => `k${i}`);
  const x = sums.map((_, i) => `x${i}`);
  const params = [...keyTypes, ...sums.map(() => 'float8')].map((t, i) => `$${i + 1}::${t}[]`);
  const value = (c: string, i: number) => (c === 'corrected_sec' ? `u.x${i} / 1000` : `u.x${i}`);
  const update = (c: string) =>
    c === 'corrected_sec'
      ? `${c} = round(t.${c} * 1000 + excluded.${c} * 1000) / 1000`
      : `${c} = t.${c} + excluded.${c}`;
  return `insert into ${table} as t (${keys.join(', ')}, ${sums.join(', ')}, last_name, last_unix)
    select ${k.map((c) => `u.${c}`).join(', ')}, ${sums.map(value).join(', ')},
           coalesce(l.last_name, ''), coalesce(l.last_unix, 0)
    from unnest(${params.join(', ')}) as u(${[...k, ...x].join(', ')})
    left join lateral (${latest}) l on true
    on conflict (${keys.join(', ')}) do update set ${sums.map(update).join(', ')},
      last_name = excluded.last_name, last_unix = excluded.last_unix`;
}

/** Per-row deltas as one array per kept sum (the unnest's columns). */
const byColumn = (rows: number[][]): number[][] => sums.map((_, i) => rows.map((r) => r[i]!));
