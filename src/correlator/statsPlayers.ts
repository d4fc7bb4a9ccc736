// What the correlator takes of a parsed stats round's players: one mapping, used by the projection
// and by the tests that build candidates from real files.
import type { ParsedStatsPlayer } from '../parser/statsTypes.ts';
import type { StatsPlayer } from './types.ts';

export const statsPlayersOf = (players: readonly ParsedStatsPlayer[]): StatsPlayer[] =>
  players.map((p) => ({
    guid8: p.guid8,
    name: p.name,
    team: p.team,
    damageGiven: p.damageGiven,
    timePlayedSec: p.timePlayedSec,
    // Both halves' damage and time (an R2 without its R1): rates over the cumulative time only.
    cumulative: p.cumulativeFields.includes('damageGiven'),
  }));
