// Facts as bytes, through the real formats (shared/spec/stats-file.md, lua-report.md): c0rnp0rn8
// stats files, our `et-ledger.round/1` and `et-ledger.pause/1` reports, the legacy STATS_READY body
// and its gametime fallback file, and ClockTicked events. They reach the log through identifyFact
// and store.appendFacts, and the read models through projectAllToHead, exactly as `ingest` does.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { clockTickIdentity } from '../../src/events/ids.ts';
import { createLogger } from '../../src/logger.ts';
import { readRows } from '../../src/runtime/exportRows.ts';
import { projectAllToHead } from '../../src/runtime/ledgerRuntime.ts';
import type { Projection } from '../../src/runtime/projection.ts';
import { findProjection, loadProjections } from '../../src/runtime/registry.ts';
import { identifyFact } from '../../src/sources/identifyFact.ts';
import type { AppendOutcome, EventStore, NewEvent } from '../../src/store/eventStore.ts';
import { type Ledger, openLedger } from '../../src/store/openStore.ts';
import type { SqlExecutor } from '../../src/store/sqlDatabase.ts';
import { freshPgliteDir, freshPostgresUrl } from './databases.ts';

export const SERVER = 'eu1';
export const TZ = 'Europe/Ljubljana';
export const CEST = 2;
export const CET = 1;
const RECEIVED_AT = '2026-08-19T20:00:00.000Z';
const enc = new TextEncoder();

// ---------------------------------------------------------------------------------------------
// Time

/** `2026-08-19 21:41:33` on a wall clock `offsetHours` east of UTC → unix seconds. */
export function localUnix(local: string, offsetHours = CEST): number {
  const m = /^(\d{4})-(\d{2})-(\d{2}) (\d{2}):(\d{2}):(\d{2})$/.exec(local);
  if (m === null) throw new Error(`bad local time ${local}`);
  const [y, mo, d, h, mi, s] = m.slice(1).map(Number) as [number, number, number, number, number, number];
  return Date.UTC(y, mo - 1, d, h, mi, s) / 1000 - offsetHours * 3600;
}

/** The wall-clock text of `unix` at a fixed offset: `2026-08-19 21:41:33`. */
export function localText(unix: number, offsetHours = CEST): string {
  return new Date((unix + offsetHours * 3600) * 1000).toISOString().slice(0, 19).replace('T', ' ');
}

// ---------------------------------------------------------------------------------------------
// Stats files (c0rnp0rn8)

export type StatsPlayerSpec = {
  guid8: string;
  /** Raw name bytes or text (colour codes kept); any byte but LF. */
  name: string | Uint8Array;
  team: 1 | 2;
  damage: number;
  /** Time on a team, seconds; written as minutes with one decimal (6-second resolution). */
  timeSec: number;
  kills?: number;
  deaths?: number;
  rounds?: number;
};

export type StatsFileSpec = {
  /** Local wall time the file was flushed: `2026-08-19 21:41:36`. */
  local: string;
  map: string;
  round: 1 | 2;
  defender?: number;
  winner?: number;
  /** f7 `M:SS`. */
  limit?: string;
  /** f8 `M:SS` (the next time limit, not a duration). */
  next?: string;
  /** f9 in ms; null writes the 8-field (c0rnp0rn7) header. */
  playtimeMs?: number | null;
  players?: StatsPlayerSpec[];
  serverName?: string;
};

export type FileFact = { fileName: string; bytes: Uint8Array };

export const GUIDS = {
  Vektor: '3F9A1C0E7B2D4E6F8A1B2C3D4E5F6071',
  n0va: 'A17C44D2E9F03B58C6D7E8F901A2B3C4',
  Ziggy: '5E2B9D71C0A84F36B1E2D3C4A5B6C7D8',
  bramble: 'C08D3E6A1F5B47209D8E7F6A5B4C3D2E',
  Oskar: '7B61E2F0A3C94D58E7F6A5B4C3D2E1F0',
  quill: 'E4C72A9B08D16F35A2B3C4D5E6F70819',
} as const;
export type PlayerName = keyof typeof GUIDS;
const AXIS: PlayerName[] = ['Vektor', 'n0va', 'Ziggy'];
const ALLIES: PlayerName[] = ['bramble', 'Oskar', 'quill'];

