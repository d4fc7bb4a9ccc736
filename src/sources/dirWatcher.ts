// Local folders of one game server (its gamestats/, our Lua script's spool, legacy gametimes/):
// every file becomes a raw fact once it is complete. The folder is listed every `scanIntervalMs`
// (fs.watch only wakes the scan early: it misses changes on network filesystems and while we are
// down), so a start-up is a catch-up of whatever arrived meanwhile. A file is taken when its size and
// mtime have been still for `stableMs`; names are read as raw bytes (not always UTF-8).
// Only regular files are read: a symbolic link is never followed, whether it points into the folder
// or out of it (`ln -s /etc/shadow WATCH/x.txt`), and a FIFO, device or socket is never opened for a
// read; each is skipped with a warning and et_ledger_source_skipped_total, once per appearance.
// The file is opened with O_NOFOLLOW (readPaths.ts), so a link swapped in after the listing is refused too.
import { type FSWatcher, watch } from 'node:fs';
import { lstat, readdir, readlink } from 'node:fs/promises';
import { resolve } from 'node:path';
import { type BackOff, backOffDelay, createPacer } from '../pacing.ts';
import { decodeRawName } from '../parser/names.ts';
import { recognizeFact } from '../parser/recognize.ts';
import { deliverArrival, type SourceDeps } from './factSink.ts';
import { type CursorStore, type FileMark, sameMark } from './fileCursor.ts';
import { isOversized, readRegularFile, type SkipReason, skipReasonText } from './readPaths.ts';
import { createSettler, isIgnoredName, type Settler } from './settle.ts';
import type { SourceProblem } from './sftpPoller.ts';

export type DirWatcherOptions = SourceDeps & {
  serverId: string;
  tz: string;
  dirs: string[];
  cursors: CursorStore;
  maxFileBytes: number;
  /** How long size and mtime must stay the same before a file is taken (default 3 000 ms). */
  stableMs?: number;
  /**
   * How long a stats file whose last line is cut (no final newline) waits for the rest, unchanged,
   * before it is taken as it is (default 5 × stableMs). A later, longer copy is a revision anyway.
   */
  cutLineWaitMs?: number;
  /** How often each folder is listed even when fs.watch says nothing (default 2 000 ms). */
  scanIntervalMs?: number;
  backOff?: BackOff;
  now?: () => number;
};

export type DirWatcher = {
  /** Starts watching; resolves once the first listing (the catch-up) has been handled. */
  start(): Promise<void>;
  stop(): Promise<void>;
  /** What keeps it from its work now (a folder it cannot list, a log that refuses): `/healthz` says `degraded`. */
  problems(): SourceProblem[];
};

type Folder = {
  dir: string;
  key: string;
  settler: Settler;
  marks: Map<string, FileMark> | null;
  /** Why the folder cannot be listed, since when; null while it can. */
  missing: { reason: 'folder_missing' | 'folder_unreadable'; detail: string; since: string } | null;
  /** Entries skipped (links, FIFOs…) and why: each is logged and counted once while it stays. */
  skipped: Map<string, SkipReason>;
};

