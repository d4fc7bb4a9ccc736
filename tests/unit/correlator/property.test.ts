// Order independence (spec/correlation.md scenario 21, DESIGN invariant 2) on random evenings:
// replays of one map minutes apart, look-alike map names, late and missing reports, duplicate
// deliveries that differ in their envelope, and files from the autumn DST overlap.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  type CorrelatorFact,
  decideVerdicts,
  expandUntilStable,
  type LuaCandidate,
  matchRounds,
  roundGroupKey,
  type StatsCandidate,
  verdictContent,
} from '../../../src/correlator/index.ts';
import { config, createVerdictLog, decide, localUnix, luaRound, shuffled, watermark } from './fixtures.ts';

const BASE = localUnix('2026-08-19 20:00:00');

const roundArb = fc.record({
  map: fc.constantFrom('supply', 'te_escape2', 'te_escape20', '^1SUPPLY '),
  round: fc.constantFrom(1 as const, 2 as const),
  gapSec: fc.oneof(fc.integer({ min: 0, max: 60 }), fc.integer({ min: 300, max: 1100 })),
  lua: fc.constantFrom('sent', 'sent', 'sent', 'missing', 'twice'),
  stats: fc.constantFrom('written', 'written', 'written', 'missing', 'twice'),
  fileDelaySec: fc.oneof(fc.integer({ min: 0, max: 3 }), fc.integer({ min: -8, max: 40 })),
  dstOverlap: fc.integer({ min: 0, max: 7 }).map((n) => n === 0),
  playtimeSec: fc.integer({ min: 5, max: 800 }),
  statsPlaytimeSec: fc.option(fc.integer({ min: 0, max: 900 }), { nil: null }),
  winner: fc.constantFrom(0 as const, 1 as const, 2 as const),
  defender: fc.constantFrom(1 as const, 2 as const),
  endReason: fc.constantFrom('objective' as const, 'time_expired' as const, 'surrender' as const, 'aborted' as const),
});

type Evening = { stats: StatsCandidate[]; lua: LuaCandidate[]; lastEventUnix: number };
type RoundPlan = typeof roundArb extends fc.Arbitrary<infer T> ? T : never;

function buildEvening(rounds: RoundPlan[]): Evening {
  const stats: StatsCandidate[] = [];
  const lua: LuaCandidate[] = [];
  let end = BASE;
  rounds.forEach((r, i) => {
    end += r.gapSec;
    const report = luaRound({
      end: '2026-08-19 20:00:00',
      map: r.map,
      round: r.round,
      roundEndUnix: end,
      roundStartUnix: end - r.playtimeSec,
      playtimeSec: r.playtimeSec,
      winner: r.winner,
      defender: r.defender,
      endReason: r.endReason,
      surrender:
        r.endReason === 'surrender' ? { team: r.winner === 1 ? 2 : 1, callerGuid: null, callerName: null } : null,
    });
    if (r.lua !== 'missing') lua.push(report);
    if (r.lua === 'twice') {
      lua.push({ ...report, report: { ...report.report, source: { kind: 'dir', ref: 'fallback.json' } } });
    }
    const fileTime = end + r.fileDelaySec;
    const candidate: StatsCandidate = {
      factId: `stats-${String(i).padStart(3, '0')}`,
      serverId: 'eu1',
      fileName: `${new Date((fileTime + 7200) * 1000).toISOString().slice(0, 19)}-${r.map}-round-${r.round}.txt`,
      map: r.map.replace('^1', '').trim().toLowerCase(),
      round: r.round,
      fileTimeCandidatesUnix: r.dstOverlap ? [fileTime, fileTime + 3600] : [fileTime],
      statsPlaytimeSec: r.statsPlaytimeSec,
      approximateStatsTime: false,
      overLimit: false,
      shutdownWritten: false,
      timeLimitSec: 720,
      winner: r.winner,
      defender: r.defender,
      players: [{ guid8: '3F9A1C0E', name: 'Vektor', team: 1, damageGiven: 900, timePlayedSec: r.playtimeSec }],
    };
    if (r.stats !== 'missing') stats.push(candidate);
    if (r.stats === 'twice') stats.push({ ...candidate });
  });
  return { stats, lua, lastEventUnix: end + 3600 + 40 };
}

