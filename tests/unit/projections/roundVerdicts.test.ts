import { describe, expect, it } from 'vitest';
import { roundsShowing } from '../../../projections/support/roundVerdicts.ts';
import type { DerivedFact } from '../../../src/events/index.ts';

// Only what the fold reads: the target, what it supersedes, and whether it is a verdict.
const verdict = (statsFactId: string | null, supersedes: string[] = []) =>
  ({ status: 'ALIGNED', statsFactId, supersedes }) as unknown as DerivedFact;
const retraction = (statsFactId: string, supersedes: string[]) =>
  ({ reason: 'ambiguous', statsFactId, supersedes }) as unknown as DerivedFact;
const shownIds = (m: Map<string, { eventId: string } | null>) =>
  Object.fromEntries([...m].map(([k, v]) => [k, v?.eventId ?? null]));

describe('which verdict each stats round shows', () => {
  it('a round stops showing a verdict another round’s verdict supersedes, in the same batch or a later one', () => {
    const inBatch = roundsShowing(
      [
        { fact: verdict('A'), eventId: 'v1' },
        { fact: verdict('B', ['v1']), eventId: 'v2' },
      ],
      new Map(),
    );
    expect(shownIds(inBatch)).toEqual({ A: null, B: 'v2' });
    const later = roundsShowing([{ fact: verdict('B', ['v1']), eventId: 'v2' }], new Map([['v1', 'A']]));
    expect(shownIds(later)).toEqual({ A: null, B: 'v2' });
    // A LUA_ONLY verdict (no stats round) that takes the report back still clears the round.
    expect(shownIds(roundsShowing([{ fact: verdict(null, ['v1']), eventId: 'l1' }], new Map([['v1', 'A']])))).toEqual({
      A: null,
    });
  });

  it('a round’s own chain replaces; a supersession of a verdict it no longer shows leaves it alone', () => {
    const shown = roundsShowing(
      [
        { fact: verdict('A'), eventId: 'v1' },
        { fact: verdict('A', ['v1']), eventId: 'v3' },
        { fact: verdict('B', ['v1']), eventId: 'v2' },
      ],
      new Map(),
    );
    expect(shownIds(shown)).toEqual({ A: 'v3', B: 'v2' });
    expect(shownIds(roundsShowing([{ fact: retraction('A', ['v3']), eventId: 'r1' }], new Map([['v3', 'A']])))).toEqual(
      {
        A: null,
      },
    );
  });
});
