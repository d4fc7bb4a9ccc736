import { describe, expect, it } from 'vitest';
import {
  type CandidateLoader,
  type CorrelatorFact,
  decideVerdicts,
  expandUntilStable,
  isLuaCandidate,
  type LuaCandidate,
  type Neighbourhood,
  neighbourhoodWindow,
  ownRoundKey,
  type StatsCandidate,
} from '../../../src/correlator/index.ts';
import { CEST, CET, config, luaRound, statsRound, watermark } from './fixtures.ts';

const at = (hhmmss: string, over = {}) => statsRound(`2026-08-19-${hhmmss}-supply-round-1.txt`, over);
const L = (hhmmss: string, over = {}) =>
  luaRound({ end: `2026-08-19 ${hhmmss.slice(0, 2)}:${hhmmss.slice(2, 4)}:${hhmmss.slice(4)}`, ...over });

describe('neighbourhoodWindow', () => {
  it('spans every time that could pair with the fact, per server, normalised map and round', () => {
    const l = L('214133', { map: '^1Supply ' });
    expect(neighbourhoodWindow(l, config)).toEqual({
      serverId: 'eu1',
      map: 'supply',
      round: 1,
      fromUnix: l.report.roundEndUnix - 30,
      toUnix: l.report.roundEndUnix + 30,
    });
    const autumn = statsRound('2026-10-25-023003-supply-round-1.txt', { offsets: [CEST, CET] });
    const [early, late] = autumn.fileTimeCandidatesUnix as [number, number];
    expect(neighbourhoodWindow(autumn, config)).toMatchObject({ fromUnix: early - 30, toUnix: late + 30 });
    expect(neighbourhoodWindow(at('214136', { fileTimeCandidatesUnix: [] }), config)).toBeNull();
    expect(ownRoundKey(l)).toBe(`lua:eu1:^1Supply :1:${l.report.roundEndUnix}`);
  });
});

describe('expandUntilStable', () => {
  // A chain: each fact is within 30 s of the next, so each pairing can depend on the one before.
  const chain = [L('214100'), at('214120'), L('214140'), at('214205'), L('214230'), at('214258')];
  const far = [L('215000'), at('215003')];
  const otherMap = [L('214140', { map: 'te_escape2' })];
  const all: CorrelatorFact[] = [...chain, ...far, ...otherMap];
  const allStats = all.filter((f): f is StatsCandidate => !isLuaCandidate(f));
  const allLua = all.filter(isLuaCandidate);

  function recordingLoader() {
    const calls: Neighbourhood[] = [];
    const load: CandidateLoader = async (range) => {
      calls.push(range);
      const inRange = (t: number) => t >= range.fromUnix && t <= range.toUnix;
      return {
        stats: allStats.filter((f) => f.fileTimeCandidatesUnix.some(inRange)),
        lua: allLua.filter((f: LuaCandidate) => f.report.map === range.map && inRange(f.report.roundEndUnix)),
      };
    };
    return { calls, load };
  }

  it('grows the range until the whole chain is loaded, and no further', async () => {
    const { calls, load } = recordingLoader();
    const got = await expandUntilStable(chain[5]!, load, config);
    expect(new Set([...got.stats, ...got.lua].map((f) => f.factId))).toEqual(new Set(chain.map((f) => f.factId)));
    // Each call asks only for what is not loaded yet.
    for (let i = 1; i < calls.length; i++) {
      for (let j = 0; j < i; j++) {
        const a = calls[i]!;
        const b = calls[j]!;
        expect(a.toUnix < b.fromUnix || a.fromUnix > b.toUnix).toBe(true);
      }
    }
    expect(got.window?.fromUnix).toBe(allLua[0]!.report.roundEndUnix - 30);
  });

  it('decides the seed as the whole log would, though it loaded only the chain', async () => {
    const { load } = recordingLoader();
    const wm = watermark(allStats.at(-1)!.fileTimeCandidatesUnix[0]! + 500);
    const got = await expandUntilStable(chain[1]!, load, config);
    const local = decideVerdicts(got.stats, got.lua, wm, config);
    const global = decideVerdicts(allStats, allLua, wm, config);
    const keys = new Set(local.map((v) => v.roundKey));
    expect(local).toEqual(global.filter((v) => keys.has(v.roundKey)));
  });

  it('returns the seed alone when it has no time to search around', async () => {
    const { calls, load } = recordingLoader();
    const seed = at('214136', { fileTimeCandidatesUnix: [] });
    expect(await expandUntilStable(seed, load, config)).toEqual({ window: null, stats: [seed], lua: [] });
    expect(calls).toEqual([]);
  });
});
