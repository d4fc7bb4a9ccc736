// Hand-built correlator inputs. Times are server-local CEST (UTC+2) unless a test says otherwise.
import {
  type AppendPlan,
  ambiguousFactIds,
  type CorrelatorConfig,
  decideVerdicts,
  type LuaCandidate,
  type PauseRecord,
  type PlannedVerdict,
  type PreviousVerdict,
  planAppends,
  type StatsCandidate,
  type StatsPlayer,
} from '../../../src/correlator/index.ts';
import {
  type LuaReport,
  luaReportIdentity,
  RoundTimingReconciled,
  sha256Hex,
  statsFileIdentity,
  type Verdict,
} from '../../../src/events/index.ts';

export const config: CorrelatorConfig = {
  windowBeforeSec: 5,
  windowAfterSec: 30,
  graceSec: 120,
  correlatorVersion: 1,
  generation: 1,
};
export const SERVER = 'eu1';
export const CEST = 2;
export const CET = 1;

/** `2026-08-19 21:41:33` in a zone `offsetHours` east of UTC → unix seconds. */
export function localUnix(local: string, offsetHours = CEST): number {
  const m = /^(\d{4})-(\d{2})-(\d{2}) (\d{2}):(\d{2}):(\d{2})$/.exec(local);
  if (m === null) throw new Error(`bad local time ${local}`);
  const [y, mo, d, h, mi, s] = m.slice(1).map(Number) as [number, number, number, number, number, number];
  return Date.UTC(y, mo - 1, d, h, mi, s) / 1000 - offsetHours * 3600;
}

const FILE_NAME = /^(\d{4}-\d{2}-\d{2})-(\d{2})(\d{2})(\d{2})-(.+)-round-(\d)\.txt$/;

/** The file name's local time, read with the given UTC offsets (two in the autumn overlap). */
export function fileTimes(fileName: string, offsets: number[] = [CEST]): number[] {
  const m = FILE_NAME.exec(fileName);
  if (m === null) throw new Error(`bad stats file name ${fileName}`);
  return offsets.map((o) => localUnix(`${m[1]} ${m[2]}:${m[3]}:${m[4]}`, o)).sort((a, b) => a - b);
}

export const VEKTOR = '3F9A1C0E7B2D4E6F8A1B2C3D4E5F6071';
export const BRAMBLE = 'C08D3E6A1F5B47209D8E7F6A5B4C3D2E';

export function statsPlayers(sec: number): StatsPlayer[] {
  return [
    { guid8: '3F9A1C0E', name: '^1Vek^7tor', team: 1, damageGiven: 2287, timePlayedSec: sec },
    { guid8: 'C08D3E6A', name: 'bramble', team: 2, damageGiven: 1764, timePlayedSec: sec },
  ];
}

type StatsOptions = Partial<StatsCandidate> & { offsets?: number[]; sha?: string };

/** A stats round from its file name (`2026-08-19-214136-supply-round-1.txt`). */
export function statsRound(fileName: string, over: StatsOptions = {}): StatsCandidate {
  const m = FILE_NAME.exec(fileName);
  if (m === null) throw new Error(`bad stats file name ${fileName}`);
  const { offsets, sha, ...rest } = over;
  const serverId = rest.serverId ?? SERVER;
  const playtime = rest.statsPlaytimeSec === undefined ? 543 : rest.statsPlaytimeSec;
  return {
    factId: statsFileIdentity(serverId, fileName, sha256Hex(sha ?? fileName)).eventId,
    serverId,
    fileName,
    map: m[5]!,
    round: Number(m[6]) === 1 ? 1 : 2,
    fileTimeCandidatesUnix: fileTimes(fileName, offsets),
    statsPlaytimeSec: playtime,
    approximateStatsTime: false,
    overLimit: false,
    shutdownWritten: false,
    timeLimitSec: 720,
    winner: 2,
    defender: 1,
    players: statsPlayers(playtime ?? 0),
    ...rest,
  };
}

type LuaOptions = Partial<LuaReport> & {
  end: string;
  start?: string;
  offset?: number;
  pauseRecords?: PauseRecord[];
};

