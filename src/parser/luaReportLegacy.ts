// The legacy round-end webhook body (script 1.7.x, shared/spec/lua-report.md, second half):
//   {content: "STATS_READY", embeds: [{title, fields: [{name, value}] ×21, footer: {text: "… v1.7.2"}}]}
// Every value is a string: "543 sec", "9.059 min", "2 (78 sec)", unix seconds, "0|1|2", and three
// JSON texts (Axis_JSON, Allies_JSON, Lua_Pauses_JSON) that are decoded exactly once.
import { z } from 'zod';
import type { LuaPlayer, LuaReport } from '../events/luaRoundEnded.ts';
import { badField, fromZodError, type LuaNormalizeContext, type Step } from './luaReportResult.ts';
import { cleanName } from './names.ts';

const LegacyBody = z.object({
  content: z.literal('STATS_READY'),
  embeds: z
    .array(
      z.object({
        fields: z.array(z.object({ name: z.string(), value: z.unknown() })),
        footer: z.object({ text: z.string() }).optional(),
      }),
    )
    .length(1, 'exactly one embed'),
});

const TeamList = z.array(z.object({ guid: z.string(), name: z.string() }));
const PauseList = z.array(z.object({ start: z.int(), end: z.int(), sec: z.number().nonnegative() }));

type Fields = Map<string, string>;
type Side = 0 | 1 | 2;
type Team = Extract<LuaPlayer['team'], number>;

/** Scripts before this version never detected pauses: their pause fields mean "unknown", not "none". */
const FIRST_PAUSE_AWARE: readonly [number, number, number] = [1, 7, 1];

export function normalizeLegacy(
  value: unknown,
  shape: Extract<LuaReport['shape'], `legacy.${string}`>,
  context: LuaNormalizeContext,
  prefix: string,
): Step<LuaReport> {
  const body = LegacyBody.safeParse(value);
  if (!body.success) return fromZodError(body.error, value, prefix);
  const embed = body.data.embeds[0]!;

  const fields: Fields = new Map();
  for (const { name, value: v } of embed.fields) {
    if (typeof v !== 'string') return badField(name, 'every legacy field value is a string', v);
    if (fields.has(name)) return badField(name, 'the field appears twice', v);
    fields.set(name, v);
  }

  const map = required(fields, 'Map');
  if (!map.ok) return map;
  const round = required(fields, 'Round', parseRound);
  if (!round.ok) return round;
  const winner = required(fields, 'Winner', parseSide);
  if (!winner.ok) return winner;
  const defender = required(fields, 'Defender', parseSide);
  if (!defender.ok) return defender;
  const roundEnd = required(fields, 'Lua_RoundEnd', parseUnix);
  if (!roundEnd.ok) return roundEnd;
  const roundStart = optional(fields, 'Lua_RoundStart', parseUnix);
  if (!roundStart.ok) return roundStart;
  const playtime = optional(fields, 'Lua_Playtime', parseSeconds);
  if (!playtime.ok) return playtime;
  const timelimit = optional(fields, 'Lua_Timelimit', parseMinutesAsSeconds);
  if (!timelimit.ok) return timelimit;
  const warmup = optional(fields, 'Lua_Warmup', parseSeconds);
  if (!warmup.ok) return warmup;
  const warmupStart = optional(fields, 'Lua_WarmupStart', parseUnix);
  if (!warmupStart.ok) return warmupStart;
  const surrenderTeam = optional(fields, 'Lua_SurrenderTeam', parseSide);
  if (!surrenderTeam.ok) return surrenderTeam;
  const axis = players(fields, 'Axis_JSON', 1);
  if (!axis.ok) return axis;
  const allies = players(fields, 'Allies_JSON', 2);
  if (!allies.ok) return allies;

  const scriptVersion = footerVersion(embed.footer?.text);
  const pauseAware = scriptVersion === null || !versionBefore(scriptVersion, FIRST_PAUSE_AWARE);
  const summary = pauseAware ? optional(fields, 'Lua_Pauses', parsePauseSummary) : ok(null);
  if (!summary.ok) return summary;
  const pauses = pauseAware ? pauseList(fields) : ok([]);
  if (!pauses.ok) return pauses;

  const endReason = endReasonOf(fields.get('Lua_EndReason'));
  const callerGuid = fields.get('Lua_SurrenderCaller') || null;
  const callerName = fields.get('Lua_SurrenderCallerName') || null;
  const team = surrenderTeam.value ?? 0;
  const reported = endReason === 'surrender' || team !== 0 || callerGuid !== null || callerName !== null;

  return ok({
    serverId: context.serverId,
    map: map.value,
    round: round.value,
    roundStartUnix: roundStart.value,
    roundEndUnix: roundEnd.value,
    playtimeSec: playtime.value,
    timelimitSec: timelimit.value,
    warmupSec: warmup.value,
    warmupStartUnix: warmupStart.value,
    pauseCount: summary.value?.count ?? null,
    pausedSec: summary.value?.sec ?? null,
    pauses: pauses.value,
    endReason,
    surrender: reported ? { team, callerGuid, callerName } : null,
    winner: winner.value,
    defender: defender.value,
    players: [...axis.value, ...allies.value],
    scriptVersion,
    shape,
    source: context.source,
    receivedAt: context.receivedAt,
  });
}

