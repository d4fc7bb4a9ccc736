// npm run bench -- correlate: the correlator's pure core driven as a streaming shell would drive it.
// 20 000 generated rounds on 10 servers (replays of one map minutes apart, late, missing and duplicate
// reports, a clock tick per server every 30 s) are fed in arrival order, then shuffled within chunks of
// 64 arrivals. The shell keeps only open windows: every 64 arrivals it evicts decided facts older than
// watermark − (grace + window), so its heap must not grow with history. Baseline in the same run: one
// batch decideVerdicts over every fact. Both feeds must end with the same last verdict per round.
// For a heap reading without garbage: node --expose-gc --import tsx bench/run.ts correlate
import {
  type CandidateLoader,
  type CorrelatorConfig,
  type CorrelatorFact,
  collapseLua,
  collapseStats,
  decideVerdicts,
  decisionDeadlineUnix,
  expandUntilStable,
  factEventTimeUnix,
  isLuaCandidate,
  type LuaCandidate,
  ownRoundKey,
  type PreviousVerdict,
  planAppends,
  roundGroupKey,
  type StatsCandidate,
  verdictContent,
} from '../src/correlator/index.ts';
import { luaReportIdentity, sha256Hex, type Verdict } from '../src/events/index.ts';
import { table } from './support.ts';

const ROUNDS = 20_000;
const SERVERS = 10;
const CHUNK = 64;
const CHECKPOINTS = [5_000, 10_000, 20_000];
const config: CorrelatorConfig = {
  windowBeforeSec: 5,
  windowAfterSec: 30,
  graceSec: 120,
  correlatorVersion: 1,
  generation: 1,
};
const REACH = Math.max(config.windowBeforeSec, config.windowAfterSec);
const RETENTION = config.graceSec + REACH;
const BASE = 1_787_162_400;
const MAPS = ['supply', 'te_escape2', 'te_escape20', 'etl_adlernest', 'etl_frostbite', 'sp_delivery_te'];

function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

type Arrival =
  | { kind: 'fact'; at: number; fact: CorrelatorFact }
  | { kind: 'tick'; at: number; serverId: string }
  | { kind: 'round'; at: number; server: number };

/** A binary min-heap on (at, seq): arrivals leave in arrival order, ties in creation order. */
class ArrivalQueue {
  private items: { a: Arrival; seq: number }[] = [];
  private seq = 0;
  get size() {
    return this.items.length;
  }
  push(a: Arrival) {
    const h = this.items;
    h.push({ a, seq: this.seq++ });
    for (let i = h.length - 1; i > 0; ) {
      const p = (i - 1) >> 1;
      if (this.less(h[p]!, h[i]!)) break;
      [h[p], h[i]] = [h[i]!, h[p]!];
      i = p;
    }
  }
  pop(): Arrival {
    const h = this.items;
    const top = h[0]!;
    const last = h.pop()!;
    if (h.length > 0) {
      h[0] = last;
      for (let i = 0; ; ) {
        const l = 2 * i + 1;
        const r = l + 1;
        let m = i;
        if (l < h.length && this.less(h[l]!, h[m]!)) m = l;
        if (r < h.length && this.less(h[r]!, h[m]!)) m = r;
        if (m === i) break;
        [h[m], h[i]] = [h[i]!, h[m]!];
        i = m;
      }
    }
    return top.a;
  }
  private less(x: { a: Arrival; seq: number }, y: { a: Arrival; seq: number }) {
    return x.a.at < y.a.at || (x.a.at === y.a.at && x.seq < y.seq);
  }
}

const localName = (unix: number, map: string, round: number) => {
  const iso = new Date((unix + 7200) * 1000).toISOString();
  return `${iso.slice(0, 10)}-${iso.slice(11, 19).replaceAll(':', '')}-${map}-round-${round}.txt`;
};

