// Our game-server script's reports, `et-ledger.round/1` and `et-ledger.pause/1`
// (shared/spec/lua-report.md, first half): JSON, numbers as numbers.
import { z } from 'zod';
import { ServerId, Side } from '../events/common.ts';
import type { LuaPlayer, LuaReport } from '../events/luaRoundEnded.ts';
import { fromZodError, type LuaNormalizeContext, type PauseData, type Step } from './luaReportResult.ts';
import { cleanName } from './names.ts';

const Unix = z.int();
const Seconds = z.number().nonnegative();
const Team = z.union([z.literal(1), z.literal(2)]);

const OwnPlayer = z.object({ guid: z.string(), name: z.string(), rawName: z.string().optional() });

/** Unknown keys are dropped, not refused: a newer script may add some. */
export const OwnRoundReport = z.object({
  schema: z.literal('et-ledger.round/1'),
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
});

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

export function normalizeOwnRound(value: unknown, context: LuaNormalizeContext): Step<LuaReport> {
  const parsed = OwnRoundReport.safeParse(value);
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
      scriptVersion: r.script,
      shape: 'et-ledger.round/1',
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
