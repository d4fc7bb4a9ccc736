// The per-player sums the leaderboard and the player page read (read.player_days, read.player_totals)
// against the sums taken from every row with the verdict's corrected times unpacked from its JSON,
// along the change path: the evening split over ingests (R2s before their R1s, Lua reports last,
// which correct the times), the clock moved by a zone correction (rounds change day), a rebuild.
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { leaderboard, type Metric, playerTotals } from '../../src/sinks/discord/statsQueries.ts';
import { openPostgresDatabase } from '../../src/store/postgresDatabase.ts';
import { playerMapRecord } from '../../src/web/playerQueries.ts';
import { runCli } from '../support/cli.ts';
import { freshPostgresUrl, postgresAvailable } from '../support/databases.ts';

const samples = fileURLToPath(new URL('../../samples/', import.meta.url));
const stats = (suffix: string) => join(samples, 'stats', suffix);

/** The sums as they were computed before the read model kept them: every row, the verdict's JSON. */
const bruteForce = `
  select p.guid8, count(distinct p.round_id)::int as rounds, sum(p.kills)::int as kills, sum(p.deaths)::int as deaths,
         sum(p.damage_given)::int as damage, round(sum(
           case when 'r2Cumulative' = any(r.flags) then p.time_played_sec::float8
                else coalesce((select (x->>'correctedTimeSec')::float8 from jsonb_array_elements(v.players) x
                               where x->>'guid8' = p.guid8 and x->>'name' = p.name limit 1), p.time_played_sec) end)::numeric, 3)::float8 as sec,
         sum(p.shots)::int as shots, sum(p.hits)::int as hits
  from read.player_stats p join read.rounds r on r.round_id = p.round_id
  left join read.verdicts v on v.round_key = p.round_id
  where coalesce(r.file_time_unix, 0) >= $1
  group by p.guid8 order by p.guid8`;

/** A player's per-map record as it was read before read.map_players: his halves by containment. */
const recordByContainment = `
  select m.map, count(*)::int as maps, count(*) filter (where m.winner_lineup = s.side)::int as won,
         count(*) filter (where m.result = 'draw')::int as drawn
  from read.maps m
  cross join lateral (select case when m.lineup_a @> $1::jsonb then 'A' when m.lineup_b @> $1::jsonb then 'B' end as side) s
  where s.side is not null and m.result <> 'unknown' and coalesce(m.file_time_unix, 0) >= $2
  group by m.map order by maps desc, m.map`;

type Sums = {
  guid8: string;
  rounds: number;
  kills: number;
  deaths: number;
  damage: number;
  sec: number;
  shots: number;
  hits: number;
};

const kept = `
  select guid8, sum(rounds)::int as rounds, sum(kills)::int as kills, sum(deaths)::int as deaths, sum(damage)::int as damage,
         round(sum(corrected_sec)::numeric, 3)::float8 as sec, sum(shots)::int as shots, sum(hits)::int as hits
  from read.player_days group by guid8 order by guid8`;

describe.skipIf(!postgresAvailable())('per-player sums kept by the rounds projection', () => {
  it('equal the sums over every row after every step of the change path', async () => {
    const url = await freshPostgresUrl('player_totals');
    const env = { ET_LEDGER_STORE: `postgres:${url}` };
    const run = async (...args: string[]) => {
      const r = await runCli(args, env);
      expect(r.code, r.stderr).toBe(0);
    };
    const db = await openPostgresDatabase(url);
    const check = async (label: string) => {
      const truth = (await db.query<Sums>(bruteForce, [0])).rows;
      expect((await db.query(kept)).rows, label).toEqual(truth);
      const totals = (await db.query(`select guid8, rounds, kills, damage from read.player_totals order by guid8`))
        .rows;
      expect(totals, label).toEqual(
        truth.map(({ guid8, rounds, kills, damage }) => ({ guid8, rounds, kills, damage })),
      );
      // The name shown is the player's latest row's (latest file time, then round id).
      const latestNames = `select distinct on (p.guid8) p.guid8, p.name from read.player_stats p
        join read.rounds r on r.round_id = p.round_id
        order by p.guid8, r.file_time_unix desc nulls last, p.round_id desc`;
      expect(
        (await db.query('select guid8, last_name as name from read.player_totals order by guid8')).rows,
        `${label} latest names`,
      ).toEqual((await db.query(latestNames)).rows);
      // A period that starts in the middle of a day: whole days from the sums, the part-day from the rows.
      const since = Date.parse('2026-08-19T20:10:00Z') / 1000;
      const inPeriod = (await db.query<Sums>(bruteForce, [since])).rows;
      for (const p of inPeriod.slice(0, 4)) {
        const t = await playerTotals(db, p.guid8, since);
        expect([t.rounds, t.kills, t.damage, Math.round(t.correctedSec * 1000) / 1000], `${label} ${p.guid8}`).toEqual([
          p.rounds,
          p.kills,
          p.damage,
          p.sec,
        ]);
      }
      // The per-map record kept with each map's result, for every player, all time and in the period.
      for (const p of truth)
        for (const from of [0, since]) {
          const slow = (
            await db.query<{ map: string; maps: number; won: number; drawn: number }>(recordByContainment, [
              JSON.stringify([{ id: p.guid8 }]),
              from,
            ])
          ).rows.map((x: { map: string; maps: number; won: number; drawn: number }) => ({
            ...x,
            lost: x.maps - x.won - x.drawn,
          }));
          expect(await playerMapRecord(db, p.guid8, from), `${label} map record ${p.guid8} from ${from}`).toEqual(slow);
        }
      for (const metric of ['dpm', 'kills', 'accuracy'] as Metric[]) {
        const board = await leaderboard(db, metric, since, 50);
        const value = (p: (typeof inPeriod)[number]) =>
          metric === 'dpm' ? (p.damage * 60) / p.sec : metric === 'kills' ? p.kills : (p.hits * 100) / p.shots;
        for (const row of board) {
          const p = inPeriod.find((x) => x.guid8 === row.guid8)!;
          expect(row.value, `${label} ${metric} ${row.guid8}`).toBeCloseTo(value(p), 6);
        }
      }
    };
    try {
      await run(
        'ingest',
        '--server',
        'eu1',
        '--tz',
        'Europe/Ljubljana',
        stats('2026-08-19-214737-supply-round-2.txt'),
        stats('2026-08-20-215320-bremen_b3-round-2.txt'),
      );
      await check('R2s alone');
      await run('ingest', '--server', 'eu1', '--tz', 'Europe/Ljubljana', join(samples, 'stats'));
      await check('R1s after their R2s');
      await run('ingest', '--server', 'eu1', '--tz', 'Europe/Ljubljana', join(samples, 'lua-legacy'));
      await check('Lua reports correct the times');
      // Read three hours later, the 20 August evening's last rounds move past midnight UTC: other days.
      await run('correct-zone', '--server', 'eu1', '--tz', 'America/Sao_Paulo');
      await check('after a zone correction');
      await run('rebuild', 'rounds');
      await check('after a rebuild');
    } finally {
      await db.close();
    }
  }, 240_000);
});