/** Arrivals in arrival order, generated lazily so the input itself holds no history. */
function* arrivals(seed: number, progress: { rounds: number }): Generator<Exclude<Arrival, { kind: 'round' }>> {
  const rnd = mulberry32(seed);
  const pick = <T>(xs: readonly T[]) => xs[Math.floor(rnd() * xs.length)]!;
  const q = new ArrivalQueue();
  const left = Array.from({ length: SERVERS }, () => ROUNDS / SERVERS);
  const lastMap = Array.from({ length: SERVERS }, () => pick(MAPS));
  const nextRound = Array.from({ length: SERVERS }, () => 1 as 1 | 2);
  const doneAt = Array.from({ length: SERVERS }, () => Number.POSITIVE_INFINITY);
  for (let s = 0; s < SERVERS; s++) {
    q.push({ kind: 'round', at: BASE + 600 + s * 97, server: s });
    q.push({ kind: 'tick', at: BASE + s, serverId: `srv${s}` });
  }
  while (q.size > 0) {
    const a = q.pop();
    if (a.kind === 'tick') {
      const s = Number(a.serverId.slice(3));
      if (a.at <= doneAt[s]! + 600) q.push({ kind: 'tick', at: a.at + 30, serverId: a.serverId });
      yield a;
      continue;
    }
    if (a.kind === 'fact') {
      yield a;
      continue;
    }
    const s = a.server;
    const serverId = `srv${s}`;
    progress.rounds++;
    const round = nextRound[s]!;
    const map = round === 2 || rnd() < 0.2 ? lastMap[s]! : pick(MAPS);
    lastMap[s] = map;
    nextRound[s] = round === 1 ? 2 : 1;
    const end = a.at;
    const playtimeSec = 120 + Math.floor(rnd() * 600);
    const winner = rnd() < 0.5 ? 1 : 2;
    const players = Array.from({ length: 6 }, (_, i) => ({
      guid: `${s.toString(16).padStart(2, '0')}${i.toString(16).padStart(6, '0')}`.toUpperCase().padEnd(32, 'A'),
      name: `player ${s}.${i}`,
      team: (i % 2) + 1,
    }));
    const r = rnd();
    if (r >= 0.03) {
      const { eventId } = luaReportIdentity(serverId, map, round, end, 'et-ledger.round/1');
      const lua: LuaCandidate = {
        factId: eventId,
        report: {
          serverId,
          map,
          round,
          roundStartUnix: end - playtimeSec,
          roundEndUnix: end,
          playtimeSec,
          timelimitSec: 720,
          warmupSec: 0,
          warmupStartUnix: null,
          pauseCount: 0,
          pausedSec: 0,
          pauses: [],
          endReason: 'objective',
          surrender: null,
          winner,
          defender: 1,
          players: players.map((p) => ({ guid: p.guid, name: p.name, rawName: null, team: p.team as 1 | 2 })),
          scriptVersion: '1.0.0',
          shape: 'et-ledger.round/1',
          source: { kind: 'http', ref: '/v1/reports' },
          receivedAt: '2026-08-19T19:41:34.000Z',
        },
        pauseRecords: [],
      };
      if (r >= 0.07) {
        const late = rnd() < 0.05 ? 40 + Math.floor(rnd() * 100) : Math.floor(rnd() * 3);
        q.push({ kind: 'fact', at: end + late, fact: lua });
      }
      if (r >= 0.07 && rnd() < 0.03) {
        const copy = { ...lua, report: { ...lua.report, source: { kind: 'dir' as const, ref: 'gametime.json' } } };
        q.push({ kind: 'fact', at: end + 5 + Math.floor(rnd() * 55), fact: copy });
      }
    }
    if (r < 0.03 || r >= 0.04) {
      const fileTime = end + (rnd() < 0.9 ? 3 : Math.floor(rnd() * 4));
      const statsTime = playtimeSec + Math.floor(rnd() * 5);
      const stats: StatsCandidate = {
        factId: sha256Hex(`${serverId}/${end}`).slice(0, 32),
        serverId,
        fileName: localName(fileTime, map, round),
        map,
        round,
        fileTimeCandidatesUnix: [fileTime],
        statsPlaytimeSec: statsTime,
        approximateStatsTime: false,
        overLimit: false,
        shutdownWritten: false,
        timeLimitSec: 720,
        winner,
        defender: 1,
        players: players.map((p, i) => ({
          guid8: p.guid.slice(0, 8),
          name: p.name,
          team: p.team,
          damageGiven: 500 + i * 100,
          timePlayedSec: statsTime,
        })),
      };
      q.push({ kind: 'fact', at: fileTime + Math.floor(rnd() * 20), fact: stats });
    }
    left[s]!--;
    if (left[s]! > 0) {
      const gap = rnd() < 0.2 ? 60 + Math.floor(rnd() * 120) : 240 + Math.floor(rnd() * 600);
      q.push({ kind: 'round', at: end + gap + 120 + Math.floor(rnd() * 600), server: s });
    } else doneAt[s] = end;
  }
}

