import { describe, expect, it } from 'vitest';
import { backOffDelay, createPacer } from '../../../src/pacing.ts';
import { createSettler, isIgnoredName } from '../../../src/sources/settle.ts';

describe('when a listed file is complete', () => {
  it('takes a renamed-into-place file on first sight', () => {
    const s = createSettler({ kind: 'rename' });
    expect(s.isSettled('a.lua.json', { size: 10, mtimeMs: 1000 }, 1000)).toBe(true);
  });

  it('waits for two equal listings the stable time apart', () => {
    const s = createSettler({ kind: 'stable', minStableMs: 500, trustMtime: false });
    expect(s.isSettled('f', { size: 10, mtimeMs: 0 }, 1000)).toBe(false);
    expect(s.isSettled('f', { size: 10, mtimeMs: 0 }, 1400)).toBe(false);
    expect(s.isSettled('f', { size: 10, mtimeMs: 0 }, 1500)).toBe(true);
  });

  it('starts over when the size or the mtime changes', () => {
    const s = createSettler({ kind: 'stable', minStableMs: 0, trustMtime: false });
    expect(s.isSettled('f', { size: 10, mtimeMs: 0 }, 0)).toBe(false);
    expect(s.isSettled('f', { size: 20, mtimeMs: 0 }, 1)).toBe(false);
    expect(s.isSettled('f', { size: 20, mtimeMs: 1000 }, 2)).toBe(false);
    expect(s.isSettled('f', { size: 20, mtimeMs: 1000 }, 3)).toBe(true);
  });

  it('trusts an old mtime on first sight only where the clock is ours (catch-up of a local folder)', () => {
    const local = createSettler({ kind: 'stable', minStableMs: 1000, trustMtime: true });
    expect(local.isSettled('old', { size: 10, mtimeMs: 0 }, 5000)).toBe(true);
    expect(local.isSettled('fresh', { size: 10, mtimeMs: 4500 }, 5000)).toBe(false);
    const remote = createSettler({ kind: 'stable', minStableMs: 0, trustMtime: false });
    expect(remote.isSettled('old', { size: 10, mtimeMs: 0 }, 5000)).toBe(false);
  });

  it('forgets names that left the listing', () => {
    const s = createSettler({ kind: 'stable', minStableMs: 0, trustMtime: false });
    s.isSettled('f', { size: 1, mtimeMs: 0 }, 0);
    s.retain(new Set());
    expect(s.isSettled('f', { size: 1, mtimeMs: 0 }, 1)).toBe(false);
  });

  it('ignores temporary names and curl exit markers, never a report or a stats file', () => {
    for (const n of [
      'x.lua.json.tmp',
      'x.lua.json.0a1b2c3d.2.exit',
      'x.lua.json.0a1b2c3d.2.exit.tmp',
      '.x',
      'x~',
      'f.part',
    ])
      expect(isIgnoredName(n), n).toBe(true);
    for (const n of [
      '2026-08-19-214136-supply-round-1.txt',
      '2026-08-19-214737-supply-round-1.lua.json',
      'gametime-supply-R1-1787168493.json',
    ])
      expect(isIgnoredName(n), n).toBe(false);
  });
});

describe('pacing', () => {
  it('doubles the back-off up to its cap', () => {
    const b = { initialMs: 100, maxMs: 1000 };
    expect([1, 2, 3, 4, 5, 50].map((n) => backOffDelay(b, n))).toEqual([100, 200, 400, 800, 1000, 1000]);
  });

  it('a wake ends the current sleep, or the next one when none is running', async () => {
    const p = createPacer();
    const t0 = Date.now();
    const sleeping = p.sleep(10_000);
    p.wake();
    await sleeping;
    p.wake();
    await p.sleep(10_000);
    expect(Date.now() - t0).toBeLessThan(5000);
  });
});