/** The evening's six players, each with `timeSec` on a team and some damage. */
export function defaultStatsPlayers(timeSec: number, swap = false): StatsPlayerSpec[] {
  const t = Math.floor(timeSec / 6) * 6;
  return [...AXIS, ...ALLIES].map((name, i) => ({
    guid8: GUIDS[name].slice(0, 8),
    name,
    team: (i < 3 !== swap ? 1 : 2) as 1 | 2,
    damage: 900 + 137 * i,
    timeSec: t,
    kills: 3 + i,
    deaths: 4 + (i % 3),
  }));
}

/** `2026-08-19 21:41:36` + map + round → `2026-08-19-214136-supply-round-1.txt`. */
export function statsFileName(local: string, map: string, round: 1 | 2): string {
  const [date, time] = local.split(' ') as [string, string];
  return `${date}-${time.replace(/:/g, '')}-${map}-round-${round}.txt`;
}

function concat(parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((s, p) => s + p.length, 0));
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

function playerLine(p: StatsPlayerSpec): Uint8Array {
  const kills = p.kills ?? 2;
  const deaths = p.deaths ?? 2;
  const shots = 40 + kills * 7;
  const hits = 10 + kills * 2;
  // One weapon (MP40, id 4, mask 16): hits shots kills deaths headshots.
  const weapons = `16 ${hits} ${shots} ${kills} ${deaths} 1`;
  const ext = Array.from({ length: 38 }, () => '0');
  ext[0] = String(p.damage);
  ext[1] = String(Math.round(p.damage * 0.8));
  ext[8] = p.timeSec > 0 ? '75.0' : '0.0';
  ext[9] = String(kills * 3);
  ext[20] = String(shots);
  ext[21] = '0.0';
  ext[22] = (p.timeSec / 60).toFixed(1);
  ext[23] = '0.0';
  ext[24] = '0.0';
  ext[25] = '0.0';
  ext[26] = (deaths === 0 ? kills + 1 : kills / deaths).toFixed(1);
  const name = typeof p.name === 'string' ? enc.encode(p.name) : p.name;
  return concat([
    enc.encode(`${p.guid8}\\`),
    name,
    enc.encode(`\\${p.rounds ?? 0}\\${p.team}\\${weapons} \t${ext.join('\t')}\n`),
  ]);
}

export function statsFile(spec: StatsFileSpec): FileFact {
  const playtimeMs = spec.playtimeMs === undefined ? 543_000 : spec.playtimeMs;
  const players = spec.players ?? defaultStatsPlayers(Math.max(0, (playtimeMs ?? 540_000) / 1000), spec.round === 2);
  const fields = [
    spec.serverName ?? '^1ET^7:^4Legacy ^7Test',
    spec.map,
    'legacy6',
    String(spec.round),
    String(spec.defender ?? 1),
    String(spec.winner ?? 2),
    spec.limit ?? '12:00',
    spec.next ?? '9:03',
  ];
  if (playtimeMs !== null) fields.push(String(playtimeMs));
  return {
    fileName: statsFileName(spec.local, spec.map, spec.round),
    bytes: concat([enc.encode(`${fields.join('\\')}\n`), ...players.map(playerLine)]),
  };
}

// ---------------------------------------------------------------------------------------------
// Lua reports

export type LuaPlayerSpec = { guid: string; name: string };
export type LuaSpec = {
  server?: string;
  map: string;
  round: 1 | 2;
  startUnix: number;
  endUnix: number;
  /** Default: end − start − Σ pauses. */
  playtimeSec?: number;
  timelimitSec?: number;
  pauses?: { startUnix: number; endUnix: number; sec: number }[];
  endReason?: 'objective' | 'time_expired' | 'surrender' | 'aborted';
  surrender?: { team: 0 | 1 | 2; callerGuid?: string | null; callerName?: string | null } | null;
  winner?: 0 | 1 | 2;
  defender?: 0 | 1 | 2;
  axis?: LuaPlayerSpec[];
  allies?: LuaPlayerSpec[];
  warmupSec?: number;
};

const team = (names: PlayerName[]): LuaPlayerSpec[] => names.map((n) => ({ guid: GUIDS[n], name: n }));
const luaTeams = (s: LuaSpec, swap: boolean) => ({
  axis: s.axis ?? team(swap ? ALLIES : AXIS),
  allies: s.allies ?? team(swap ? AXIS : ALLIES),
});
const playtimeOf = (s: LuaSpec) =>
  s.playtimeSec ?? s.endUnix - s.startUnix - (s.pauses ?? []).reduce((sum, p) => sum + p.sec, 0);