/** The same arrivals, each chunk of CHUNK shuffled: bounded disorder, as from several sources. */
function* shuffledInChunks<T>(source: Iterable<T>, seed: number): Generator<T> {
  const rnd = mulberry32(seed);
  let buf: T[] = [];
  const flush = function* () {
    for (let i = buf.length - 1; i > 0; i--) {
      const j = Math.floor(rnd() * (i + 1));
      [buf[i], buf[j]] = [buf[j]!, buf[i]!];
    }
    yield* buf;
    buf = [];
  };
  for (const x of source) {
    buf.push(x);
    if (buf.length === CHUNK) yield* flush();
  }
  yield* flush();
}

type Group = { stats: Map<string, StatsCandidate>; lua: Map<string, LuaCandidate> };
type ServerState = {
  wm: number;
  groups: Map<string, Group>;
  pending: Map<string, { deadline: number; fact: CorrelatorFact }>;
};

const groupKeyOf = (f: CorrelatorFact) =>
  isLuaCandidate(f)
    ? roundGroupKey(f.report.serverId, f.report.map, f.report.round)
    : roundGroupKey(f.serverId, f.map, f.round);
const serverOf = (f: CorrelatorFact) => (isLuaCandidate(f) ? f.report.serverId : f.serverId);
const latestTime = (f: CorrelatorFact) =>
  isLuaCandidate(f) ? f.report.roundEndUnix : Math.max(...f.fileTimeCandidatesUnix);
const earliestTime = (f: CorrelatorFact) => factEventTimeUnix(f) ?? Number.NEGATIVE_INFINITY;