const eveningArb = fc.array(roundArb, { minLength: 1, maxLength: 14 }).map(buildEvening);
const eventTime = (f: CorrelatorFact) => ('report' in f ? f.report.roundEndUnix : f.fileTimeCandidatesUnix[0]!);

describe('correlator properties', () => {
  it('decides the same verdicts for any order of the same facts', () => {
    fc.assert(
      fc.property(eveningArb, fc.integer({ min: 0, max: 600 }), fc.nat(), (evening, extra, seed) => {
        const wm = evening.lastEventUnix - 3600 + extra;
        const base = decide(evening.stats, evening.lua, wm);
        const permuted = decide(shuffled(evening.stats, seed), shuffled(evening.lua, seed + 1), wm);
        expect(permuted).toEqual(base);
        const facts = base.flatMap((v) => [v.statsFactId, v.luaFactId]).filter((f) => f !== null);
        expect(new Set(facts).size).toBe(facts.length);
        for (const v of base) {
          if (v.deltaSec !== null) expect(v.deltaSec).toBeGreaterThanOrEqual(-5);
          if (v.deltaSec !== null) expect(v.deltaSec).toBeLessThanOrEqual(30);
        }
      }),
    );
  });

  it('never leaves two unmatched, unambiguous items that could pair', () => {
    fc.assert(
      fc.property(eveningArb, (evening) => {
        const r = matchRounds(evening.stats, evening.lua, config);
        for (const { stats: s, ambiguous: as } of r.unmatchedStats) {
          for (const { lua: l, ambiguous: al } of r.unmatchedLua) {
            if (as || al) continue;
            if (
              roundGroupKey(s.serverId, s.map, s.round) !==
              roundGroupKey(l.report.serverId, l.report.map, l.report.round)
            )
              continue;
            for (const t of s.fileTimeCandidatesUnix) {
              const delta = t - l.report.roundEndUnix;
              expect(delta < -5 || delta > 30).toBe(true);
            }
          }
        }
      }),
    );
  });

  it('fed one fact at a time in any order, ends with the verdicts of the whole set', () => {
    fc.assert(
      fc.property(eveningArb, fc.nat(), (evening, seed) => {
        const finalWm = evening.lastEventUnix + 200;
        const expected = decideVerdicts(evening.stats, evening.lua, watermark(finalWm), config).map(verdictContent);
        const log = createVerdictLog();
        const seenS: StatsCandidate[] = [];
        const seenL: LuaCandidate[] = [];
        let wm = Number.NEGATIVE_INFINITY;
        for (const f of shuffled<CorrelatorFact>([...evening.stats, ...evening.lua], seed)) {
          if ('report' in f) seenL.push(f);
          else seenS.push(f);
          wm = Math.max(wm, eventTime(f));
          log.feed(seenS, seenL, wm);
        }
        log.feed(seenS, seenL, finalWm);
        expect(log.standing().map(verdictContent)).toEqual(expected);
      }),
    );
  });

  it('decides a loaded neighbourhood exactly as the whole log would', async () => {
    await fc.assert(
      fc.asyncProperty(eveningArb, fc.integer({ min: 0, max: 600 }), async (evening, extra) => {
        const wm = watermark(evening.lastEventUnix - 3600 + extra);
        const all = decideVerdicts(evening.stats, evening.lua, wm, config);
        const facts: CorrelatorFact[] = [...evening.stats, ...evening.lua];
        const loader = (range: { fromUnix: number; toUnix: number }) => ({
          stats: evening.stats.filter((s) =>
            s.fileTimeCandidatesUnix.some((t) => t >= range.fromUnix && t <= range.toUnix),
          ),
          lua: evening.lua.filter(
            (l) => l.report.roundEndUnix >= range.fromUnix && l.report.roundEndUnix <= range.toUnix,
          ),
        });
        for (const seed of facts) {
          const near = await expandUntilStable(seed, loader, config);
          const ids = new Set([...near.stats, ...near.lua].map((f) => f.factId));
          const local = decideVerdicts(near.stats, near.lua, wm, config);
          const touches = (v: (typeof all)[number]) => ids.has(v.statsFactId ?? '') || ids.has(v.luaFactId ?? '');
          expect(local.filter(touches)).toEqual(all.filter(touches));
        }
      }),
      { numRuns: 60 },
    );
  });
});