/** Our script's `et-ledger.round/1` report (JSON). */
export function ownReport(s: LuaSpec): Uint8Array {
  const server = s.server ?? SERVER;
  const teams = luaTeams(s, s.round === 2);
  const raw = (p: LuaPlayerSpec) => ({ guid: p.guid, name: p.name, rawName: p.name });
  return enc.encode(
    JSON.stringify({
      schema: 'et-ledger.round/1',
      id: `${server}:${s.map}:${s.round}:${s.endUnix}`,
      server,
      script: '1.0.0',
      map: s.map,
      round: s.round,
      roundStartUnix: s.startUnix,
      roundEndUnix: s.endUnix,
      playtimeSec: playtimeOf(s),
      timelimitSec: s.timelimitSec ?? 720,
      warmup: { startUnix: s.startUnix - (s.warmupSec ?? 30), sec: s.warmupSec ?? 30 },
      pauses: s.pauses ?? [],
      endReason: s.endReason ?? 'objective',
      surrender:
        s.surrender && s.surrender.team !== 0
          ? {
              team: s.surrender.team,
              callerGuid: s.surrender.callerGuid ?? null,
              callerName: s.surrender.callerName ?? null,
            }
          : null,
      winner: s.winner ?? 2,
      defender: s.defender ?? 1,
      teams: { axis: teams.axis.map(raw), allies: teams.allies.map(raw) },
    }),
  );
}

export type LuaPlayerTimeSpec = {
  /** null: a bot. */
  guid: string | null;
  name: string;
  /** At round end: 0 gone, 1 Axis, 2 Allies, 3 spectator (default 1). */
  team?: 0 | 1 | 2 | 3;
  axisMs: number;
  alliesMs?: number;
};

/** Our script's `et-ledger.round/2` report: `/1` plus each client's own time in play (`players`). */
export function ownReportV2(s: LuaSpec, players: LuaPlayerTimeSpec[]): Uint8Array {
  const v1 = JSON.parse(new TextDecoder().decode(ownReport(s))) as Record<string, unknown>;
  return enc.encode(
    JSON.stringify({
      ...v1,
      schema: 'et-ledger.round/2',
      players: players.map((p) => ({
        guid: p.guid,
        name: p.name,
        rawName: p.name,
        team: p.team ?? 1,
        axisMs: p.axisMs,
        alliesMs: p.alliesMs ?? 0,
      })),
    }),
  );
}

/** Our script's `et-ledger.pause/1` record. */
export function pauseRecord(p: {
  server?: string;
  map: string;
  round: 1 | 2;
  roundStartUnix: number;
  startUnix: number;
  endUnix: number;
  sec?: number;
}): Uint8Array {
  const server = p.server ?? SERVER;
  return enc.encode(
    JSON.stringify({
      schema: 'et-ledger.pause/1',
      id: `${server}:${p.map}:${p.round}:pause:${p.startUnix}`,
      server,
      map: p.map,
      round: p.round,
      roundStartUnix: p.roundStartUnix,
      startUnix: p.startUnix,
      endUnix: p.endUnix,
      sec: p.sec ?? p.endUnix - p.startUnix,
    }),
  );
}

export type LegacySpec = LuaSpec & {
  /** `Lua_Timelimit`, e.g. `9.059 min` (default: timelimitSec / 60). */
  timelimitText?: string;
  /** `Lua_Pauses`, e.g. `1 (0 sec)` for a pause open at intermission (default from `pauses`). */
  pausesText?: string;
  /** Footer version (default 1.7.2). */
  version?: string;
};

