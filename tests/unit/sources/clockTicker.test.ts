import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { createMetrics } from '../../../src/metrics.ts';
import { createClockTicker } from '../../../src/sources/clockTicker.ts';
import type { AppendOutcome, NewEvent } from '../../../src/store/eventStore.ts';

const silent = pino({ level: 'silent' });

function recordingSink() {
  const seen = new Set<string>();
  const batches: NewEvent[][] = [];
  return {
    batches,
    append: async (events: NewEvent[]): Promise<AppendOutcome[]> => {
      batches.push(events);
      return events.map((e, i) => {
        const status = seen.has(e.eventId) ? 'duplicate' : 'appended';
        seen.add(e.eventId);
        return { eventId: e.eventId, status, position: i + 1, streamVersion: 0 };
      });
    },
  };
}

describe('clock ticker', () => {
  it('appends one ClockTicked per server at the interval boundary (wall clock seconds, rounded down)', async () => {
    const sink = recordingSink();
    const t = createClockTicker({
      ...sink,
      log: silent,
      metrics: createMetrics(),
      servers: ['eu1', 'us1'],
      now: () => 1_787_168_499_900,
    });
    await t.tick();
    expect(sink.batches[0]!.map((e) => [e.type, e.schemaVersion, e.data])).toEqual([
      ['ClockTicked', 2, { serverId: 'eu1', atUnix: 1_787_168_490 }],
      ['ClockTicked', 2, { serverId: 'us1', atUnix: 1_787_168_490 }],
    ]);
  });

  it('gives a second instance (or a restart) within the same interval the same tick ids', async () => {
    const sink = recordingSink();
    const a = createClockTicker({
      ...sink,
      log: silent,
      metrics: createMetrics(),
      servers: ['eu1'],
      now: () => 1_787_168_491_000,
    });
    const b = createClockTicker({
      ...sink,
      log: silent,
      metrics: createMetrics(),
      servers: ['eu1'],
      now: () => 1_787_168_519_999,
    });
    await a.tick();
    await b.tick();
    expect(sink.batches[1]![0]!.eventId).toBe(sink.batches[0]![0]!.eventId);
  });

  it('ticks at start and on each boundary until stopped; a failing append does not stop it', async () => {
    const sink = recordingSink();
    let calls = 0;
    const metrics = createMetrics();
    const t = createClockTicker({
      append: async (events) => {
        if (calls++ === 0) throw new Error('store unavailable (simulated)');
        return sink.append(events);
      },
      log: silent,
      metrics,
      servers: ['eu1'],
      intervalSec: 1,
    });
    t.start();
    await new Promise((r) => setTimeout(r, 2300));
    await t.stop();
    const after = calls;
    await new Promise((r) => setTimeout(r, 1200));
    expect(calls).toBe(after);
    expect(calls).toBeGreaterThanOrEqual(3);
    expect(await metrics.registry.getSingleMetricAsString('et_ledger_source_errors_total')).toMatch(
      /reason="append"\} 1/,
    );
  });
});

describe('clock ticker, ticking only while something waits', () => {
  it('ticks the servers that wait every interval, the others only on the idle boundary', async () => {
    const sink = recordingSink();
    let nowMs = 1_787_169_000_000; // 30 s boundaries; 1 787 169 000 % 3600 = 1 400: not an idle boundary
    const asked: string[][] = [];
    const t = createClockTicker({
      ...sink,
      log: silent,
      metrics: createMetrics(),
      servers: ['eu1', 'us1'],
      waiting: async (servers) => {
        asked.push([...servers]);
        return new Set(['eu1']);
      },
      now: () => nowMs,
    });
    await t.tick();
    expect(sink.batches.at(-1)!.map((e) => (e.data as { serverId: string }).serverId)).toEqual(['eu1']);
    // On an hour boundary every server ticks, without asking.
    nowMs = 1_787_169_600_000 + 5_000; // 1 787 169 600 % 3600 = 0
    asked.length = 0;
    await t.tick();
    expect(sink.batches.at(-1)!.map((e) => (e.data as { serverId: string }).serverId)).toEqual(['eu1', 'us1']);
    expect(asked).toEqual([]);
  });

  it('appends nothing when no server waits, and ticks them all when it cannot tell', async () => {
    const sink = recordingSink();
    let answer: Set<string> | null | 'fail' = new Set();
    const t = createClockTicker({
      ...sink,
      log: silent,
      metrics: createMetrics(),
      servers: ['eu1', 'us1'],
      waiting: async () => {
        if (answer === 'fail') throw new Error('database gone');
        return answer;
      },
      now: () => 1_787_169_000_000,
    });
    await t.tick();
    expect(sink.batches).toEqual([]);
    answer = null;
    await t.tick();
    expect(sink.batches.at(-1)!.length).toBe(2);
    answer = 'fail';
    await t.tick();
    expect(sink.batches.at(-1)!.length).toBe(2);
  });
});
