import { describe, expect, it } from 'vitest';
import { canonicalJson, decideVerdicts, type PreviousVerdict, planAppends } from '../../../src/correlator/index.ts';
import type { Verdict } from '../../../src/events/index.ts';
import { config, createVerdictLog, decide, luaRound, statsRound, watermark } from './fixtures.ts';

const L = () => luaRound({ end: '2026-08-19 21:41:33' });
const S = (hhmmss = '214136', over = {}) => statsRound(`2026-08-19-${hhmmss}-supply-round-1.txt`, over);
const T = 1787168496;

/** As a jsonb column gives it back: same values, keys in another order. */
function reordered(v: Verdict): Verdict {
  const reverse = (x: unknown): unknown =>
    Array.isArray(x)
      ? x.map(reverse)
      : x !== null && typeof x === 'object'
        ? Object.fromEntries(
            Object.entries(x)
              .reverse()
              .map(([k, y]) => [k, reverse(y)]),
          )
        : x;
  return reverse(v) as Verdict;
}

describe('planAppends', () => {
  it('is idempotent: the same input plans the same ids, and nothing once they stand', () => {
    const desired = decide([S()], [L()], T);
    const a = planAppends(desired, new Map(), config);
    const b = planAppends(desired, new Map(), config);
    expect(b).toEqual(a);
    const previous = new Map<string, PreviousVerdict>(
      a.appends.map((x) => [x.event.data.roundKey, { eventId: x.eventId, verdict: reordered(x.event.data) }]),
    );
    expect(canonicalJson(previous.values().next().value!.verdict)).toBe(canonicalJson(a.appends[0]!.event.data));
    expect(planAppends(decide([S()], [L()], T + 900), previous, config)).toEqual({
      appends: [],
      retractions: [],
      standing: new Map(),
    });
  });

  it('appends a change with supersedes, and A → B → A gets a third, new id', () => {
    const log = createVerdictLog();
    const stats = S('214136', { statsPlaytimeSec: 540 });
    const a1 = log.feed([stats], [L()], T).appends[0]!;
    const b = log.feed([stats], [L()], T).appends;
    expect(b).toEqual([]);
    const changed = S('214136', { statsPlaytimeSec: 540, overLimit: true });
    const b1 = log.feed([changed], [L()], T).appends[0]!;
    const a2 = log.feed([stats], [L()], T).appends[0]!;
    expect(b1.event.data.supersedes).toEqual([a1.eventId]);
    expect(a2.event.data.supersedes).toEqual([b1.eventId]);
    expect(new Set([a1.eventId, b1.eventId, a2.eventId]).size).toBe(3);
  });

  it('withdraws a LUA_ONLY verdict when its report gets joined, and the joined verdict supersedes it', () => {
    const log = createVerdictLog();
    const lua = L();
    const lonely = log.feed([], [lua], T + 200).appends[0]!;
    expect(lonely.event.data.roundKey).toBe('lua:eu1:supply:1:1787168493');
    const late = S();
    const plan = log.feed([late], [lua], T + 200);
    expect(plan.retractions).toEqual([]);
    expect(plan.standing.get('lua:eu1:supply:1:1787168493')).toEqual({ eventId: lonely.eventId, verdict: null });
    expect(plan.appends.map((a) => [a.event.data.roundKey, a.event.data.supersedes])).toEqual([
      [late.factId, [lonely.eventId]],
    ]);
  });

  it('when a better stats round takes the report, the new pair supersedes the broken one', () => {
    const log = createVerdictLog();
    const far = S('214153');
    const near = S('214136');
    const first = log.feed([far], [L()], T + 17).appends[0]!;
    expect(first.event.data).toMatchObject({ roundKey: far.factId, deltaSec: 20 });
    // Within the grace, `far` has no verdict of its own: withdrawn, replaced by the new pair.
    const plan = log.feed([far, near], [L()], T + 17);
    expect(plan.retractions).toEqual([]);
    expect(plan.standing.get(far.factId)).toEqual({ eventId: first.eventId, verdict: null });
    expect(plan.appends.map((a) => [a.event.data.roundKey, a.event.data.supersedes])).toEqual([
      [near.factId, [first.eventId]],
    ]);
    // After the grace `far` is NO_LUA_DATA: its chain goes on from the verdict that was replaced.
    const after = log.feed([far, near], [L()], T + 17 + 121);
    expect(after.appends.map((a) => [a.event.data.status, a.event.data.supersedes])).toEqual([
      ['NO_LUA_DATA', [first.eventId]],
    ]);
  });

  it('past the grace, the broken pair is superseded under its own key', () => {
    const log = createVerdictLog();
    const far = S('214153');
    const near = S('214136');
    const first = log.feed([far], [L()], T + 300).appends[0]!;
    const plan = log.feed([far, near], [L()], T + 300);
    expect(plan.retractions).toEqual([]);
    const byKey = Object.fromEntries(plan.appends.map((a) => [a.event.data.roundKey, a.event.data]));
    expect(byKey[far.factId]).toMatchObject({ status: 'NO_LUA_DATA', supersedes: [first.eventId] });
    expect(byKey[near.factId]).toMatchObject({ luaFactId: L().factId, supersedes: [] });
  });

  it('re-stamps every verdict for a new correlator version', () => {
    const v1 = planAppends(decide([S()], [L()], T), new Map(), config).appends[0]!;
    const previous = new Map([[v1.event.data.roundKey, { eventId: v1.eventId, verdict: v1.event.data }]]);
    const v2 = { ...config, correlatorVersion: 2 };
    const plan = planAppends(decideVerdicts([S()], [L()], watermark(T), v2), previous, v2);
    expect(plan.appends[0]!.event.data).toMatchObject({ correlatorVersion: 2, supersedes: [v1.eventId] });
  });
});

describe('retractions (correlation.md "Retractions", scenario 22)', () => {
  it('a tie at the same |Δ| retracts the joined verdict at once; the next verdict supersedes the retraction', () => {
    const log = createVerdictLog();
    const s = S('214136');
    const copy = S('214130');
    const joined = log.feed([s], [L()], T).appends[0]!;
    const tie = log.feed([s, copy], [L()], T);
    expect(tie.appends).toEqual([]);
    expect(tie.retractions).toHaveLength(1);
    const r = tie.retractions[0]!;
    expect(r.event.data).toMatchObject({ roundKey: s.factId, reason: 'ambiguous', supersedes: [joined.eventId] });
    expect(log.standing()).toEqual([]);
    // Re-deciding the same facts retracts nothing again.
    expect(log.feed([s, copy], [L()], T).retractions).toEqual([]);
    // Past the grace the tie is decided (NO_LUA_DATA, ambiguous): the chain goes through the retraction.
    const later = log.feed([s, copy], [L()], T + 300);
    const own = later.appends.find((a) => a.event.data.roundKey === s.factId)!;
    expect(own.event.data).toMatchObject({ status: 'NO_LUA_DATA', supersedes: [r.eventId] });
    expect(own.event.data.flags).toContain('ambiguous');
  });

  it('a different generation gives different ids for the same decision', () => {
    const a = planAppends(decide([S()], [L()], T), new Map(), config).appends[0]!;
    const b = planAppends(decide([S()], [L()], T, { ...config, generation: 2 }), new Map(), {
      ...config,
      generation: 2,
    }).appends[0]!;
    expect(b.event.data.generation).toBe(2);
    expect(b.eventId).not.toBe(a.eventId);
  });
});