/** The legacy webhook body (STATS_READY, script 1.7.x): every value a string. */
export function legacyBody(s: LegacySpec): Record<string, unknown> {
  const teams = luaTeams(s, s.round === 2);
  const pauses = s.pauses ?? [];
  const pausedSec = pauses.reduce((sum, p) => sum + p.sec, 0);
  const field = (name: string, value: string, inline = true) => ({ name, value, inline });
  const sur = s.surrender ?? null;
  return {
    username: 'ET:Legacy Stats',
    content: 'STATS_READY',
    embeds: [
      {
        title: `Round Complete: ${s.map} R${s.round}`,
        description: 'Timing: Playtime (no pauses) · Warmup · Wall-clock',
        color: 3447003,
        fields: [
          field('Map', s.map),
          field('Round', String(s.round)),
          field('Winner', String(s.winner ?? 2)),
          field('Defender', String(s.defender ?? 1)),
          field('Lua_Playtime', `${playtimeOf(s)} sec`),
          field('Lua_Timelimit', s.timelimitText ?? `${(s.timelimitSec ?? 720) / 60} min`),
          field('Lua_Pauses', s.pausesText ?? `${pauses.length} (${pausedSec} sec)`),
          field('Lua_EndReason', s.endReason ?? 'objective'),
          field('Lua_Warmup', `${s.warmupSec ?? 0} sec`),
          field('Lua_WarmupStart', String(s.startUnix - (s.warmupSec ?? 0))),
          field('Lua_RoundStart', String(s.startUnix)),
          field('Lua_RoundEnd', String(s.endUnix)),
          field('Lua_SurrenderTeam', String(sur?.team ?? 0)),
          field('Lua_SurrenderCaller', sur?.callerGuid ?? ''),
          field('Lua_SurrenderCallerName', sur?.callerName ?? ''),
          field('Lua_AxisScore', s.winner === 1 ? '1' : '0'),
          field('Lua_AlliesScore', (s.winner ?? 2) === 2 ? '1' : '0'),
          field('Axis_JSON', JSON.stringify(teams.axis), false),
          field('Allies_JSON', JSON.stringify(teams.allies), false),
          field(
            'Lua_Pauses_JSON',
            JSON.stringify(pauses.map((p, i) => ({ n: i + 1, start: p.startUnix, end: p.endUnix, sec: p.sec }))),
            false,
          ),
          field('Lua_SpawnSummary', 'Players:6 | Spawns:40 | AvgRespawn:17s | MaxRespawn:26s', false),
        ],
        footer: { text: `Slomix Lua Webhook v${s.version ?? '1.7.2'}` },
      },
    ],
  };
}

export const legacyReport = (s: LegacySpec): Uint8Array => enc.encode(JSON.stringify(legacyBody(s), null, 2));

/** The legacy script's fallback file `gametime-<map>-R<n>-<end>.json`: `{meta, payload}`. */
export function gametimeFile(s: LegacySpec): FileFact {
  const meta = { map: s.map, round: s.round, round_start_unix: s.startUnix, round_end_unix: s.endUnix };
  return {
    fileName: `gametime-${s.map}-R${s.round}-${s.endUnix}.json`,
    bytes: enc.encode(JSON.stringify({ meta, payload: legacyBody(s) })),
  };
}

// ---------------------------------------------------------------------------------------------
// Into the log

export type ArrivalOptions = { serverId?: string; tz?: string; kind?: 'dir' | 'http' | 'sftp' | 'discord' };

/** A fact as it would arrive: bytes and, for files, a name. */
export type Incoming = { fileName: string | null; bytes: Uint8Array };

export const file = (fileName: string, bytes: Uint8Array): Incoming => ({ fileName, bytes });
export const body = (bytes: Uint8Array): Incoming => ({ fileName: null, bytes });

/** The events identifyFact makes of one arrival (a report brings its pause records along). */
export function identify(item: Incoming, o: ArrivalOptions = {}): NewEvent[] {
  const kind = o.kind ?? (item.fileName === null ? 'http' : 'dir');
  return identifyFact({
    bytes: item.bytes,
    fileName: item.fileName,
    serverId: o.serverId ?? SERVER,
    tz: o.tz ?? TZ,
    source: { kind, ref: item.fileName ?? '/v1/reports' },
    receivedAt: RECEIVED_AT,
    maxBytes: 8 * 1024 * 1024,
  }).events;
}

export function clockTick(atUnix: number, serverId = SERVER): NewEvent {
  return { ...clockTickIdentity(serverId, atUnix), type: 'ClockTicked', schemaVersion: 2, data: { serverId, atUnix } };
}

/** One element of a batch: something that arrives as bytes, or a ready event (a tick). */
export type Fact = Incoming | NewEvent;
const isEvent = (f: Fact): f is NewEvent => 'eventId' in f;

export function eventsOf(facts: Fact[], o: ArrivalOptions = {}): NewEvent[] {
  return facts.flatMap((f) => (isEvent(f) ? [f] : identify(f, o)));
}

/** Appends the facts in one atomic batch, as a source does. */
export async function appendFacts(store: EventStore, facts: Fact[], o: ArrivalOptions = {}): Promise<AppendOutcome[]> {
  return store.appendFacts(eventsOf(facts, o));
}

const silent = createLogger('silent');
let loaded: Promise<Projection[]> | null = null;
export const projections = (): Promise<Projection[]> => (loaded ??= loadProjections());

