// Stopwatch maps and the evening's score: the rule, and each bad input of issue 20 with its expected
// result, winner and points.
import { describe, expect, it } from 'vitest';
import { decideMap, type LineupPlayer, type MapHalf } from '../../../src/stopwatch/decideMap.ts';
import { scoreSession } from '../../../src/stopwatch/logicalTeams.ts';
import { mapExportRows, type StoredMapRow } from '../../../src/stopwatch/mapRows.ts';

const players = (...names: string[]): LineupPlayer[] => names.map((n) => ({ id: n.toUpperCase(), name: n }));
const RED = players('Vektor', 'n0va', 'Ziggy');
const BLUE = players('bramble', 'Oskar', 'quill');

/** R1: RED attacks (Allies), BLUE defends (Axis). R2: sides swap, BLUE attacks. */
function half(round: 1 | 2, o: Partial<MapHalf> = {}): MapHalf {
  return {
    defender: 1,
    winner: 2,
    timeLimitSec: round === 1 ? 720 : 543,
    fightingTimeSec: round === 1 ? 543 : 265,
    surrender: false,
    aborted: false,
    playerCount: 6,
    ...o,
  };
}
const held = { winner: 1 }; // the defenders (Axis) won the half

describe('a stopwatch map', () => {
  it('R1 completed in 9:03, R2 beats it: beaten, +2 to the R2 attackers (lineup B)', () => {
    const m = decideMap(half(1), half(2));
    expect(m).toMatchObject({ timeSetSec: 543, r2TimeSec: 265, result: 'beaten', winner: 'B', pointsA: 0, pointsB: 2 });
    expect(m.lineupsFrom).toBe('r1');
    expect(m.flags).toEqual([]);
  });

  it('R1 completed, R2 held: held, +2 to the R1 attackers', () => {
    expect(decideMap(half(1), half(2, held))).toMatchObject({ result: 'held', winner: 'A', pointsA: 2, pointsB: 0 });
  });

  it('both halves held to the limit: a draw, +1 each, the time set is the R1 limit', () => {
    const m = decideMap(half(1, { ...held, fightingTimeSec: 720 }), half(2, { ...held, timeLimitSec: 720 }));
    expect(m).toMatchObject({ timeSetSec: 720, result: 'draw', winner: null, pointsA: 1, pointsB: 1 });
  });

  it('R1 held, R2 beaten: beaten', () => {
    expect(decideMap(half(1, held), half(2))).toMatchObject({ timeSetSec: 720, result: 'beaten', winner: 'B' });
  });

  it('a map with only an R2 that was beaten: beaten (certain), lineups from R2, time set from its f7', () => {
    const m = decideMap(null, half(2));
    expect(m).toMatchObject({ timeSetSec: 543, result: 'beaten', winner: 'B', pointsB: 2, flags: ['r1Missing'] });
    expect(m.lineupsFrom).toBe('r2'); // R2's defenders attacked first
  });

  it('a map with only an R2 that was held: unknown (a draw or a win cannot be told without R1)', () => {
    expect(decideMap(null, half(2, held))).toMatchObject({ result: 'unknown', winner: null, pointsA: 0, pointsB: 0 });
  });

  it('an aborted R2: unknown, flagged, no points', () => {
    const m = decideMap(half(1), half(2, { winner: 0, aborted: true, fightingTimeSec: null }));
    expect(m).toMatchObject({ result: 'unknown', pointsA: 0, pointsB: 0, timeSetSec: 543 });
    expect(m.flags).toContain('r2Aborted');
  });

  it('both rounds aborted: unknown, both flagged, no time set', () => {
    const m = decideMap(half(1, { winner: 0, aborted: true }), half(2, { winner: 0, aborted: true }));
    expect(m).toMatchObject({ result: 'unknown', timeSetSec: null });
    expect(m.flags).toEqual(expect.arrayContaining(['r1Aborted', 'r2Aborted', 'timeUnknown']));
  });

  it('a surrender in R1 by the attackers is a hold: the time set is the full limit', () => {
    const m = decideMap(half(1, { ...held, surrender: true, fightingTimeSec: 200 }), half(2));
    expect(m).toMatchObject({ timeSetSec: 720, result: 'beaten', winner: 'B' });
    expect(m.flags).toContain('r1Surrender');
  });

  it('a surrender in R1 by the defenders sets the time at the surrender', () => {
    const m = decideMap(half(1, { surrender: true, fightingTimeSec: 200 }), half(2, held));
    expect(m).toMatchObject({ timeSetSec: 200, result: 'held', winner: 'A' });
  });

  it('an R1 with no players (header only): unknown, flagged, never posted as a result', () => {
    const m = decideMap(half(1, { playerCount: 0, fightingTimeSec: 31 }), null);
    expect(m).toMatchObject({ result: 'unknown', winner: null });
    expect(m.flags).toEqual(['r2Missing', 'r1NoPlayers']);
    expect(m.lineupsFrom).toBeNull();
  });
});