const ok = <T>(value: T): Step<T> => ({ ok: true, value });

type Parse<T> = (text: string) => T | undefined;
const asText: Parse<string> = (text) => (text === '' ? undefined : text);

function required(fields: Fields, name: string): Step<string>;
function required<T>(fields: Fields, name: string, parse: Parse<T>): Step<T>;
function required(fields: Fields, name: string, parse: Parse<unknown> = asText): Step<unknown> {
  const text = fields.get(name);
  if (text === undefined) return badField(name, 'required field missing');
  const value = parse(text.trim());
  return value === undefined ? badField(name, 'unexpected format', text) : ok(value);
}

/** An absent or empty optional field is unknown (null); a present one must have its format. */
function optional<T>(fields: Fields, name: string, parse: Parse<T>): Step<T | null> {
  const text = fields.get(name)?.trim();
  if (text === undefined || text === '') return ok(null);
  const value = parse(text);
  return value === undefined ? badField(name, 'unexpected format', fields.get(name)) : ok(value);
}

const parseSide: Parse<Side> = (t) => (t === '0' ? 0 : t === '1' ? 1 : t === '2' ? 2 : undefined);
/** `g_currentRound` reads 0 after round 2: the script sends it as is. */
const parseRound: Parse<Team> = (t) => (t === '1' ? 1 : t === '2' || t === '0' ? 2 : undefined);
const parseUnix: Parse<number> = (t) => (/^\d{1,15}$/.test(t) ? Number(t) : undefined);

const decimal = /^(\d{1,12})(?:\.(\d{1,6}))?$/;
const parseDecimal: Parse<number> = (t) => (decimal.test(t) ? Number(t) : undefined);
const parseSeconds: Parse<number> = (t) => parseDecimal(/^(\S+) sec$/.exec(t)?.[1] ?? '');

/** "9.059 min" → 543.54 s: scaled integers, so the result is the double nearest the exact product. */
const parseMinutesAsSeconds: Parse<number> = (t) => {
  const m = /^(\d{1,12})(?:\.(\d{1,6}))? min$/.exec(t);
  if (!m) return undefined;
  const frac = m[2] ?? '';
  return (Number(m[1]! + frac) * 60) / 10 ** frac.length;
};

const parsePauseSummary: Parse<{ count: number; sec: number }> = (t) => {
  const m = /^(\d{1,9}) \((\S+) sec\)$/.exec(t);
  const sec = m ? parseDecimal(m[2]!) : undefined;
  return m && sec !== undefined ? { count: Number(m[1]), sec } : undefined;
};

/** Decoded once with a standard parser: an extra un-escaping step corrupts names with `"` or `\`. */
function decodeJsonText(fields: Fields, name: string, required: boolean): Step<unknown> {
  const text = fields.get(name);
  if (text === undefined) return required ? badField(name, 'required field missing') : ok([]);
  try {
    return ok(JSON.parse(text));
  } catch (e) {
    return badField(name, `not JSON text: ${(e as Error).message}`, text);
  }
}

function players(fields: Fields, name: string, team: Team): Step<LuaPlayer[]> {
  const decoded = decodeJsonText(fields, name, true);
  if (!decoded.ok) return decoded;
  const list = TeamList.safeParse(decoded.value);
  if (!list.success) return fromZodError(list.error, decoded.value, name);
  return ok(list.data.map((p) => ({ guid: p.guid, name: cleanName(p.name), rawName: p.name, team })));
}

/** Only closed pauses are listed: a pause open at round end is counted in Lua_Pauses but absent here. */
function pauseList(fields: Fields): Step<LuaReport['pauses']> {
  const decoded = decodeJsonText(fields, 'Lua_Pauses_JSON', false);
  if (!decoded.ok) return decoded;
  const list = PauseList.safeParse(decoded.value);
  if (!list.success) return fromZodError(list.error, decoded.value, 'Lua_Pauses_JSON');
  return ok(list.data.map((p) => ({ startUnix: p.start, endUnix: p.end, sec: p.sec })));
}

const END_REASONS = ['objective', 'time_expired', 'surrender', 'aborted'] as const;
function endReasonOf(text: string | undefined): LuaReport['endReason'] {
  const t = text?.trim();
  return END_REASONS.find((r) => r === t) ?? 'unknown';
}

function footerVersion(text: string | undefined): string | null {
  return (text && /\bv(\d{1,4}\.\d{1,4}\.\d{1,4})\s*$/.exec(text)?.[1]) || null;
}

function versionBefore(version: string, than: readonly [number, number, number]): boolean {
  const parts = version.split('.').map(Number);
  for (let i = 0; i < 3; i++) {
    const a = parts[i] ?? 0;
    const b = than[i]!;
    if (a !== b) return a < b;
  }
  return false;
}