export function createDirWatcher(opts: DirWatcherOptions): DirWatcher {
  const stableMs = opts.stableMs ?? 3000;
  const cutLineWaitMs = opts.cutLineWaitMs ?? 5 * stableMs;
  const scanIntervalMs = opts.scanIntervalMs ?? 2000;
  const backOff = opts.backOff ?? { initialMs: 1000, maxMs: 30_000 };
  const now = opts.now ?? Date.now;
  const log = opts.log.child({ source: 'dir', server: opts.serverId });
  const pacer = createPacer();
  const folders: Folder[] = opts.dirs.map((d) => {
    const dir = resolve(d);
    return {
      dir,
      key: `dir:${opts.serverId}:${dir}`,
      settler: createSettler({ kind: 'stable', minStableMs: stableMs, trustMtime: true }),
      marks: null,
      missing: null,
      skipped: new Map(),
    };
  });
  const watchers = new Map<string, FSWatcher>();
  let stopped = false;
  let failures = 0;
  let failing: { detail: string; since: string } | null = null;
  let loop: Promise<void> | null = null;
  let nudge: NodeJS.Timeout | null = null;

  const wakeSoon = () => {
    nudge ??= setTimeout(() => {
      nudge = null;
      pacer.wake();
    }, 50);
  };

  function ensureWatch(f: Folder) {
    if (watchers.has(f.dir)) return;
    try {
      const w = watch(f.dir, { persistent: false }, wakeSoon);
      w.on('error', () => {
        w.close();
        watchers.delete(f.dir);
      });
      watchers.set(f.dir, w);
    } catch {
      // The periodic listing still finds everything; fs.watch is only a hint.
    }
  }

  /** Lists one folder and appends what settled; returns whether something is still settling. */
  async function scan(f: Folder): Promise<boolean> {
    f.marks ??= await opts.cursors.load(f.key);
    let names: Buffer[];
    try {
      names = await readdir(f.dir, { encoding: 'buffer' });
    } catch (e) {
      if (!f.missing) log.warn({ dir: f.dir, err: e }, 'cannot list the folder; will keep trying');
      const code = (e as NodeJS.ErrnoException).code;
      f.missing = {
        reason: code === 'ENOENT' || code === 'ENOTDIR' ? 'folder_missing' : 'folder_unreadable',
        detail: `cannot list ${f.dir}: ${(e as Error).message}`,
        since: f.missing?.since ?? new Date(now()).toISOString(),
      };
      return false;
    }
    if (f.missing) log.info({ dir: f.dir }, 'folder is readable again');
    f.missing = null;
    ensureWatch(f);
    const skippedNow = new Set<string>();
    const skip = async (name: string, path: Buffer, reason: SkipReason) => {
      skippedNow.add(name);
      if (f.skipped.get(name) === reason) return;
      f.skipped.set(name, reason);
      opts.metrics.sourceSkipped.inc({ source: 'dir', server: opts.serverId, reason });
      const target = reason === 'symlink' ? await readlink(path).catch(() => undefined) : undefined;
      log.warn(
        { path: `${f.dir}/${name}`, reason, ...(target === undefined ? {} : { target }) },
        `skipped: ${skipReasonText[reason]}`,
      );
    };
    const listed: { name: string; path: Buffer; mark: FileMark }[] = [];
    for (const raw of names) {
      const name = decodeRawName(raw);
      if (isIgnoredName(name)) continue;
      const path = Buffer.concat([Buffer.from(`${f.dir}/`), raw]);
      const st = await lstat(path).catch(() => null);
      if (!st || st.isDirectory()) continue;
      if (st.isSymbolicLink()) await skip(name, path, 'symlink');
      else if (!st.isFile()) await skip(name, path, 'not_a_file');
      else listed.push({ name, path, mark: { size: st.size, mtimeMs: Math.floor(st.mtimeMs) } });
    }
    listed.sort((a, b) => a.mark.mtimeMs - b.mark.mtimeMs || (a.name < b.name ? -1 : 1));
    const present = new Set(listed.map((l) => l.name));
    f.settler.retain(present);
    const gone = [...f.marks.keys()].filter((n) => !present.has(n));
    if (gone.length > 0) {
      await opts.cursors.forget(f.key, gone);
      for (const n of gone) f.marks.delete(n);
    }
    let settling = false;
    for (const { name, path, mark } of listed) {
      if (stopped) break;
      if (sameMark(f.marks.get(name), mark)) continue;
      if (!f.settler.isSettled(name, mark, now())) {
        settling = true;
        continue;
      }
      const read = await readRegularFile(path, { maxBytes: opts.maxFileBytes }).catch(() => null);
      if (read === null) continue; // removed between listing and reading
      if (typeof read === 'string') {
        await skip(name, path, read); // became a link or a FIFO since the listing
        continue;
      }
      // Over the cap, only its size and sha256 were taken (a small fact): it is never held whole.
      const oversized = isOversized(read) ? read : null;
      if ((oversized ? oversized.sizeBytes : (read as Uint8Array).length) !== mark.size) {
        f.settler.forget(name);
        settling = true;
        continue;
      }
      // A stats file cut inside a line is most likely still being written: give the writer longer.
      if (!oversized && looksCut(read as Uint8Array, name) && now() - mark.mtimeMs < cutLineWaitMs) {
        settling = true;
        continue;
      }
      await deliverArrival(opts, {
        bytes: oversized ? new Uint8Array(0) : (read as Uint8Array),
        ...(oversized ? { oversized } : {}),
        fileName: name,
        serverId: opts.serverId,
        tz: opts.tz,
        source: { kind: 'dir', ref: `${f.dir}/${name}` },
        receivedAt: new Date(now()).toISOString(),
        maxBytes: opts.maxFileBytes,
      });
      await opts.cursors.record(f.key, name, mark);
      f.marks.set(name, mark);
    }
    for (const n of f.skipped.keys()) if (!skippedNow.has(n)) f.skipped.delete(n);
    return settling;
  }

  async function scanAll(): Promise<boolean> {
    let settling = false;
    for (const f of folders) if (await scan(f)) settling = true;
    return settling;
  }

  return {
    start() {
      if (loop) throw new Error('dir watcher already started');
      log.info({ dirs: folders.map((f) => f.dir), stableMs }, 'watching folders');
      let firstDone: () => void = () => {};
      const first = new Promise<void>((r) => {
        firstDone = r;
      });
      loop = (async () => {
        while (!stopped) {
          let delay = scanIntervalMs;
          try {
            if (await scanAll()) delay = Math.min(scanIntervalMs, stableMs);
            failures = 0;
            failing = null;
          } catch (e) {
            failures++;
            failing = {
              detail: `could not hand a file to the log: ${e instanceof Error ? e.message : String(e)}`,
              since: failing?.since ?? new Date(now()).toISOString(),
            };
            delay = backOffDelay(backOff, failures);
            opts.metrics.sourceErrors.inc({ source: 'dir', server: opts.serverId, reason: 'append' });
            log.error({ err: e, failures, retryInMs: delay }, 'could not hand a file to the log; retrying');
          }
          firstDone();
          if (!stopped) await pacer.sleep(delay);
        }
      })();
      return first;
    },
    problems() {
      const source = 'dir' as const;
      const server = opts.serverId;
      return [
        ...folders.flatMap((f) => (f.missing ? [{ source, server, path: f.dir, ...f.missing }] : [])),
        ...(failing ? [{ source, server, reason: 'append_failed', ...failing }] : []),
      ];
    },
    async stop() {
      stopped = true;
      if (nudge) clearTimeout(nudge);
      pacer.wake();
      for (const w of watchers.values()) w.close();
      watchers.clear();
      await loop;
    },
  };
}

/** A stats file without its final newline: its last line may be cut. */
function looksCut(bytes: Uint8Array, name: string): boolean {
  return bytes.length > 0 && bytes[bytes.length - 1] !== 0x0a && recognizeFact(bytes, name) === 'stats';
}
