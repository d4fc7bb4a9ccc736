// What the slash commands read: read models only (read.player_stats, read.rounds, read.verdicts,
// read.sessions). A player is their 8-character stats GUID; DPM divides sums on corrected time
// (the verdict's per-player correctedTimeSec; the stats time where no verdict exists yet).
import { RoundTimingReconciled, type Verdict } from '../../events/index.ts';
import { rowTimeSql } from '../../stats/evening.ts';
import { qualification, qualificationRule } from '../../stats/qualification.ts';
import type { SqlExecutor } from '../../store/sqlDatabase.ts';
import type { RoundPlayer } from './renderRoundSummary.ts';

export async function roundPlayers(db: SqlExecutor, roundId: string): Promise<RoundPlayer[]> {
  const r = await db.query<{
    guid8: string;
    name: string;
    team: number;
    kills: number;
    deaths: number;
    damage_given: number;
    accuracy: number | null;
    headshots: number;
    revives_given: number;
  }>(
    'select guid8, name, team, kills, deaths, damage_given, accuracy, headshots, revives_given from read.player_stats where round_id = $1 order by line',
    [roundId],
  );
  return r.rows.map((p) => ({
    guid8: p.guid8,
    name: p.name,
    team: Number(p.team),
    kills: Number(p.kills),
    deaths: Number(p.deaths),
    damageGiven: Number(p.damage_given),
    accuracy: p.accuracy === null ? null : Number(p.accuracy),
    headshots: Number(p.headshots),
    revivesGiven: Number(p.revives_given),
  }));
}

export type PlayerRef = { guid8: string; fullGuid: string | null; name: string; rounds: number; lastSeenUnix: number };

export type Totals = {
  rounds: number;
  kills: number;
  deaths: number;
  damage: number;
  correctedSec: number;
  shots: number;
  hits: number;
  headshots: number;
  revives: number;
};

export type Metric = 'dpm' | 'kills' | 'kd' | 'accuracy' | 'revives';

/**
 * Per-player sums from `$1` (unix seconds; 0 = all time) on, named as read.player_totals names them:
 * all time is read.player_totals; a period is the whole UTC days of read.player_days after `$1`
 * plus the rows of the part-day from `$1` to the next midnight. A few hundred rows per player at
 * most, whatever the history (the rounds projection keeps the sums, projections/support/playerTotals.ts).
 */
const summedSql = (where: string) => `
  select guid8, rounds, kills, deaths, damage, corrected_sec, shots, hits, headshots, revives, last_name, last_unix
  from read.player_totals where $1::bigint <= 0 and ${where}
  union all
  select guid8, rounds, kills, deaths, damage, corrected_sec, shots, hits, headshots, revives, last_name, last_unix
  from read.player_days where $1::bigint > 0 and day_unix >= (ceil($1::bigint / 86400.0) * 86400)::bigint and ${where}
  union all
  select p.guid8, count(distinct p.round_id)::int, sum(p.kills), sum(p.deaths), sum(p.damage_given), sum(${rowTimeSql('p.corrected_time_sec')}),
         sum(p.shots), sum(p.hits), sum(p.headshots), sum(p.revives_given),
         (array_agg(p.name order by r.file_time_unix desc))[1], max(r.file_time_unix)
  from read.rounds r join read.player_stats p on p.round_id = r.round_id
  where $1::bigint > 0 and r.file_time_unix >= $1::bigint and r.file_time_unix < (ceil($1::bigint / 86400.0) * 86400)::bigint and ${where.replaceAll('guid8', 'p.guid8')}
  group by p.guid8`;

const totalsSql = `sum(rounds)::int as rounds, sum(kills)::int as kills, sum(deaths)::int as deaths,
  sum(damage)::int as damage, sum(corrected_sec)::float8 as corrected_sec, sum(shots)::int as shots,
  sum(hits)::int as hits, sum(headshots)::int as headshots, sum(revives)::int as revives`;

