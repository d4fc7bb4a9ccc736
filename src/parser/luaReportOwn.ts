// Our game-server script's reports, `et-ledger.round/1`, `et-ledger.round/2` (/1 plus each
// client's own time in play, `players`) and `et-ledger.pause/1` (shared/spec/lua-report.md,
// first half): JSON, numbers as numbers.
import { z } from 'zod';
import { ServerId, Side } from '../events/common.ts';
import {
  type LuaPlayer,
  type LuaPlayerTime,
  type LuaReport,
  MAX_PLAYER_MS,
  MAX_REPORT_PLAYERS,
} from '../events/luaRoundEnded.ts';
import { fromZodError, type LuaNormalizeContext, type PauseData, type Step } from './luaReportResult.ts';
import { cleanName } from './names.ts';

const Unix = z.int();
const Seconds = z.number().nonnegative();
const Team = z.union([z.literal(1), z.literal(2)]);

const OwnPlayer = z.object({ guid: z.string(), name: z.string(), rawName: z.string().optional() });

/** `/2`: a client on Axis or Allies while the round clock ran; `guid` null for a bot. */
const OwnPlayerTime = z.object({
  guid: z.string().nullable(),
  name: z.string(),
  rawName: z.string().optional(),
  team: z.union([z.literal(0), z.literal(1), z.literal(2), z.literal(3)]),
  axisMs: z.int().nonnegative().max(MAX_PLAYER_MS),
  alliesMs: z.int().nonnegative().max(MAX_PLAYER_MS),
});

const roundFields = {
  id: z.string(),
  server: ServerId.optional(),
  script: z.string(),
  map: z.string().min(1),
  round: Team,
  roundStartUnix: Unix,
  roundEndUnix: Unix,
  playtimeSec: Seconds,
  timelimitSec: Seconds,
  warmup: z.object({ startUnix: Unix, sec: Seconds }).nullable(),
  pauses: z.array(z.object({ startUnix: Unix, endUnix: Unix, sec: Seconds })),
  endReason: z.enum(['objective', 'time_expired', 'surrender', 'aborted']),
  surrender: z.object({ team: Team, callerGuid: z.string().nullable(), callerName: z.string().nullable() }).nullable(),
  winner: Side,
  defender: Side,
  teams: z.object({ axis: z.array(OwnPlayer), allies: z.array(OwnPlayer) }),
};

/** Unknown keys are dropped, not refused: a newer script may add some. */
export const OwnRoundReportV1 = z.object({ schema: z.literal('et-ledger.round/1'), ...roundFields });

/**
 * `/1` plus `players`, each client's own time. A total beyond the round's playtime is kept here:
 * the correlator caps it and says so (the report is authentic; one bad figure is not a bad round).
 */
export const OwnRoundReportV2 = z.object({
  schema: z.literal('et-ledger.round/2'),
  ...roundFields,
  players: z.array(OwnPlayerTime).max(MAX_REPORT_PLAYERS),
});

/** Either version of our round report. */
export const OwnRoundReport = z.discriminatedUnion('schema', [OwnRoundReportV1, OwnRoundReportV2]);

export const OwnPauseReport = z.object({
  schema: z.literal('et-ledger.pause/1'),
  id: z.string(),
  server: ServerId.optional(),
  map: z.string().min(1),
  round: Team,
  roundStartUnix: Unix,
  startUnix: Unix,
  endUnix: Unix,
  sec: Seconds,
});

function toPlayer(p: z.output<typeof OwnPlayer>, team: 1 | 2): LuaPlayer {
  return p.rawName === undefined
    ? { guid: p.guid, name: p.name, rawName: null, team }
    : { guid: p.guid, name: cleanName(p.rawName), rawName: p.rawName, team };
}

function toPlayerTime(p: z.output<typeof OwnPlayerTime>): LuaPlayerTime {
  const names =
    p.rawName === undefined ? { name: p.name, rawName: null } : { name: cleanName(p.rawName), rawName: p.rawName };
  return { guid: p.guid, ...names, team: p.team, axisMs: p.axisMs, alliesMs: p.alliesMs };
}

export function normalizeOwnRound(
  value: unknown,
  context: LuaNormalizeContext,
  shape: 'et-ledger.round/1' | 'et-ledger.round/2',
): Step<LuaReport> {
  const parsed = (shape === 'et-ledger.round/2' ? OwnRoundReportV2 : OwnRoundReportV1).safeParse(value);
  if (!parsed.success) return fromZodError(parsed.error, value);
  const r = parsed.data;
  return {
    ok: true,
    value: {
      serverId: r.server ?? context.serverId,
      map: r.map,
      round: r.round,
      roundStartUnix: r.roundStartUnix,
      roundEndUnix: r.roundEndUnix,
      playtimeSec: r.playtimeSec,
      timelimitSec: r.timelimitSec,
      warmupSec: r.warmup?.sec ?? null,
      warmupStartUnix: r.warmup?.startUnix ?? null,
      pauseCount: r.pauses.length,
      pausedSec: r.pauses.reduce((sum, p) => sum + p.sec, 0),
      pauses: r.pauses.map((p) => ({ startUnix: p.startUnix, endUnix: p.endUnix, sec: p.sec })),
      endReason: r.endReason,
      surrender: r.surrender,
      winner: r.winner,
      defender: r.defender,
      players: [...r.teams.axis.map((p) => toPlayer(p, 1)), ...r.teams.allies.map((p) => toPlayer(p, 2))],
      playerTimes: r.schema === 'et-ledger.round/2' ? r.players.map(toPlayerTime) : null,
      scriptVersion: r.script,
      shape: r.schema,
      source: context.source,
      receivedAt: context.receivedAt,
    },
  };
}

export function normalizeOwnPause(value: unknown, context: LuaNormalizeContext): Step<PauseData> {
  const parsed = OwnPauseReport.safeParse(value);
  if (!parsed.success) return fromZodError(parsed.error, value);
  const p = parsed.data;
  return {
    ok: true,
    value: {
      serverId: p.server ?? context.serverId,
      map: p.map,
      round: p.round,
      roundStartUnix: p.roundStartUnix,
      roundEndUnix: null,
      startUnix: p.startUnix,
      endUnix: p.endUnix,
      sec: p.sec,
      source: context.source,
      receivedAt: context.receivedAt,
    },
  };
}
