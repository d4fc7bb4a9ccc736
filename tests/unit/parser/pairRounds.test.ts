import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { inPairingSpan, type PairableRound, pairingSpans, pairRounds } from '../../../src/parser/pairRounds.ts';

const r = (id: string, round: 1 | 2, fileTimeUnix: number, playtime = 300): PairableRound => ({
  id,
  round,
  fileTimesUnix: [fileTimeUnix],
  playtimeSec: round === 2 ? playtime : 0,
});
const r1Of = (pairs: Map<string, { r1Id: string }>) => new Map([...pairs].map(([r2, p]) => [r2, p.r1Id]));

describe('pairing an R2 with its R1', () => {
  it('takes the R1 written before the R2 started', () => {
    expect(r1Of(pairRounds([r('a1', 1, 1000), r('a2', 2, 1000 + 90 + 300)]))).toEqual(new Map([['a2', 'a1']]));
  });

  it('takes the latest R1 when a replayed R1 precedes it', () => {
    const pairs = pairRounds([r('old', 1, 1000), r('replay', 1, 1700), r('r2', 2, 1800 + 300)]);
    expect(pairs.get('r2')?.r1Id).toBe('replay');
  });

  it('leaves an R2 unpaired (r1Missing) when no R1 lies within 20 minutes before its start', () => {
    expect(pairRounds([r('a1', 1, 1000), r('a2', 2, 1000 + 1201 + 300)]).size).toBe(0);
  });

  it('never gives one R1 to two R2s: the second R2 stays unpaired', () => {
    const pairs = pairRounds([r('a1', 1, 1000), r('x', 2, 1100 + 300), r('y', 2, 1200 + 300)]);
    expect([...r1Of(pairs)]).toEqual([['x', 'a1']]);
  });

  it('an R1 written after the R2 started is not its R1', () => {
    expect(pairRounds([r('late', 1, 1500), r('r2', 2, 1600, 300)]).size).toBe(0);
  });

  it('gives the same pairs for any order of the same rounds', () => {
    const round = fc.record({
      round: fc.constantFrom<1 | 2>(1, 2),
      t: fc.integer({ min: 0, max: 20_000 }),
      play: fc.integer({ min: 0, max: 900 }),
    });
    fc.assert(
      fc.property(fc.array(round, { maxLength: 25 }), fc.integer(), (specs, seed) => {
        const rounds = specs.map((s, i) => r(`id${i}`, s.round, s.t, s.play));
        const shuffled = [...rounds].sort(
          (a, b) => ((a.id.length * 31 + seed) % 7) - ((b.id.length * 17 + seed) % 5) || (a.id < b.id ? 1 : -1),
        );
        expect([...r1Of(pairRounds(shuffled))].sort()).toEqual([...r1Of(pairRounds(rounds))].sort());
      }),
    );
  });

  it('pairs a fact the same within its component (closed under pairingSpans) as within the whole history', () => {
    // Readings as the DST night makes them: some files have a second one an hour later.
    const round = fc.record({
      round: fc.constantFrom<1 | 2>(1, 2),
      t: fc.integer({ min: 0, max: 30_000 }),
      twice: fc.boolean(),
      play: fc.integer({ min: 0, max: 1500 }),
    });
    fc.assert(
      fc.property(fc.array(round, { minLength: 1, maxLength: 30 }), fc.nat(), (specs, pick) => {
        const rounds: PairableRound[] = specs.map((s, i) => ({
          id: `id${i}`,
          round: s.round,
          fileTimesUnix: s.twice ? [s.t, s.t + 3600] : [s.t],
          playtimeSec: s.round === 2 ? s.play : 0,
        }));
        const closure = new Map<string, PairableRound>();
        const todo = [rounds[pick % rounds.length]!];
        while (todo.length > 0) {
          const r = todo.pop()!;
          if (closure.has(r.id)) continue;
          closure.set(r.id, r);
          const spans = pairingSpans(r);
          todo.push(...rounds.filter((o) => spans.some((s) => inPairingSpan(o, s))));
        }
        const whole = pairRounds(rounds);
        const near = pairRounds([...closure.values()]);
        for (const r of closure.values())
          if (r.round === 2) expect(near.get(r.id) ?? null).toEqual(whole.get(r.id) ?? null);
      }),
    );
  });
});