/** The streaming shell: open windows in memory, standing verdicts, an order-independent digest. */
function createShell() {
  const servers = new Map<string, ServerState>();
  const standing = new Map<string, PreviousVerdict>();
  let appended = 0;
  let finalVerdicts = 0;
  let digest = 0n;

  const server = (id: string) => {
    let s = servers.get(id);
    if (s === undefined) {
      s = { wm: Number.NEGATIVE_INFINITY, groups: new Map(), pending: new Map() };
      servers.set(id, s);
    }
    return s;
  };

  async function recompute(seed: CorrelatorFact) {
    const s = server(serverOf(seed));
    const group = s.groups.get(groupKeyOf(seed));
    if (group === undefined) return;
    const load: CandidateLoader = ({ fromUnix, toUnix }) => {
      const inRange = (t: number) => t >= fromUnix && t <= toUnix;
      return {
        stats: [...group.stats.values()].filter((f) => f.fileTimeCandidatesUnix.some(inRange)),
        lua: [...group.lua.values()].filter((f) => inRange(f.report.roundEndUnix)),
      };
    };
    const near = await expandUntilStable(seed, load, config);
    const verdicts = decideVerdicts(near.stats, near.lua, new Map([[serverOf(seed), s.wm]]), config);
    const facts: CorrelatorFact[] = [...near.stats, ...near.lua];
    const previous = new Map<string, PreviousVerdict>();
    for (const f of facts) {
      const p = standing.get(ownRoundKey(f));
      if (p !== undefined) previous.set(ownRoundKey(f), p);
    }
    const plan = planAppends(verdicts, previous, config);
    for (const a of plan.appends) standing.set(a.event.data.roundKey, { eventId: a.eventId, verdict: a.event.data });
    for (const [k, entry] of plan.standing) standing.set(k, entry);
    appended += plan.appends.length;
    const decided = new Set(verdicts.flatMap((v) => [v.statsFactId, v.luaFactId]));
    for (const f of facts) {
      if (decided.has(f.factId)) s.pending.delete(f.factId);
      else s.pending.set(f.factId, { deadline: decisionDeadlineUnix(f, config), fact: f });
    }
  }

  async function decideDue(s: ServerState) {
    for (const [id, p] of [...s.pending]) {
      if (s.pending.has(id) && s.wm > p.deadline) await recompute(p.fact);
    }
  }

  function fold(v: Verdict) {
    digest ^= BigInt(`0x${sha256Hex(`${v.roundKey}\n${verdictContent(v)}`).slice(0, 16)}`);
    finalVerdicts++;
  }

  function retire(f: CorrelatorFact) {
    const key = ownRoundKey(f);
    const v = standing.get(key);
    if (v?.verdict) {
      fold(v.verdict);
      standing.delete(key);
    }
  }

  /** Evicts, per group, the oldest decided facts that no kept fact can still pair with. */
  function evict(all = false) {
    for (const s of servers.values()) {
      const threshold = all ? Number.POSITIVE_INFINITY : s.wm - RETENTION;
      for (const [gk, g] of s.groups) {
        const items = [...g.stats.values(), ...g.lua.values()].sort((a, b) => latestTime(a) - latestTime(b));
        let k = 0;
        while (k < items.length && !s.pending.has(items[k]!.factId) && latestTime(items[k]!) < threshold) k++;
        while (k > 0 && k < items.length && earliestTime(items[k]!) - latestTime(items[k - 1]!) <= REACH) k--;
        for (const f of items.slice(0, k)) {
          retire(f);
          if (isLuaCandidate(f)) g.lua.delete(f.factId);
          else g.stats.delete(f.factId);
        }
        if (g.stats.size + g.lua.size === 0) s.groups.delete(gk);
      }
    }
  }

  return {
    async accept(a: Exclude<Arrival, { kind: 'round' }>) {
      if (a.kind === 'tick') {
        const s = server(a.serverId);
        s.wm = Math.max(s.wm, a.at);
        await decideDue(s);
        return;
      }
      const f = a.fact;
      const s = server(serverOf(f));
      const gk = groupKeyOf(f);
      let g = s.groups.get(gk);
      if (g === undefined) {
        g = { stats: new Map(), lua: new Map() };
        s.groups.set(gk, g);
      }
      if (isLuaCandidate(f))
        g.lua.set(f.factId, collapseLua([...(g.lua.has(f.factId) ? [g.lua.get(f.factId)!] : []), f])[0]!);
      else g.stats.set(f.factId, collapseStats([...(g.stats.has(f.factId) ? [g.stats.get(f.factId)!] : []), f])[0]!);
      s.wm = Math.max(s.wm, earliestTime(f));
      await recompute(f);
      await decideDue(s);
    },
    evict,
    async finish() {
      for (const s of servers.values()) {
        s.wm += 100_000;
        await decideDue(s);
      }
      evict(true);
    },
    stats: () => ({
      appended,
      finalVerdicts,
      digest: digest.toString(16).padStart(16, '0'),
      openFacts: [...servers.values()].reduce(
        (n, s) => n + [...s.groups.values()].reduce((m, g) => m + g.stats.size + g.lua.size, 0),
        0,
      ),
      standing: standing.size,
    }),
  };
}

const heapMb = () => {
  (globalThis as { gc?: () => void }).gc?.();
  return process.memoryUsage().heapUsed / 2 ** 20;
};

