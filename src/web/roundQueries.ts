// A round's page: its read.rounds row, both teams' lines with weapons, the standing verdict and the
// verdict history of the active correlator generation (read.verdict_history).
import type { Verdict } from '../events/index.ts';
import type { RoundPlayer } from '../sinks/discord/renderRoundSummary.ts';
import { camelKeys, verdictSchema } from '../sinks/discord/statsQueries.ts';
import type { SqlExecutor } from '../store/sqlDatabase.ts';

export type RoundRow = {
  roundId: string;
  serverId: string;
  serverName: string;
  map: string;
  round: number;
  fileName: string;
  fileTimeUnix: number | null;
  tz: string;
  defender: number;
  winner: number;
  timeLimitSec: number;
  statsPlaytimeSec: number | null;
  r1RoundId: string | null;
  flags: string[];
};

/** A round post's player line (RoundPlayer), with what the page shows beyond it. */
export type PlayerLine = RoundPlayer & {
  line: number;
  damageReceived: number;
  gibs: number;
  timePlayedSec: number;
  weapons: { weapon: string; hits: number; shots: number; kills: number; deaths: number; headshots: number }[];
};

export type HistoryEntry = {
  kind: 'verdict' | 'retraction';
  status: string;
  position: number;
  verdict: Verdict | null;
};

export type RoundDetail = { round: RoundRow; players: PlayerLine[]; verdict: Verdict | null; history: HistoryEntry[] };

const parseVerdict = (v: unknown): Verdict | null => {
  if (!v) return null;
  const parsed = verdictSchema.safeParse(camelKeys(v as Record<string, unknown>));
  return parsed.success ? parsed.data : null;
};

export async function roundDetail(db: SqlExecutor, roundId: string): Promise<RoundDetail | null> {
  const r = await db.query<Record<string, unknown>>(
    `select round_id, server_id, server_name, map, round, file_name, file_time_unix, tz, defender, winner,
            time_limit_sec, stats_playtime_sec, r1_round_id, flags
     from read.rounds where round_id = $1`,
    [roundId],
  );
  const x = r.rows[0];
  if (!x) return null;
  const round: RoundRow = {
    roundId: String(x.round_id),
    serverId: String(x.server_id),
    serverName: String(x.server_name ?? ''),
    map: String(x.map),
    round: Number(x.round),
    fileName: String(x.file_name),
    fileTimeUnix: x.file_time_unix === null ? null : Number(x.file_time_unix),
    tz: String(x.tz),
    defender: Number(x.defender),
    winner: Number(x.winner),
    timeLimitSec: Number(x.time_limit_sec),
    statsPlaytimeSec: x.stats_playtime_sec === null ? null : Number(x.stats_playtime_sec),
    r1RoundId: (x.r1_round_id as string | null) ?? null,
    flags: (x.flags as string[]) ?? [],
  };
  const players = await db.query<Record<string, unknown>>(
    `select line, guid8, name, team, kills, deaths, damage_given, damage_received, gibs, revives_given, headshots,
            accuracy, time_played_sec
     from read.player_stats where round_id = $1 order by team, damage_given desc, line`,
    [roundId],
  );
  const weapons = await db.query<Record<string, unknown>>(
    `select line, weapon, hits, shots, kills, deaths, headshots from read.player_weapon_stats
     where round_id = $1 order by line, weapon_id`,
    [roundId],
  );
  const byLine = new Map<number, PlayerLine['weapons']>();
  for (const w of weapons.rows) {
    const list = byLine.get(Number(w.line)) ?? [];
    list.push({
      weapon: String(w.weapon),
      hits: Number(w.hits),
      shots: Number(w.shots),
      kills: Number(w.kills),
      deaths: Number(w.deaths),
      headshots: Number(w.headshots),
    });
    byLine.set(Number(w.line), list);
  }
  const verdict = await db.query<{ verdict: unknown }>(
    `select to_jsonb(v) - 'event_id' - 'position' as verdict from read.verdicts v where v.round_key = $1`,
    [roundId],
  );
  const history = await db.query<{ kind: string; status: string; position: string; verdict: unknown }>(
    'select kind, status, position, verdict from read.verdict_history where round_key = $1 order by position',
    [roundId],
  );
  return {
    round,
    players: players.rows.map((p) => ({
      line: Number(p.line),
      guid8: String(p.guid8),
      name: String(p.name),
      team: Number(p.team),
      kills: Number(p.kills),
      deaths: Number(p.deaths),
      damageGiven: Number(p.damage_given),
      damageReceived: Number(p.damage_received),
      gibs: Number(p.gibs),
      revivesGiven: Number(p.revives_given),
      headshots: Number(p.headshots),
      accuracy: p.accuracy === null ? null : Number(p.accuracy),
      timePlayedSec: Number(p.time_played_sec),
      weapons: byLine.get(Number(p.line)) ?? [],
    })),
    verdict: parseVerdict(verdict.rows[0]?.verdict),
    history: history.rows.map((h) => ({
      kind: h.kind === 'retraction' ? 'retraction' : 'verdict',
      status: h.status,
      position: Number(h.position),
      verdict: h.kind === 'retraction' ? null : parseVerdict(h.verdict),
    })),
  };
}
