// The correlator's inputs (spec/correlation.md). The shell builds them from the log: a stats
// round from a parsed StatsFileArrived, a Lua candidate from a LuaRoundEnded plus the round's
// PauseRecorded facts. They are values, not events: nothing here is stored.
import type { LuaReport, Verdict } from '../events/index.ts';

/** 1 Axis, 2 Allies, 0 unknown. */
export type Side = Verdict['winner'];

export type StatsPlayer = {
  guid8: string;
  name: string;
  team: number;
  damageGiven: number;
  timePlayedSec: number;
  /**
   * Damage and time span both halves: a raw R2 line (the round is `r2Cumulative`: no R1 to subtract,
   * or this player had no usable R1 line). The parser's `cumulativeFields` includes `damageGiven`.
   * Absent: false (candidates stored before the field existed).
   */
  cumulative?: boolean;
};

export type StatsCandidate = {
  /** Event id of the StatsFileArrived fact. */
  factId: string;
  serverId: string;
  fileName: string;
  map: string;
  round: 1 | 2;
  /** The file name's local time in UTC: one value, two in the autumn DST overlap (one per offset). */
  fileTimeCandidatesUnix: number[];
  statsPlaytimeSec: number | null;
  approximateStatsTime: boolean;
  overLimit: boolean;
  /** Winner 0 and a negative header field 9: the file the stats script writes on shutdown. */
  shutdownWritten: boolean;
  timeLimitSec: number | null;
  winner: Side;
  defender: Side;
  players: StatsPlayer[];
};

export type PauseRecord = { startUnix: number; endUnix: number; sec: number };

export type LuaCandidate = {
  /** Event id of the LuaRoundEnded fact (one per report id, whatever the delivery). */
  factId: string;
  report: LuaReport;
  /** PauseRecorded facts known for this report's round. */
  pauseRecords: PauseRecord[];
};

export type CorrelatorFact = StatsCandidate | LuaCandidate;

export type CorrelatorConfig = {
  windowBeforeSec: number;
  windowAfterSec: number;
  graceSec: number;
  correlatorVersion: number;
  /** The correlator build deciding (DESIGN invariant 8); every verdict it appends carries it. */
  generation: number;
};

export const defaultCorrelatorConfig: CorrelatorConfig = {
  windowBeforeSec: 5,
  windowAfterSec: 30,
  graceSec: 120,
  correlatorVersion: 1,
  generation: 0,
};

export const isLuaCandidate = (fact: CorrelatorFact): fact is LuaCandidate => 'report' in fact;