describe('logical teams over an evening', () => {
  const map = (a: LineupPlayer[], b: LineupPlayer[], winner: 'A' | 'B' | null) => ({
    lineupA: a,
    lineupB: b,
    pointsA: winner === 'A' ? 2 : winner === null ? 1 : 0,
    pointsB: winner === 'B' ? 2 : winner === null ? 1 : 0,
  });

  it('follows the lineups by overlap whichever side attacks first, and sums the points', () => {
    const score = scoreSession([map(RED, BLUE, 'A'), map(BLUE, RED, 'A'), map(RED, BLUE, null)]);
    expect(score.teams.map((t) => t.name)).toEqual(['Team n0va', 'Team bramble']);
    expect(score.lineupA).toEqual([0, 1, 0]);
    expect(score.points).toEqual([2 + 0 + 1, 0 + 2 + 1]);
  });

  it('a substitute in map 3 does not make a new team', () => {
    const sub = players('Vektor', 'n0va', 'Sub');
    const score = scoreSession([map(RED, BLUE, 'A'), map(BLUE, RED, 'B'), map(BLUE, sub, 'B')]);
    expect(score.lineupA).toEqual([0, 1, 1]);
    expect(score.points).toEqual([2 + 2 + 2, 0]);
    expect(score.teams[0].players.map((p) => p.name)).toContain('Sub');
  });

  it('a player who switched sides inside a round counts where the last snapshot put him', () => {
    // Ziggy ends R1 among the defenders: the lineups still follow the majority.
    const moved = players('Vektor', 'n0va');
    const score = scoreSession([map(moved, [...BLUE, ...players('Ziggy')], 'B'), map(BLUE, RED, 'A')]);
    expect(score.lineupA).toEqual([0, 1]);
    expect(score.points).toEqual([0, 4]);
  });
});

describe('export maps rows', () => {
  const row = (
    id: string,
    t: number,
    a: LineupPlayer[],
    b: LineupPlayer[],
    winner: 'A' | 'B' | null,
  ): StoredMapRow => ({
    mapId: id,
    serverId: 'eu1',
    map: id,
    fileTimeUnix: t,
    r1RoundId: `${id}-1`,
    r1FileName: `${id}-1.txt`,
    r2RoundId: `${id}-2`,
    r2FileName: `${id}-2.txt`,
    timeSetSec: 300,
    r2TimeSec: 250,
    result: winner === 'B' ? 'beaten' : winner === 'A' ? 'held' : 'draw',
    winnerLineup: winner,
    pointsA: winner === 'A' ? 2 : winner === null ? 1 : 0,
    pointsB: winner === 'B' ? 2 : winner === null ? 1 : 0,
    lineupA: a,
    lineupB: b,
    flags: [],
  });

  it('splits two sessions on one server the same night by the gap and scores each on its own', () => {
    const others = players('Alpha', 'Beta', 'Gamma');
    const rows = mapExportRows(
      [
        row('m1', 0, RED, BLUE, 'A'),
        row('m2', 1200, BLUE, RED, 'B'),
        // 3 h later, other people: a second evening
        row('m3', 12000, others, BLUE, 'B'),
      ],
      60,
    );
    expect(rows.map((r) => [r.map, r.sessionStartUtc, r.winnerTeam, r.teamAPoints, r.teamBPoints])).toEqual([
      ['m1', '1970-01-01T00:00:00.000Z', 'Team n0va', 2, 0],
      ['m2', '1970-01-01T00:00:00.000Z', 'Team n0va', 2, 0],
      ['m3', '1970-01-01T03:20:00.000Z', 'Team bramble', 0, 2],
    ]);
    expect(rows[2]).toMatchObject({ teamA: 'Team Alpha', teamB: 'Team bramble' });
  });
});
