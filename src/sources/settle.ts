// When a file seen in a listing is complete enough to take. A writer that appends in place gives no
// signal, so a file is taken once its size and mtime stayed the same across two listings at least
// `minStableMs` apart (or, where the clock is ours, once its mtime is that old). A writer that
// renames a finished file into place (our Lua spool) is complete on sight: the name is the marker.
import type { FileMark } from './fileCursor.ts';

/** Temporary and bookkeeping names, never facts: our spool's `.tmp` and curl `.exit` markers, editors', rsync's. */
export function isIgnoredName(name: string): boolean {
  return (
    name.startsWith('.') ||
    name.endsWith('~') ||
    /\.(tmp|part|partial|swp|exit|filepart|crdownload)$/i.test(name) ||
    /\.exit\.tmp$/i.test(name)
  );
}

export type SettleRule =
  /** Complete when listed: files appear by rename. */
  | { kind: 'rename' }
  /** Complete when unchanged across two listings `minStableMs` apart; `trustMtime`: or when the mtime is that old. */
  | { kind: 'stable'; minStableMs: number; trustMtime: boolean };

export type Settler = {
  /** Whether the file, listed now with this mark, may be taken. */
  isSettled(name: string, mark: FileMark, nowMs: number): boolean;
  /** Forget what was seen of names no longer listed. */
  retain(names: Set<string>): void;
  forget(name: string): void;
};

export function createSettler(rule: SettleRule): Settler {
  const seen = new Map<string, FileMark & { atMs: number }>();
  return {
    isSettled(name, mark, nowMs) {
      if (rule.kind === 'rename') return true;
      const before = seen.get(name);
      if (!before || before.size !== mark.size || before.mtimeMs !== mark.mtimeMs) {
        seen.set(name, { ...mark, atMs: nowMs });
        return rule.trustMtime && nowMs - mark.mtimeMs >= rule.minStableMs;
      }
      return nowMs - before.atMs >= rule.minStableMs;
    },
    retain(names) {
      for (const n of seen.keys()) if (!names.has(n)) seen.delete(n);
    },
    forget(name) {
      seen.delete(name);
    },
  };
}
