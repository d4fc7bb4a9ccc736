import { describe, expect, it } from 'vitest';
import { createProgress } from '../../../src/runtime/progress.ts';

function stream(isTTY: boolean) {
  const writes: string[] = [];
  return { out: { isTTY, write: (s: string) => writes.push(s) > 0 } as unknown as NodeJS.WritableStream, writes };
}

describe('progress', () => {
  it('prints plain lines with percent, rate and ETA when not a terminal, and a last line once', () => {
    let t = 0;
    const { out, writes } = stream(false);
    const p = createProgress('rounds v2', 1000, out, { intervalMs: 500, now: () => t });
    t = 1000;
    p.update(250);
    t = 1200;
    p.update(400); // within the interval: not printed
    p.finish(); // prints what the periodic lines did not say
    p.finish(); // nothing new to say
    expect(writes).toEqual([
      'rounds v2: 25%  250/1000 events  250 ev/s  ETA 3s\n',
      'rounds v2: 40%  400/1000 events  333 ev/s  ETA 2s\n',
    ]);
  });

  it('keeps one line per concurrent bar on a terminal, redrawn in place', () => {
    let t = 0;
    const { out, writes } = stream(true);
    const a = createProgress('rounds', 100, out, { intervalMs: 0, now: () => t });
    const b = createProgress('correlator', 200, out, { intervalMs: 0, now: () => t });
    t = 1000;
    a.update(50);
    b.update(50);
    a.finish();
    b.update(200);
    b.finish();
    // The first draw writes both lines; every later one moves up over both first.
    expect(writes[0]!.startsWith('\x1b[')).toBe(false);
    expect(writes[0]!.split('\n').filter(Boolean)).toHaveLength(2);
    for (const w of writes.slice(1)) expect(w.startsWith('\x1b[2F')).toBe(true);
    const last = writes[writes.length - 1]!;
    expect(last).toContain('rounds [##############..............]  50%');
    expect(last).toContain('correlator [############################] 100%');
    // All finished: a new bar starts a new board below, without moving up.
    const c = createProgress('verdicts', 10, out, { intervalMs: 0, now: () => t });
    c.update(1);
    expect(writes[writes.length - 1]!.startsWith('\x1b[')).toBe(false);
  });
});