async function stream(label: string, shuffle: boolean) {
  const progress = { rounds: 0 };
  const source = arrivals(42, progress);
  const feed = shuffle ? shuffledInChunks(source, 7) : source;
  const shell = createShell();
  const heap: Record<string, string | number>[] = [];
  let next = 0;
  let n = 0;
  let busyMs = 0;
  for (const a of feed) {
    const t0 = performance.now();
    await shell.accept(a);
    if (++n % CHUNK === 0) shell.evict();
    busyMs += performance.now() - t0;
    if (next < CHECKPOINTS.length - 1 && progress.rounds >= CHECKPOINTS[next]!) {
      heap.push({ feed: label, rounds: CHECKPOINTS[next]!, heapMb: heapMb(), ...pick(shell.stats()) });
      next++;
    }
  }
  const t0 = performance.now();
  await shell.finish();
  busyMs += performance.now() - t0;
  const st = shell.stats();
  heap.push({ feed: label, rounds: CHECKPOINTS.at(-1)!, heapMb: heapMb(), ...pick(st) });
  return { label, arrivals: n, busyMs, ...st, heap };
}

const pick = (s: { openFacts: number; standing: number }) => ({ openFacts: s.openFacts, standingVerdicts: s.standing });

async function batch() {
  const stats: StatsCandidate[] = [];
  const lua: LuaCandidate[] = [];
  const wm = new Map<string, number>();
  for (const a of arrivals(42, { rounds: 0 })) {
    if (a.kind === 'tick') wm.set(a.serverId, Math.max(wm.get(a.serverId) ?? a.at, a.at + 100_000));
    else if (isLuaCandidate(a.fact)) lua.push(a.fact);
    else stats.push(a.fact);
  }
  const t0 = performance.now();
  const verdicts = decideVerdicts(stats, lua, wm, config);
  const plan = planAppends(verdicts, new Map(), config);
  const ms = performance.now() - t0;
  let digest = 0n;
  for (const v of verdicts) digest ^= BigInt(`0x${sha256Hex(`${v.roundKey}\n${verdictContent(v)}`).slice(0, 16)}`);
  return { verdicts: plan.appends.length, ms, digest: digest.toString(16).padStart(16, '0') };
}

export async function run(): Promise<void> {
  const runs = [await stream('in order', false), await stream(`shuffled in chunks of ${CHUNK}`, true)];
  const base = await batch();
  console.log(
    `correlate: ${ROUNDS} rounds on ${SERVERS} servers, grace ${config.graceSec} s, retention ${RETENTION} s`,
  );
  table([
    ...runs.map((r) => ({
      feed: r.label,
      arrivals: r.arrivals,
      'appended verdicts': r.appended,
      'final verdicts': r.finalVerdicts,
      'verdicts/s': r.appended / (r.busyMs / 1000),
      'final/s': r.finalVerdicts / (r.busyMs / 1000),
      digest: r.digest,
    })),
    {
      feed: 'baseline: one batch',
      arrivals: 0,
      'appended verdicts': base.verdicts,
      'final verdicts': base.verdicts,
      'verdicts/s': base.verdicts / (base.ms / 1000),
      'final/s': base.verdicts / (base.ms / 1000),
      digest: base.digest,
    },
  ]);
  console.log('');
  table(runs.flatMap((r) => r.heap));
  const same = runs.every((r) => r.digest === base.digest && r.finalVerdicts === base.verdicts);
  console.log(`\nlast verdict per round identical across feeds and the batch: ${same ? 'yes' : 'NO'}`);
  if (!(globalThis as { gc?: () => void }).gc) console.log('(heap read without --expose-gc: includes garbage)');
  for (const r of runs) {
    console.log(
      `${r.label}: ${(r.busyMs / 1000).toFixed(2)} s in the core; streaming/batch final-verdict rate ${(r.finalVerdicts / r.busyMs / (base.verdicts / base.ms)).toFixed(2)}×`,
    );
  }
}