export function luaRound(over: LuaOptions): LuaCandidate {
  const { end, start, offset, pauseRecords, ...rest } = over;
  const roundEndUnix = localUnix(end, offset);
  const report: LuaReport = {
    serverId: SERVER,
    map: 'supply',
    round: 1,
    roundStartUnix: start === undefined ? roundEndUnix - 543 : localUnix(start, offset),
    roundEndUnix,
    playtimeSec: 543,
    timelimitSec: 720,
    warmupSec: 0,
    warmupStartUnix: null,
    pauseCount: 0,
    pausedSec: 0,
    pauses: [],
    endReason: 'objective',
    surrender: null,
    winner: 2,
    defender: 1,
    players: [
      { guid: VEKTOR, name: 'Vektor', rawName: '^1Vek^7tor', team: 1 },
      { guid: BRAMBLE, name: 'bramble', rawName: 'bramble', team: 2 },
    ],
    scriptVersion: '1.0.0',
    shape: 'et-ledger.round/1',
    source: { kind: 'http', ref: '/v1/reports' },
    receivedAt: '2026-08-19T19:41:34.000Z',
    ...rest,
  };
  const { eventId } = luaReportIdentity(report.serverId, report.map, report.round, report.roundEndUnix, report.shape);
  return { factId: eventId, report, pauseRecords: pauseRecords ?? [] };
}

export const watermark = (unix: number, serverId = SERVER) => new Map([[serverId, unix]]);

/** A deterministic permutation (mulberry32), so a failing order can be replayed. */
export function shuffled<T>(items: readonly T[], seed: number): T[] {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const out = [...items];
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(next() * (i + 1));
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
}

/** The shell's bookkeeping, in memory: the standing verdict per round key and every appended event. */
export function createVerdictLog(cfg: CorrelatorConfig = config) {
  const previous = new Map<string, PreviousVerdict>();
  const events: PlannedVerdict[] = [];
  return {
    previous,
    events,
    apply(desired: readonly Verdict[], ambiguous: ReadonlySet<string> = new Set()): AppendPlan {
      const plan = planAppends(desired, previous, cfg, { ambiguous });
      for (const a of plan.appends) {
        for (const id of a.event.data.supersedes) {
          if (![...previous.values()].some((p) => p.eventId === id)) throw new Error(`supersedes unknown ${id}`);
        }
        RoundTimingReconciled.parse(a.event);
        events.push(a);
        previous.set(a.event.data.roundKey, { eventId: a.eventId, verdict: a.event.data });
      }
      for (const r of plan.retractions) previous.set(r.event.data.roundKey, { eventId: r.eventId, verdict: null });
      for (const [k, entry] of plan.standing) if (entry.verdict === null) previous.set(k, entry);
      const facts = [...previous.values()].flatMap((p) =>
        p.verdict ? [p.verdict.statsFactId, p.verdict.luaFactId] : [],
      );
      const named = facts.filter((f) => f !== null);
      if (new Set(named).size !== named.length) throw new Error('a fact stands in two verdicts');
      return plan;
    },
    /** Facts seen so far, decided at `wm`, then appended. */
    feed(stats: readonly StatsCandidate[], lua: readonly LuaCandidate[], wm: number): AppendPlan {
      return this.apply(decideVerdicts(stats, lua, watermark(wm), cfg), ambiguousFactIds(stats, lua, cfg));
    },
    standing(): Verdict[] {
      return [...previous.values()]
        .flatMap((p) => (p.verdict ? [p.verdict] : []))
        .sort((a, b) => (a.roundKey < b.roundKey ? -1 : 1));
    },
  };
}

/** Every verdict must be a valid event payload and survive a JSON round trip unchanged. */
export function decide(stats: readonly StatsCandidate[], lua: readonly LuaCandidate[], wm: number, cfg = config) {
  const verdicts = decideVerdicts(stats, lua, watermark(wm), cfg);
  for (const v of verdicts) {
    RoundTimingReconciled.parse({ type: 'RoundTimingReconciled', schemaVersion: 2, data: v });
    if (JSON.stringify(JSON.parse(JSON.stringify(v))) !== JSON.stringify(v)) throw new Error('not JSON-stable');
  }
  return verdicts;
}
