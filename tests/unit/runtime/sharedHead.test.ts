// One reading of the log's head for every follower of a process (src/runtime/sharedHead.ts).
import { describe, expect, it } from 'vitest';
import { sharedHead } from '../../../src/runtime/sharedHead.ts';

/** A head the test moves, a clock the test moves, and readings the test answers one by one. */
function fixture(maxAgeMs = 200) {
  let clock = 1_000;
  let head = 5;
  const pending: (() => void)[] = [];
  let reads = 0;
  const shared = sharedHead(
    () =>
      new Promise<number>((resolve) => {
        reads++;
        const at = head; // what the store sees when the query runs
        pending.push(() => resolve(at));
      }),
    maxAgeMs,
    () => clock,
  );
  return {
    shared,
    reads: () => reads,
    answer: () => pending.shift()!(),
    tick: (ms: number) => {
      clock += ms;
    },
    append: (n = 1) => {
      head += n;
    },
  };
}

describe('sharedHead', () => {
  it('serves concurrent asks with one query and reuses a young reading', async () => {
    const f = fixture();
    const asks = [f.shared.read(), f.shared.read(), f.shared.read()];
    expect(f.reads()).toBe(1);
    f.answer();
    expect(await Promise.all(asks)).toEqual([5, 5, 5]);
    f.tick(150);
    expect(await f.shared.read()).toBe(5);
    expect(f.reads()).toBe(1);
    f.append();
    f.tick(60); // 210 ms old: read again
    const again = f.shared.read();
    f.answer();
    expect(await again).toBe(6);
    expect(f.reads()).toBe(2);
  });

  it('asks again after an announced append, however young the reading', async () => {
    const f = fixture();
    const first = f.shared.read();
    f.answer();
    await first;
    f.append(3);
    f.shared.invalidate();
    const next = f.shared.read();
    expect(f.reads()).toBe(2);
    f.answer();
    expect(await next).toBe(8);
  });

  it('does not keep, or let later asks join, a reading that started before an announcement', async () => {
    const f = fixture();
    const early = f.shared.read(); // the query runs before the append commits
    f.append();
    f.shared.invalidate(); // the notification arrives while it is in flight
    const late = f.shared.read();
    expect(f.reads()).toBe(2); // a new query, not the one that may predate the append
    f.answer();
    f.answer();
    expect(await early).toBe(5);
    expect(await late).toBe(6);
    // The early reading was not kept: the late one is what a young read returns.
    expect(await f.shared.read()).toBe(6);
    expect(f.reads()).toBe(2);
  });

  it('keeps no failed reading: the next ask queries again', async () => {
    let calls = 0;
    const shared = sharedHead(
      async () => {
        calls++;
        if (calls === 1) throw new Error('connection reset');
        return 9;
      },
      200,
      () => 0,
    );
    await expect(shared.read()).rejects.toThrow('connection reset');
    expect(await shared.read()).toBe(9);
    expect(calls).toBe(2);
  });
});
