// The verdict's fields (spec/correlation.md "The verdict") for the three kinds of decision: a
// joined pair, a stats round without a report (NO_LUA_DATA), a report without a stats round
// (LUA_ONLY). `supersedes` stays empty here: planAppends fills it.
import { luaReportId, type Verdict, VerdictFlag, type VerdictStatus } from '../events/index.ts';
import { normalizeMapName } from '../parser/names.ts';
import { joinPlayers, type PlayerJoin } from './joinPlayers.ts';
import type { RoundMatch } from './matchRounds.ts';
import type { CorrelatorConfig, LuaCandidate, Side, StatsCandidate } from './types.ts';

const ALIGNED_MAX_SEC = 30;
const MINOR_DIFF_MAX_SEC = 60;
const GHOST_MAX_SEC = 30;
const ABORT_SHARE_OF_LIMIT = 0.5;

type Decision = {
  watermarkUnix: number;
  ambiguous: boolean;
  config: Pick<CorrelatorConfig, 'correlatorVersion' | 'generation'>;
};

const isTeam = (side: Side): boolean => side === 1 || side === 2;

const sortFlags = (flags: ReadonlySet<VerdictFlag>): VerdictFlag[] => VerdictFlag.options.filter((f) => flags.has(f));

/** From the winner and defender fields, never from the end reason; null when unknown or aborted. */
function outcomeOf(winner: Side, defender: Side, suspectedAbort: boolean): Verdict['outcome'] {
  if (suspectedAbort || winner === 0 || defender === 0) return null;
  return winner === defender ? 'FULL_HOLD' : 'COMPLETED';
}

function diffStatus(statsSec: number | null, luaSec: number | null): { diffSec: number | null; status: VerdictStatus } {
  if (statsSec === null) return { diffSec: null, status: 'NO_STATS_TIME' };
  if (luaSec === null) return { diffSec: null, status: 'NO_LUA_DATA' };
  const diffSec = Math.abs(statsSec - luaSec);
  const status = diffSec <= ALIGNED_MAX_SEC ? 'ALIGNED' : diffSec <= MINOR_DIFF_MAX_SEC ? 'MINOR_DIFF' : 'DISCREPANCY';
  return { diffSec, status };
}

/** What a Lua report contributes to any verdict it is part of. */
function luaPart(lua: LuaCandidate, flags: Set<VerdictFlag>) {
  const r = lua.report;
  const surrenderTeam = r.surrender?.team ?? null;
  // Only a real team (1 or 2) surrenders: team 0 is how the legacy script reports a shutdown or a
  // map_restart (an abort), and a team equal to the winner is a failed vote followed by a win.
  const realTeam = surrenderTeam !== null && isTeam(surrenderTeam);
  const teamIsWinner = realTeam && surrenderTeam === r.winner;
  if (r.endReason === 'surrender' && teamIsWinner) flags.add('inconsistentSurrender');
  if (r.pauseCount === null) flags.add('pausesUnknown');
  else {
    const records = new Set([...r.pauses.map((p) => p.startUnix), ...lua.pauseRecords.map((p) => p.startUnix)]);
    const openAtEnd = r.pauses.some((p) => p.endUnix === null || p.sec === null);
    if (r.pauseCount !== records.size || openAtEnd) flags.add('pausesIncomplete');
  }
  if (r.endReason === 'aborted') flags.add('suspectedAbort');
  const wall = r.roundStartUnix === null ? null : r.roundEndUnix - r.roundStartUnix;
  return {
    luaFactId: lua.factId,
    luaReportId: luaReportId(r.serverId, r.map, r.round, r.roundEndUnix),
    luaRoundEndUnix: r.roundEndUnix,
    luaPlaytimeSec: r.playtimeSec,
    pausedSec: r.pausedSec,
    pauseCount: r.pauseCount,
    warmupSec: r.warmupSec,
    wallClockSec: wall !== null && wall >= 0 ? wall : null,
    surrender: r.endReason === 'surrender' && realTeam && !teamIsWinner,
    surrenderTeam,
  };
}

/** `overLimit` is the parser's round flag (statsHeader.ts: more than 1 s over the header limit). */
function statsFlags(s: StatsCandidate, flags: Set<VerdictFlag>): void {
  if (s.approximateStatsTime) flags.add('approximateStatsTime');
  if (s.overLimit) flags.add('overLimit');
}

/**
 * The file the stats script writes on shutdown: winner 0 and a negative field 9 (`shutdownWritten`
 * alone is the negative field 9). The spec names it an abort on a joined round only; a stats-only
 * verdict keeps no such flag (its outcome is null anyway with winner 0).
 */
const shutdownFile = (s: StatsCandidate): boolean => s.shutdownWritten && s.winner === 0;

/** The per-player join's verdict flags (joinPlayers.ts says when each holds). */
function playerFlags(joined: PlayerJoin, flags: Set<VerdictFlag>): void {
  if (joined.unlinked) flags.add('unlinkedPlayers');
  if (joined.approximateTime) flags.add('approximatePlayerTime');
  if (joined.overRound) flags.add('playerTimeOverRound');
  if (joined.cumulative) flags.add('cumulativeFigures');
}