type TotalsRecord = {
  rounds: number;
  kills: number;
  deaths: number;
  damage: number;
  corrected_sec: number;
  shots: number;
  hits: number;
  headshots: number;
  revives: number;
};
const toTotals = (r: TotalsRecord): Totals => ({
  rounds: Number(r.rounds),
  kills: Number(r.kills ?? 0),
  deaths: Number(r.deaths ?? 0),
  damage: Number(r.damage ?? 0),
  correctedSec: Number(r.corrected_sec ?? 0),
  shots: Number(r.shots ?? 0),
  hits: Number(r.hits ?? 0),
  headshots: Number(r.headshots ?? 0),
  revives: Number(r.revives ?? 0),
});

export const dpmOf = (t: Totals): number | null => (t.correctedSec > 0 ? (t.damage * 60) / t.correctedSec : null);
export const kdOf = (t: Totals): number => t.kills / Math.max(1, t.deaths);
export const accuracyOf = (t: Totals): number | null => (t.shots > 0 ? (t.hits * 100) / t.shots : null);

export async function listPlayers(db: SqlExecutor): Promise<PlayerRef[]> {
  const r = await db.query<{
    guid8: string;
    full_guid: string | null;
    name: string;
    rounds: number;
    last_seen: number | null;
  }>(
    `select p.guid8, max(p.full_guid) as full_guid,
            (array_agg(p.name order by r.file_time_unix desc nulls last))[1] as name,
            count(*)::int as rounds, max(r.file_time_unix) as last_seen
     from read.player_stats p join read.rounds r on r.round_id = p.round_id
     group by p.guid8 order by p.guid8`,
  );
  return r.rows.map((p) => ({
    guid8: p.guid8,
    fullGuid: p.full_guid,
    name: p.name,
    rounds: Number(p.rounds),
    lastSeenUnix: Number(p.last_seen ?? 0),
  }));
}

const fold = (s: string) =>
  s
    .normalize('NFKD')
    .toLowerCase()
    .replace(/[^a-z0-9]/g, '');

function editDistance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    let prev = row[0]!;
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const cur = row[j]!;
      row[j] = Math.min(row[j]! + 1, row[j - 1]! + 1, prev + (a[i - 1] === b[j - 1] ? 0 : 1));
      prev = cur;
    }
  }
  return row[b.length]!;
}

/**
 * Players a query names, best tier first: a GUID (8 or 32 hex), then the exact folded name, a
 * prefix, a substring, an edit distance of at most 2. More than one in the best tier is ambiguous.
 */
export function matchPlayers(players: PlayerRef[], query: string): PlayerRef[] {
  const q = query.trim();
  if (/^[0-9a-f]{8}([0-9a-f]{24})?$/i.test(q)) {
    const g = q.toUpperCase();
    const byGuid = players.filter((p) => p.guid8 === g.slice(0, 8) && (g.length === 8 || p.fullGuid === g));
    if (byGuid.length > 0) return byGuid;
  }
  const f = fold(q);
  if (f === '') return [];
  const tiers: ((name: string) => boolean)[] = [
    (n) => n === f,
    (n) => n.startsWith(f),
    (n) => n.includes(f),
    (n) => f.length >= 4 && editDistance(n, f) <= 2,
  ];
  for (const tier of tiers) {
    const hit = players.filter((p) => tier(fold(p.name)));
    if (hit.length > 0) return hit.sort((a, b) => b.rounds - a.rounds || a.guid8.localeCompare(b.guid8));
  }
  return [];
}

export async function playerTotals(db: SqlExecutor, guid8: string, sinceUnix: number): Promise<Totals> {
  const r = await db.query<TotalsRecord>(`select ${totalsSql} from (${summedSql('guid8 = $2')}) x`, [sinceUnix, guid8]);
  return toTotals(r.rows[0]!);
}

