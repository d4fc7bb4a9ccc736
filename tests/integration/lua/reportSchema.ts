// The shapes of spec/lua-report.md (`et-ledger.round/1`, `et-ledger.round/2`, `et-ledger.pause/1`), strict: a key
// the spec does not name fails. The arithmetic the spec defines (id, playtime, pause seconds, each player's time
// within playtimeSec × 1000 + 1000) and the key order of `/2`'s players are checked too.
import { expect } from 'vitest';
import { z } from 'zod';
import { OwnPauseReport, OwnRoundReport } from '../../../src/parser/luaReportOwn.ts';
import type { SpoolFile } from './luaHarness.ts';

const Unix = z.int().min(1_000_000_000).max(4_000_000_000);
const Team = z.union([z.literal(1), z.literal(2)]);
const Side = z.union([z.literal(0), z.literal(1), z.literal(2)]);
const ServerId = z.string().regex(/^[A-Za-z0-9._-]{1,64}$/);
const Player = z.strictObject({ guid: z.string(), name: z.string(), rawName: z.string() });
const Pause = z.strictObject({ startUnix: Unix, endUnix: Unix, sec: z.int().nonnegative() });

const PlayerTime = z.strictObject({
  guid: z.string().nullable(),
  name: z.string(),
  rawName: z.string(),
  team: z.union([z.literal(0), z.literal(1), z.literal(2), z.literal(3)]),
  axisMs: z.int().nonnegative(),
  alliesMs: z.int().nonnegative(),
});
const PLAYER_KEYS = ['guid', 'name', 'rawName', 'team', 'axisMs', 'alliesMs'];
const ROUND_KEYS = [
  'schema',
  'id',
  'server',
  'script',
  'map',
  'round',
  'roundStartUnix',
  'roundEndUnix',
  'playtimeSec',
  'timelimitSec',
  'warmup',
  'pauses',
  'endReason',
  'surrender',
  'winner',
  'defender',
  'teams',
];

const roundFields = {
  id: z.string(),
  server: ServerId,
  script: z.string().regex(/^\d+\.\d+\.\d+$/),
  map: z.string().min(1),
  round: Team,
  roundStartUnix: Unix,
  roundEndUnix: Unix,
  playtimeSec: z.int().nonnegative(),
  timelimitSec: z.number().nonnegative(),
  warmup: z.strictObject({ startUnix: Unix, sec: z.int().nonnegative() }).nullable(),
  pauses: z.array(Pause),
  endReason: z.enum(['objective', 'time_expired', 'surrender', 'aborted']),
  surrender: z
    .strictObject({ team: Team, callerGuid: z.string().nullable(), callerName: z.string().nullable() })
    .nullable(),
  winner: Side,
  defender: Side,
  teams: z.strictObject({ axis: z.array(Player), allies: z.array(Player) }),
};

type RoundFields = z.output<z.ZodObject<typeof roundFields>>;

function checkRound(r: RoundFields, ctx: z.RefinementCtx): void {
  const paused = r.pauses.reduce((s, p) => s + p.sec, 0);
  if (r.id !== `${r.server}:${r.map}:${r.round}:${r.roundEndUnix}`) ctx.addIssue({ code: 'custom', message: 'id' });
  if (r.playtimeSec !== r.roundEndUnix - r.roundStartUnix - paused)
    ctx.addIssue({ code: 'custom', message: 'playtimeSec = end - start - pauses' });
  for (const p of r.pauses)
    if (p.sec !== p.endUnix - p.startUnix) ctx.addIssue({ code: 'custom', message: 'pause sec = end - start' });
  if (r.warmup && r.warmup.startUnix + r.warmup.sec !== r.roundStartUnix)
    ctx.addIssue({ code: 'custom', message: 'warmup ends at round start' });
  if ((r.endReason === 'surrender') !== (r.surrender !== null))
    ctx.addIssue({ code: 'custom', message: 'surrender only with endReason surrender' });
}

export const RoundReportV1 = z
  .strictObject({ schema: z.literal('et-ledger.round/1'), ...roundFields })
  .superRefine(checkRound);

export const RoundReportV2 = z
  .strictObject({ schema: z.literal('et-ledger.round/2'), ...roundFields, players: z.array(PlayerTime) })
  .superRefine((r, ctx) => {
    checkRound(r, ctx);
    for (const p of r.players) {
      if (p.axisMs + p.alliesMs > r.playtimeSec * 1000 + 1000)
        ctx.addIssue({ code: 'custom', message: `${p.name}: axisMs + alliesMs > playtimeSec × 1000 + 1000` });
    }
  });

export const RoundReport = z.union([RoundReportV1, RoundReportV2]);
export type RoundReport = z.output<typeof RoundReport>;
export type RoundReportV2 = z.output<typeof RoundReportV2>;
export type PlayerTime = z.output<typeof PlayerTime>;

export const PauseReport = z
  .strictObject({
    schema: z.literal('et-ledger.pause/1'),
    id: z.string(),
    server: ServerId,
    map: z.string().min(1),
    round: Team,
    roundStartUnix: Unix,
    startUnix: Unix,
    endUnix: Unix,
    sec: z.int().nonnegative(),
  })
  .superRefine((p, ctx) => {
    if (p.id !== `${p.server}:${p.map}:${p.round}:pause:${p.startUnix}`)
      ctx.addIssue({ code: 'custom', message: 'id' });
    if (p.sec !== p.endUnix - p.startUnix) ctx.addIssue({ code: 'custom', message: 'sec' });
  });
export type PauseReport = z.output<typeof PauseReport>;

const utf8 = new TextDecoder('utf-8', { fatal: true });

/** Bytes: valid UTF-8, at most 64 KiB. Shape: the strict schema above and the ledger's own parser. */
function checkBytes(f: SpoolFile): void {
  expect(f.bytes.length).toBeLessThanOrEqual(65536);
  expect(() => utf8.decode(f.bytes)).not.toThrow();
}

/** Keys in the spec's order, byte for byte (the script writes them so; a reader may rely on it). */
function checkKeyOrder(json: unknown): void {
  const r = json as Record<string, unknown> & { players?: Record<string, unknown>[] };
  if (r.schema !== 'et-ledger.round/2') return;
  expect(Object.keys(r)).toEqual([...ROUND_KEYS, 'players']);
  for (const p of r.players ?? []) expect(Object.keys(p)).toEqual(PLAYER_KEYS);
}

export function roundReports(files: SpoolFile[]): RoundReport[] {
  return files
    .filter((f) => /-round-\d\.lua\.json$|-round-\d-\d+\.lua\.json$/.test(f.name))
    .map((f) => {
      checkBytes(f);
      checkKeyOrder(f.json);
      const own = OwnRoundReport.safeParse(f.json);
      expect(own.success, `the ledger's parser refuses ${f.name}: ${own.error?.message}`).toBe(true);
      return RoundReport.parse(f.json);
    });
}

/** Round reports that must be `/2` (what the script writes now). */
export function roundReportsV2(files: SpoolFile[]): RoundReportV2[] {
  return roundReports(files).map((r) => RoundReportV2.parse(r));
}

export function pauseReports(files: SpoolFile[]): PauseReport[] {
  return files
    .filter((f) => /-pause-\d+\.lua\.json$/.test(f.name))
    .map((f) => {
      checkBytes(f);
      expect(OwnPauseReport.safeParse(f.json).success).toBe(true);
      return PauseReport.parse(f.json);
    });
}