export async function project(ledger: Pick<Ledger, 'db' | 'store'>, set?: Projection[]): Promise<void> {
  await projectAllToHead({
    db: ledger.db,
    store: ledger.store,
    log: silent,
    projections: set ?? (await projections()),
  });
}

/** Appends, then runs every projection to the head. */
export async function feed(ledger: Ledger, facts: Fact[], o: ArrivalOptions = {}): Promise<AppendOutcome[]> {
  const out = await appendFacts(ledger.store, facts, o);
  await project(ledger);
  return out;
}

export type StoreKind = 'postgres' | 'pglite';

export async function openTestLedger(kind: StoreKind, label = 'corr'): Promise<Ledger> {
  return kind === 'postgres'
    ? openLedger({ kind: 'postgres', url: await freshPostgresUrl(label) })
    : openLedger({ kind: 'pglite', dir: freshPgliteDir() });
}

// ---------------------------------------------------------------------------------------------
// Read models

/** A read model's rows (`read.<table>`), sorted by its key, camelCase, as `export` prints them. */
export async function readModel(db: SqlExecutor, table: string): Promise<Record<string, unknown>[]> {
  const p = findProjection(await projections(), table);
  return readRows(db, 'read', p, table);
}

export type VerdictRow = {
  roundKey: string;
  eventId: string;
  serverId: string;
  map: string;
  round: number;
  status: string;
  statsFactId: string | null;
  statsFileName: string | null;
  fileTimeUnix: number | null;
  luaReportId: string | null;
  luaRoundEndUnix: number | null;
  deltaSec: number | null;
  statsPlaytimeSec: number | null;
  luaPlaytimeSec: number | null;
  pausedSec: number | null;
  pauseCount: number | null;
  timelimitSec: number | null;
  fightingTimeSec: number | null;
  diffSec: number | null;
  surrender: boolean;
  surrenderTeam: number | null;
  outcome: string | null;
  winner: number;
  defender: number;
  flags: string[];
  players: {
    guid8: string;
    fullGuid: string | null;
    name: string;
    statsTimeSec: number;
    correctedTimeSec: number;
    factor: number | null;
    dpm: number | null;
    correctedDpm: number | null;
    damageGiven: number;
  }[];
  supersedes: string[];
  watermarkUnix: number;
  position: number;
  [k: string]: unknown;
};

export type HistoryRow = { eventId: string; roundKey: string; status: string; supersedes: string[]; position: number };

/** The standing verdict of each round (read.verdicts). */
export const readVerdicts = async (db: SqlExecutor) => (await readModel(db, 'verdicts')) as VerdictRow[];

/** Every verdict ever given, in log order (read.verdict_history, without the jsonb copy). */
export async function readHistory(db: SqlExecutor): Promise<HistoryRow[]> {
  const rows = await readModel(db, 'verdict_history');
  return rows.map(({ verdict: _v, ...r }) => r as HistoryRow);
}

/** The supersedes chain that ends in the standing verdict of `roundKey`, oldest first. */
export async function chainOf(db: SqlExecutor, roundKey: string): Promise<HistoryRow[]> {
  const history = await readHistory(db);
  const byId = new Map(history.map((h) => [h.eventId, h]));
  const standing = (await readVerdicts(db)).find((v) => v.roundKey === roundKey);
  if (!standing) throw new Error(`no standing verdict for ${roundKey}`);
  const chain: HistoryRow[] = [];
  let at: HistoryRow | undefined = byId.get(standing.eventId);
  while (at) {
    chain.unshift(at);
    at = at.supersedes.map((id) => byId.get(id)).find((h) => h?.roundKey === roundKey);
  }
  return chain;
}

// ---------------------------------------------------------------------------------------------
// The sample evening (samples/stats 2026-08-19, samples/lua-legacy 01–06)

const samplesDir = new URL('../../samples/', import.meta.url).pathname;

/** The evening's stats files and legacy reports, as files (01a/02a are not wire formats: quarantined). */
export function sampleEvening(): Incoming[] {
  const read = (dir: string, match: RegExp) =>
    readdirSync(join(samplesDir, dir))
      .filter((f) => match.test(f))
      .sort()
      .map((f) => file(f, new Uint8Array(readFileSync(join(samplesDir, dir, f)))));
  return [...read('stats', /^2026-08-19-.*\.txt$/), ...read('lua-legacy', /^0[1-6].*\.json$/)];
}