const metricSql: Record<Metric, { value: string; having: string }> = {
  dpm: {
    value: 'sum(damage) * 60.0 / nullif(sum(corrected_sec), 0)',
    having: `sum(corrected_sec) >= ${Number(qualification.minSec)}`,
  },
  kills: { value: 'sum(kills)', having: 'true' },
  kd: { value: 'sum(kills)::float8 / greatest(sum(deaths), 1)', having: 'sum(rounds) >= 3' },
  accuracy: { value: 'sum(hits) * 100.0 / nullif(sum(shots), 0)', having: 'sum(shots) >= 100' },
  revives: { value: 'sum(revives)', having: 'true' },
};

export const metricRule: Record<Metric, string> = {
  dpm: `damage × 60 / corrected time; ${qualificationRule(null)}`,
  kills: 'kills',
  kd: 'kills / deaths; at least 3 rounds',
  accuracy: 'hits / shots; at least 100 shots',
  revives: 'revives given',
};

export async function leaderboard(
  db: SqlExecutor,
  metric: Metric,
  sinceUnix: number,
  limit = 10,
): Promise<{ guid8: string; name: string; value: number; rounds: number }[]> {
  const m = metricSql[metric];
  const r = await db.query<{ guid8: string; name: string; value: number; rounds: number }>(
    `select guid8, (array_agg(last_name order by last_unix desc))[1] as name, ${m.value} as value,
            sum(rounds)::int as rounds
     from (${summedSql('true')}) x group by guid8 having ${m.having} and ${m.value} is not null
     order by value desc, guid8 limit $2`,
    [sinceUnix, limit],
  );
  return r.rows.map((x) => ({ guid8: x.guid8, name: x.name, value: Number(x.value), rounds: Number(x.rounds) }));
}

export const verdictSchema = RoundTimingReconciled.shape.data;

/** The verdict and stats rows of one round: `last`, a round id (or its first 8+ characters), or a file name. */
export async function findRound(
  db: SqlExecutor,
  which: string,
): Promise<{ verdict: Verdict; players: RoundPlayer[] } | null> {
  const w = which.trim();
  const r = await db.query<{ verdict: unknown }>(
    w === 'last' || w === ''
      ? `select to_jsonb(v) - 'event_id' - 'position' as verdict from read.verdicts v
         order by coalesce(v.file_time_unix, v.lua_round_end_unix) desc nulls last limit 1`
      : `select to_jsonb(v) - 'event_id' - 'position' as verdict from read.verdicts v
         where v.round_key = $1 or (length($1) >= 8 and starts_with(v.round_key, $1)) or v.stats_file_name = $1
         order by v.round_key limit 2`,
    w === 'last' || w === '' ? [] : [w],
  );
  if (r.rows.length !== 1) return null;
  const verdict = verdictSchema.parse(camelKeys(r.rows[0]!.verdict as Record<string, unknown>));
  return { verdict, players: verdict.statsFactId ? await roundPlayers(db, verdict.statsFactId) : [] };
}

/** A read.verdicts row (snake_case, without luaFactId) as the verdict it stores. */
export function camelKeys(row: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = { luaFactId: null };
  for (const [k, v] of Object.entries(row)) out[k.replace(/_([a-z])/g, (_, c: string) => c.toUpperCase())] = v;
  return out;
}

/** `7d`, `24h`, `90m` back from now, or a date (`2026-08-01`); empty = all time. */
export function parseSince(text: string | null | undefined, nowMs: number): number | null {
  if (!text || text.trim() === '' || text.trim() === 'all') return 0;
  const rel = /^\s*(\d+)\s*(m|h|d|w)\s*$/i.exec(text);
  if (rel) {
    const unit = { m: 60, h: 3600, d: 86_400, w: 604_800 }[rel[2]!.toLowerCase() as 'm' | 'h' | 'd' | 'w'];
    return Math.floor(nowMs / 1000) - Number(rel[1]) * unit;
  }
  const t = Date.parse(text.trim());
  return Number.isNaN(t) ? null : Math.floor(t / 1000);
}
