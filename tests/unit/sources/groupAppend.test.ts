import { describe, expect, it } from 'vitest';
import { createGroupAppend } from '../../../src/sources/groupAppend.ts';
import type { AppendOutcome, NewEvent } from '../../../src/store/eventStore.ts';

const ev = (id: string): NewEvent => ({
  eventId: id,
  streamId: `s-${id}`,
  type: 'ClockTicked',
  schemaVersion: 2,
  data: {},
});

/** An in-memory log with the store's contract: idempotent by event id, one outcome per event in order. */
function memoryLog(opts: { failWhen?: (events: NewEvent[]) => boolean } = {}) {
  const stored = new Map<string, number>();
  const calls: string[][] = [];
  let release: () => void = () => {};
  let gate: Promise<void> | null = null;
  return {
    calls,
    hold() {
      gate = new Promise((r) => {
        release = r;
      });
    },
    release: () => {
      gate = null;
      release();
    },
    append: async (events: NewEvent[]): Promise<AppendOutcome[]> => {
      calls.push(events.map((e) => e.eventId));
      if (gate) await gate;
      if (opts.failWhen?.(events)) throw new Error('rejected (simulated)');
      return events.map((e) => {
        const known = stored.get(e.eventId);
        if (known !== undefined) return { eventId: e.eventId, status: 'duplicate', position: known, streamVersion: 0 };
        stored.set(e.eventId, stored.size + 1);
        return { eventId: e.eventId, status: 'appended', position: stored.size, streamVersion: 0 };
      });
    },
  };
}

describe('group append', () => {
  it('appends at once when idle, and sends what arrived meanwhile as one batch', async () => {
    const log = memoryLog();
    const append = createGroupAppend(log.append);
    log.hold();
    const first = append([ev('a')]);
    const rest = [append([ev('b'), ev('c')]), append([ev('d')]), append([ev('b')])];
    await Promise.resolve();
    log.release();
    expect((await first).map((o) => o.status)).toEqual(['appended']);
    const [bc, d, bAgain] = await Promise.all(rest);
    expect(log.calls).toEqual([['a'], ['b', 'c', 'd', 'b']]);
    expect(bc!.map((o) => [o.eventId, o.status])).toEqual([
      ['b', 'appended'],
      ['c', 'appended'],
    ]);
    expect(d!.map((o) => o.eventId)).toEqual(['d']);
    expect(bAgain!.map((o) => [o.eventId, o.status])).toEqual([['b', 'duplicate']]);
  });

  it('retries a failed batch call by call: only the bad call fails', async () => {
    const log = memoryLog({ failWhen: (events) => events.some((e) => e.eventId === 'bad') });
    const append = createGroupAppend(log.append);
    log.hold();
    const first = append([ev('a')]);
    const good = append([ev('g')]);
    const bad = append([ev('bad')]);
    log.release();
    await first;
    expect((await good).map((o) => o.status)).toEqual(['appended']);
    await expect(bad).rejects.toThrow('rejected (simulated)');
  });

  it('keeps batches within the event limit', async () => {
    const log = memoryLog();
    const append = createGroupAppend(log.append, { maxEvents: 2 });
    log.hold();
    const all = [append([ev('1')]), append([ev('2')]), append([ev('3')]), append([ev('4')])];
    log.release();
    await Promise.all(all);
    expect(log.calls).toEqual([['1'], ['2', '3'], ['4']]);
  });
});
