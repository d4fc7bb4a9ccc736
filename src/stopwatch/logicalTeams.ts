// The two teams of an evening are lineups, not sides (pure): the players who attacked together in
// R1 defend together in R2. Each map's lineups A and B are followed across the session's maps by
// overlap, so a substitute does not make a new team; each team is named after its most present player.
import type { LineupPlayer } from './decideMap.ts';

/** What scoring needs of a decided map (a StopwatchMap, or a stored row of one). */
export type ScoredMap = { lineupA: LineupPlayer[]; lineupB: LineupPlayer[]; pointsA: number; pointsB: number };

export type LogicalTeam = { name: string; players: LineupPlayer[] };

export type SessionScore = {
  teams: [LogicalTeam, LogicalTeam];
  /** Per map (same order): which logical team (0 or 1) lineup A is. */
  lineupA: (0 | 1)[];
  points: [number, number];
};

/**
 * Maps in time order. Lineup A of a map is team 0 or 1, whichever assignment keeps more players
 * with the team they played for so far (ties keep A with team 0). A team that reshuffles entirely
 * mid-evening cannot be followed: its players then count for whichever team they overlap most.
 */
export function scoreSession(maps: readonly ScoredMap[]): SessionScore {
  const rosters: [Map<string, { name: string; maps: number }>, Map<string, { name: string; maps: number }>] = [
    new Map(),
    new Map(),
  ];
  const overlap = (lineup: LineupPlayer[], team: 0 | 1) => lineup.filter((p) => rosters[team].has(p.id)).length;
  const lineupA: (0 | 1)[] = [];
  const points: [number, number] = [0, 0];
  for (const map of maps) {
    const straight = overlap(map.lineupA, 0) + overlap(map.lineupB, 1);
    const crossed = overlap(map.lineupA, 1) + overlap(map.lineupB, 0);
    const a: 0 | 1 = crossed > straight ? 1 : 0;
    const b: 0 | 1 = a === 0 ? 1 : 0;
    lineupA.push(a);
    join(rosters[a], map.lineupA);
    join(rosters[b], map.lineupB);
    points[a] += map.pointsA;
    points[b] += map.pointsB;
  }
  const first = teamOf(rosters[0], 1);
  const second = teamOf(rosters[1], 2);
  if (second.name === first.name) second.name = `${second.name} (2)`;
  return { teams: [first, second], lineupA, points };
}

function join(roster: Map<string, { name: string; maps: number }>, lineup: LineupPlayer[]): void {
  for (const p of lineup) {
    const seen = roster.get(p.id);
    roster.set(p.id, { name: p.name, maps: (seen?.maps ?? 0) + 1 });
  }
}

/** "Team <most present player>" (ties: the name first alphabetically, case aside); "Team N" when empty. */
function teamOf(roster: Map<string, { name: string; maps: number }>, n: number): LogicalTeam {
  const players = [...roster].map(([id, p]) => ({ id, name: p.name, maps: p.maps }));
  players.sort((x, y) => y.maps - x.maps || byName(x.name, y.name) || (x.id < y.id ? -1 : x.id > y.id ? 1 : 0));
  const lead = players.find((p) => p.name.trim() !== '');
  return {
    name: lead ? `Team ${lead.name}` : `Team ${n}`,
    players: players.map(({ id, name }) => ({ id, name })),
  };
}

function byName(a: string, b: string): number {
  const x = a.toLowerCase();
  const y = b.toLowerCase();
  return x < y ? -1 : x > y ? 1 : a < b ? -1 : a > b ? 1 : 0;
}