export function joinedVerdict(match: RoundMatch, d: Decision): Verdict {
  const { stats: s, lua, fileTimeUnix, deltaSec } = match;
  const r = lua.report;
  const flags = new Set<VerdictFlag>();
  statsFlags(s, flags);
  const luaFields = luaPart(lua, flags);
  if (shutdownFile(s)) flags.add('suspectedAbort');
  if (d.ambiguous) flags.add('ambiguous');
  const fightingTimeSec = r.playtimeSec ?? s.statsPlaytimeSec;
  const joined = joinPlayers(s.players, r, { fightingTimeSec, statsPlaytimeSec: s.statsPlaytimeSec });
  playerFlags(joined, flags);
  return {
    roundKey: s.factId,
    serverId: s.serverId,
    map: normalizeMapName(s.map),
    round: s.round,
    statsFactId: s.factId,
    statsFileName: s.fileName,
    fileTimeUnix,
    ...luaFields,
    deltaSec,
    statsPlaytimeSec: s.statsPlaytimeSec,
    timelimitSec: r.timelimitSec ?? s.timeLimitSec,
    fightingTimeSec,
    ...diffStatus(s.statsPlaytimeSec, r.playtimeSec),
    outcome: outcomeOf(r.winner, r.defender, flags.has('suspectedAbort')),
    winner: r.winner,
    defender: r.defender,
    flags: sortFlags(flags),
    players: joined.players,
    correlatorVersion: d.config.correlatorVersion,
    generation: d.config.generation,
    supersedes: [],
    watermarkUnix: d.watermarkUnix,
  };
}

export function statsOnlyVerdict(s: StatsCandidate, d: Decision): Verdict {
  const flags = new Set<VerdictFlag>();
  statsFlags(s, flags);
  if (d.ambiguous) flags.add('ambiguous');
  const fightingTimeSec = s.statsPlaytimeSec;
  const joined = joinPlayers(s.players, null, { fightingTimeSec, statsPlaytimeSec: s.statsPlaytimeSec });
  playerFlags(joined, flags);
  const times = s.fileTimeCandidatesUnix;
  return {
    roundKey: s.factId,
    serverId: s.serverId,
    map: normalizeMapName(s.map),
    round: s.round,
    statsFactId: s.factId,
    statsFileName: s.fileName,
    // The earlier offset when the local time was ambiguous: there is no report to decide.
    fileTimeUnix: times.length === 0 ? null : times.reduce((m, t) => Math.min(m, t)),
    luaFactId: null,
    luaReportId: null,
    luaRoundEndUnix: null,
    deltaSec: null,
    statsPlaytimeSec: s.statsPlaytimeSec,
    luaPlaytimeSec: null,
    pausedSec: null,
    pauseCount: null,
    warmupSec: null,
    wallClockSec: null,
    timelimitSec: s.timeLimitSec,
    fightingTimeSec,
    diffSec: null,
    status: 'NO_LUA_DATA',
    surrender: false,
    surrenderTeam: null,
    outcome: outcomeOf(s.winner, s.defender, false),
    winner: s.winner,
    defender: s.defender,
    flags: sortFlags(flags),
    players: joined.players,
    correlatorVersion: d.config.correlatorVersion,
    generation: d.config.generation,
    supersedes: [],
    watermarkUnix: d.watermarkUnix,
  };
}

/** The two ways the legacy script reports an abort (spec: suspectedAbort, Lua-only). */
function legacyAbortPattern(lua: LuaCandidate): boolean {
  const r = lua.report;
  if (r.playtimeSec === null || r.timelimitSec === null || r.timelimitSec <= 0) return false;
  if (r.playtimeSec >= ABORT_SHARE_OF_LIMIT * r.timelimitSec) return false;
  const objectiveHeld = r.winner === r.defender && r.endReason === 'objective';
  const emptySurrender = r.winner === 0 && r.endReason === 'surrender' && (r.surrender?.team ?? 0) === 0;
  return objectiveHeld || emptySurrender;
}

export function luaOnlyVerdict(lua: LuaCandidate, d: Decision): Verdict {
  const r = lua.report;
  const flags = new Set<VerdictFlag>();
  const luaFields = luaPart(lua, flags);
  if (legacyAbortPattern(lua)) flags.add('suspectedAbort');
  if (r.playtimeSec !== null && r.playtimeSec < GHOST_MAX_SEC) flags.add('ghost');
  if (d.ambiguous) flags.add('ambiguous');
  return {
    roundKey: `lua:${luaFields.luaReportId}`,
    serverId: r.serverId,
    map: normalizeMapName(r.map),
    round: r.round,
    statsFactId: null,
    statsFileName: null,
    fileTimeUnix: null,
    ...luaFields,
    deltaSec: null,
    statsPlaytimeSec: null,
    timelimitSec: r.timelimitSec,
    fightingTimeSec: r.playtimeSec,
    diffSec: null,
    status: 'LUA_ONLY',
    outcome: outcomeOf(r.winner, r.defender, flags.has('suspectedAbort')),
    winner: r.winner,
    defender: r.defender,
    flags: sortFlags(flags),
    players: [],
    correlatorVersion: d.config.correlatorVersion,
    generation: d.config.generation,
    supersedes: [],
    watermarkUnix: d.watermarkUnix,
  };
}
