// Three shapes of history the ingest bench measures (12 players a map, R1 + R2 pairs, ending ≥ 6 h
// before now): a weekly community, a 24/7 public server, a league of 20 servers.
import { generateStatsPair, mulberry32 } from '../tests/support/statsFileGenerator.ts';
import { type EveningServer, eveningSchedule, type MapPlay, type Player, pick, playerPool } from './histories.ts';

export const SHAPES = ['weekly', 'public', 'league'] as const;
export type Shape = (typeof SHAPES)[number];
export type History = { servers: EveningServer[]; pool: Player[]; plays: MapPlay[] };

/** Stopwatch maps (the generator's six first); an evening plays 10 distinct ones. */
const MAPS = [
  'supply',
  'etl_adlernest',
  'te_escape2',
  'etl_sp-delivery',
  'goldrush-ga',
  'radar_te-2',
  'etl_frostbite',
  'braundorf_b4',
  'sw_oasis_b3',
  'missile_b3',
  'erdenberg_t2',
  'bremen_b3',
  'decay_sw',
  'reactor_final',
];
const ROTATION = ['supply', 'etl_adlernest', 'radar_te-2', 'te_escape2'];

export function buildHistory(shape: Shape, rounds: number, nowMs: number): History {
  if (shape === 'weekly') return weekly(rounds, nowMs);
  if (shape === 'public') return publicServer(rounds, nowMs);
  return league(rounds, nowMs);
}

/** One server, an evening a week of 10 maps (20 rounds) from ≈ 19:00–20:00 local; a community of 40. */
function weekly(rounds: number, nowMs: number): History {
  const servers = [{ id: 'cup', tz: 'Europe/Berlin', name: '^1Weekly ^7Stopwatch Cup', startUtcHour: 18 }];
  const plays = eveningSchedule({
    rounds,
    nowMs,
    servers,
    community: () => Array.from({ length: 40 }, (_, i) => i),
    everyDays: 7,
    maps: [10, 10],
    mapNames: MAPS,
  });
  return { servers, pool: playerPool(40), plays };
}

/**
 * 20 servers, each an evening a day of 10 maps, starting 17:00–19:00 UTC (one in New York at
 * 00:00 UTC, 19:00–20:00 there), so their files interleave; each a community of 100 of 1 200.
 */
function league(rounds: number, nowMs: number): History {
  const servers: EveningServer[] = Array.from({ length: 20 }, (_, i) => {
    const id = `lg${String(i + 1).padStart(2, '0')}`;
    return i === 19
      ? { id, tz: 'America/New_York', name: `^4League ^7NA ${i + 1}`, startUtcHour: 24 }
      : { id, tz: 'Europe/Berlin', name: `^4League ^7EU ${i + 1}`, startUtcHour: 17 + (i % 5) * 0.5 };
  });
  const plays = eveningSchedule({
    rounds,
    nowMs,
    servers,
    community: (s) => Array.from({ length: 100 }, (_, i) => (s * 59 + i) % 1200),
    everyDays: 1,
    maps: [10, 10],
    mapNames: MAPS,
  });
  return { servers, pool: playerPool(1200), plays };
}

/**
 * One server around the clock: a map begins every 20–40 min (later if the last one ran long), from
 * a rotation of 4; a vote replays the map just played one time in 4, so the same map often comes
 * again within the hour (else after 80–160 min). 12 players on at any time; after each map 0–4
 * leave and others join (7 in 10 from 150 regulars, the rest from 1 500 players).
 */
function publicServer(rounds: number, nowMs: number): History {
  const servers = [{ id: 'pub', tz: 'Europe/Berlin', name: '^3Public ^724/7 Stopwatch', startUtcHour: 0 }];
  const rnd = mulberry32(11);
  const int = (lo: number, hi: number) => lo + Math.floor(rnd() * (hi - lo + 1));
  const pool = playerPool(1500);
  const everyone = pool.map((_, i) => i);
  let on = pick(rnd, everyone.slice(0, 150), 12);
  const plays: MapPlay[] = [];
  let t = 0;
  let at = 0;
  for (let pairs = 0; pairs < rounds / 2; pairs++) {
    const seed = pairs + 1;
    const { r1, r2 } = generateStatsPair({ seed, players: 12 });
    // Files are written at each round's end; warm-up before R1, intermission before R2.
    const r1Unix = t + int(30, 120) + Math.ceil((r1.header.playtimeMs ?? 0) / 1000);
    const r2Unix = r1Unix + int(60, 300) + Math.ceil((r2.header.playtimeMs ?? 0) / 1000);
    plays.push({ server: 0, r1Unix, r2Unix, seed, players: on, map: ROTATION[at]! });
    t = Math.max(t + int(20 * 60, 40 * 60), r2Unix + int(30, 90));
    if (rnd() >= 0.25) at = (at + 1) % ROTATION.length;
    const leaving = int(0, 4);
    const staying = pick(rnd, on, 12 - leaving);
    while (staying.length < 12) {
      const from = rnd() < 0.7 ? 150 : everyone.length;
      const p = Math.floor(rnd() * from);
      if (!staying.includes(p)) staying.push(p);
    }
    on = staying;
  }
  // The last map ended 6 h before now.
  const shift = Math.floor(nowMs / 1000) - 6 * 3600 - (plays[plays.length - 1]?.r2Unix ?? 0);
  for (const p of plays) {
    p.r1Unix += shift;
    p.r2Unix += shift;
  }
  return { servers, pool, plays };
}
