import { describe, expect, it } from 'vitest';
import { matchRounds } from '../../../src/correlator/index.ts';
import { CEST, CET, config, localUnix, luaRound, shuffled, statsRound } from './fixtures.ts';

const L = (end: string, over = {}) => luaRound({ end: `2026-08-19 ${end}`, ...over });
const S = (hhmmss: string, over = {}) => statsRound(`2026-08-19-${hhmmss}-supply-round-1.txt`, over);
const summary = (r: ReturnType<typeof matchRounds>) => ({
  pairs: r.pairs.map((p) => [p.stats.fileName, p.lua.report.roundEndUnix, p.deltaSec]),
  stats: r.unmatchedStats.map((u) => [u.stats.fileName, u.ambiguous]),
  lua: r.unmatchedLua.map((u) => [u.lua.report.roundEndUnix, u.ambiguous]),
});

describe('matchRounds', () => {
  it('accepts Δ from −5 s to +30 s and nothing outside', () => {
    const end = localUnix('2026-08-19 21:41:33');
    for (const [file, pairs] of [
      ['214127', false],
      ['214128', true],
      ['214136', true],
      ['214203', true],
      ['214204', false],
    ] as const) {
      const r = matchRounds([S(file)], [L('21:41:33')], config);
      expect(r.pairs.length === 1, file).toBe(pairs);
    }
    expect(matchRounds([S('214128')], [L('21:41:33')], config).pairs[0]?.deltaSec).toBe(-5);
    expect(end).toBe(1787168493);
  });

  it('never pairs another map (exact, after colour codes and case), another round or another server', () => {
    const lua = L('21:41:33', { map: 'te_escape2' });
    expect(matchRounds([statsRound('2026-08-19-214136-te_escape20-round-1.txt')], [lua], config).pairs).toEqual([]);
    expect(matchRounds([statsRound('2026-08-19-214136-TE_Escape2-round-1.txt')], [lua], config).pairs).toHaveLength(1);
    const coloured = luaRound({ end: '2026-08-19 21:41:33', map: ' ^1te_^7escape2 ' });
    expect(
      matchRounds([statsRound('2026-08-19-214136-te_escape2-round-1.txt')], [coloured], config).pairs,
    ).toHaveLength(1);
    expect(matchRounds([statsRound('2026-08-19-214136-te_escape2-round-2.txt')], [lua], config).pairs).toEqual([]);
    expect(matchRounds([S('214136', { serverId: 'eu2' })], [L('21:41:33')], config).pairs).toEqual([]);
  });

  it('takes pairs in increasing |Δ|: a better later file displaces nothing already better', () => {
    const r = matchRounds([S('214136'), S('214134')], [L('21:41:33'), L('21:41:20')], config);
    // |Δ| 1 (214134↔21:41:33) first; then 214136 can only take 21:41:20 (Δ 16).
    expect(summary(r).pairs).toEqual(
      expect.arrayContaining([
        ['2026-08-19-214134-supply-round-1.txt', localUnix('2026-08-19 21:41:33'), 1],
        ['2026-08-19-214136-supply-round-1.txt', localUnix('2026-08-19 21:41:20'), 16],
      ]),
    );
  });

  it('leaves every side of a tie unmatched and ambiguous, and what depends on the tie too', () => {
    // 214136 is 3 s from a report ending 21:41:33 and one ending 21:41:39: a tie. 214150 would take
    // 21:41:39 (Δ 11) if the tie went one way and nothing the other way: ambiguous as well.
    const r = matchRounds([S('214136'), S('214150')], [L('21:41:33'), L('21:41:39')], config);
    expect(r.pairs).toEqual([]);
    expect(r.unmatchedStats.map((u) => u.ambiguous)).toEqual([true, true]);
    expect(r.unmatchedLua.map((u) => u.ambiguous)).toEqual([true, true]);
    // A better pair taken first (|Δ| 1) removes one side of the would-be tie: no ambiguity left.
    const firm = matchRounds([S('214136'), S('214134')], [L('21:41:33'), L('21:41:39')], config);
    expect(summary(firm)).toEqual({
      pairs: expect.arrayContaining([
        ['2026-08-19-214134-supply-round-1.txt', localUnix('2026-08-19 21:41:33'), 1],
        ['2026-08-19-214136-supply-round-1.txt', localUnix('2026-08-19 21:41:39'), -3],
      ]),
      stats: [],
      lua: [],
    });
    // The same report delivered twice is one fact: no tie.
    const twin = L('21:41:33', { receivedAt: '2026-08-19T19:41:35.000Z', scriptVersion: '1.7.2' });
    expect(matchRounds([S('214136')], [L('21:41:33'), twin], config).pairs).toHaveLength(1);
  });

  it('gives each time candidate of an autumn file its own pair, the one-to-one rule choosing', () => {
    const both = [CEST, CET];
    const early = luaRound({ end: '2026-10-25 02:30:00', offset: CEST });
    const late = luaRound({ end: '2026-10-25 02:30:00', offset: CET });
    const first = statsRound('2026-10-25-023003-supply-round-1.txt', { offsets: both });
    const second = statsRound('2026-10-25-023001-supply-round-1.txt', { offsets: both });
    const r = matchRounds([first, second], [early, late], config);
    // Each file fits both reports at 1 s or 3 s: whichever way the 1 s tie goes decides the other.
    expect(r.pairs).toEqual([]);
    expect(r.unmatchedStats.every((u) => u.ambiguous)).toBe(true);
    const alone = matchRounds([first], [late], config);
    expect(alone.pairs[0]?.fileTimeUnix).toBe(late.report.roundEndUnix + 3);
  });

  it('does not depend on input order', () => {
    const stats = [S('214136'), S('214150'), S('214134'), S('215000')];
    const lua = [L('21:41:33'), L('21:41:20'), L('21:49:57'), L('21:41:45')];
    const base = summary(matchRounds(stats, lua, config));
    for (let seed = 0; seed < 20; seed++) {
      expect(summary(matchRounds(shuffled(stats, seed), shuffled(lua, seed + 1), config))).toEqual(base);
    }
  });
});
