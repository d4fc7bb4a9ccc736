// One game server's remote folders over SFTP (its stats folder, our Lua spool, the legacy
// gametimes/), listed every `pollMs` on one connection. A file is downloaded when complete: in a
// spool (written by rename) as soon as it is listed, elsewhere once size and mtime are the same in
// two listings; a download whose length differs from the listing is dropped and tried again later.
// Only a whole download becomes a fact. A lost connection is reopened with back-off; a host key
// that differs from the configured one is refused (logged as an error on every attempt).
// A cursor (fileCursor.ts) keeps what was appended, so a restart does not download the history again.
// Only regular files are downloaded: a remote symbolic link (to a file inside the folder or out of
// it) and a FIFO, device or socket are skipped with a warning and et_ledger_source_skipped_total,
// once per appearance. The listing's attributes are the entry's own (OpenSSH lstats them); the
// path is lstat'ed again just before the download, so a link swapped in meanwhile is refused too
// (SFTP v3 has no O_NOFOLLOW: a swap between that lstat and the open remains possible).
import { posix } from 'node:path';
import type { Duplex } from 'node:stream';
import { type BackOff, backOffDelay, createPacer } from '../pacing.ts';
import { deliverArrival, type SourceDeps } from './factSink.ts';
import { type CursorStore, type FileMark, sameMark } from './fileCursor.ts';
import type { KnownHostKey } from './hostKey.ts';
import { type SkipReason, skipReasonText } from './readPaths.ts';
import { createSettler, isIgnoredName, type Settler } from './settle.ts';
import { openSftpSession, type RemoteKind, SftpError, type SftpSession } from './sftpSession.ts';

export type RemoteFolder = {
  path: string;
  /** `rename`: files appear complete (our spool); `stable`: wait for two equal listings. */
  settle: 'rename' | 'stable';
};

export type SftpPollerOptions = SourceDeps & {
  serverId: string;
  tz: string;
  host: string;
  port: number;
  username: string;
  privateKey: Buffer;
  passphrase?: string;
  knownHostKey: KnownHostKey;
  folders: RemoteFolder[];
  cursors: CursorStore;
  maxFileBytes: number;
  /** Between listings (default 10 000 ms). */
  pollMs?: number;
  backOff?: BackOff;
  readyTimeoutMs?: number;
  opTimeoutMs?: number;
  keepaliveMs?: number;
  /** Opens the transport instead of TCP to host:port (a proxy, a jump host). */
  connectSocket?: () => Duplex;
  now?: () => number;
};

export type SourceState = {
  connected: boolean;
  lastPollAt: string | null;
  lastError: string | null;
};

/** Why a source cannot do its work now, for `/healthz` (`degraded`, one entry per problem). */
export type SourceProblem = {
  source: 'dir' | 'sftp';
  server: string;
  /** `folder_missing`, `folder_unreadable`, `host_key_mismatch`, `auth_failed`, `connect_failed`, … */
  reason: string;
  detail: string;
  /** The folder concerned, when it is one folder. */
  path?: string;
  /** When it began (ISO 8601). */
  since: string;
};

export type SftpPoller = {
  start(): void;
  stop(): Promise<void>;
  state(): SourceState;
  /** What keeps it from its work now: the connection (host key refused, key refused…), a remote folder, the log. */
  problems(): SourceProblem[];
};

type Folder = RemoteFolder & {
  key: string;
  settler: Settler;
  marks: Map<string, FileMark> | null;
  problem: { detail: string; since: string } | null;
  /** Entries skipped (links, FIFOs…) and why: each is logged and counted once while it stays. */
  skipped: Map<string, SkipReason>;
};

const skipReasonOf = (kind: RemoteKind): SkipReason | null =>
  kind === 'symlink' ? 'symlink' : kind === 'other' ? 'not_a_file' : null;

export function createSftpPoller(opts: SftpPollerOptions): SftpPoller {
  const pollMs = opts.pollMs ?? 10_000;
  const backOff = opts.backOff ?? { initialMs: 1000, maxMs: 60_000 };
  const now = opts.now ?? Date.now;
  const log = opts.log.child({ source: 'sftp', server: opts.serverId, host: `${opts.host}:${opts.port}` });
  const pacer = createPacer();
  const folders: Folder[] = opts.folders.map((f) => ({
    ...f,
    key: `sftp:${opts.serverId}:${f.path}`,
    settler: createSettler(
      f.settle === 'rename' ? { kind: 'rename' } : { kind: 'stable', minStableMs: 0, trustMtime: false },
    ),
    marks: null,
    problem: null,
    skipped: new Map(),
  }));
  const state: SourceState = { connected: false, lastPollAt: null, lastError: null };
  let stopped = false;
  let session: SftpSession | null = null;
  let loop: Promise<void> | null = null;
  /** The failure of the last attempt (connection or log), and since when they have been failing. */
  let failing: { reason: string; detail: string; since: string } | null = null;

  const error = (reason: string) => opts.metrics.sourceErrors.inc({ source: 'sftp', server: opts.serverId, reason });

  async function pollFolder(s: SftpSession, f: Folder): Promise<void> {
    f.marks ??= await opts.cursors.load(f.key);
    let entries: Awaited<ReturnType<SftpSession['list']>>;
    try {
      entries = await s.list(f.path);
    } catch (e) {
      if (!(e instanceof SftpError) || e.code !== 'REMOTE_PATH') throw e;
      if (f.problem?.detail !== e.message)
        log.warn({ path: f.path, err: e.message }, 'cannot list the remote folder; will keep trying');
      f.problem = { detail: e.message, since: f.problem?.since ?? new Date(now()).toISOString() };
      return;
    }
    if (f.problem) log.info({ path: f.path }, 'remote folder is readable again');
    f.problem = null;
    const skippedNow = new Set<string>();
    const skip = (name: string, reason: SkipReason) => {
      skippedNow.add(name);
      if (f.skipped.get(name) === reason) return;
      f.skipped.set(name, reason);
      opts.metrics.sourceSkipped.inc({ source: 'sftp', server: opts.serverId, reason });
      log.warn({ path: posix.join(f.path, name), reason }, `skipped: ${skipReasonText[reason]}`);
    };
    for (const e of entries) {
      const reason = skipReasonOf(e.kind);
      if (reason && !isIgnoredName(e.name)) skip(e.name, reason);
    }
    const files = entries
      .filter((e) => e.kind === 'file' && !isIgnoredName(e.name))
      .sort((a, b) => a.mtimeMs - b.mtimeMs || (a.name < b.name ? -1 : 1));
    const present = new Set(files.map((e) => e.name));
    f.settler.retain(present);
    const gone = [...f.marks.keys()].filter((n) => !present.has(n));
    if (gone.length > 0) {
      await opts.cursors.forget(f.key, gone);
      for (const n of gone) f.marks.delete(n);
    }
    for (const entry of files) {
      if (stopped) break;
      const mark: FileMark = { size: entry.size, mtimeMs: entry.mtimeMs };
      if (sameMark(f.marks.get(entry.name), mark) || !f.settler.isSettled(entry.name, mark, now())) continue;
      const path = posix.join(f.path, entry.name);
      let got: Awaited<ReturnType<SftpSession['read']>>;
      try {
        const reason = skipReasonOf(await s.lstat(path));
        if (reason) {
          skip(entry.name, reason); // became a link or a FIFO since the listing
          continue;
        }
        got = await s.read(path, opts.maxFileBytes);
      } catch (e) {
        if (!(e instanceof SftpError) || e.code !== 'REMOTE_PATH') throw e;
        continue; // removed or unreadable since the listing
      }
      // Over the cap, only its size and sha256 were taken (a small fact): it is never held whole.
      const oversized = Buffer.isBuffer(got) ? null : got;
      const size = oversized ? oversized.sizeBytes : (got as Buffer).length;
      if (size !== mark.size) {
        log.debug({ path, listed: mark.size, got: size }, 'file changed while downloading; will take it when still');
        f.settler.forget(entry.name);
        continue;
      }
      await deliverArrival(opts, {
        bytes: oversized ? new Uint8Array(0) : (got as Buffer),
        ...(oversized ? { oversized } : {}),
        fileName: entry.name,
        serverId: opts.serverId,
        tz: opts.tz,
        source: { kind: 'sftp', ref: `sftp://${opts.username}@${opts.host}:${opts.port}${path}` },
        receivedAt: new Date(now()).toISOString(),
        maxBytes: opts.maxFileBytes,
      });
      await opts.cursors.record(f.key, entry.name, mark);
      f.marks.set(entry.name, mark);
    }
    for (const n of f.skipped.keys()) if (!skippedNow.has(n)) f.skipped.delete(n);
  }

  async function run(): Promise<void> {
    let failures = 0;
    while (!stopped) {
      try {
        session ??= await openSftpSession({
          host: opts.host,
          port: opts.port,
          username: opts.username,
          privateKey: opts.privateKey,
          ...(opts.passphrase === undefined ? {} : { passphrase: opts.passphrase }),
          knownHostKey: opts.knownHostKey,
          readyTimeoutMs: opts.readyTimeoutMs ?? 20_000,
          opTimeoutMs: opts.opTimeoutMs ?? 60_000,
          keepaliveMs: opts.keepaliveMs ?? 10_000,
          ...(opts.connectSocket ? { sock: opts.connectSocket() } : {}),
        });
        if (!state.connected) log.info({ folders: folders.map((f) => f.path) }, 'connected');
        state.connected = true;
        for (const f of folders) {
          if (stopped) break;
          await pollFolder(session, f);
        }
        state.lastPollAt = new Date(now()).toISOString();
        state.lastError = null;
        failing = null;
        failures = 0;
        await pacer.sleep(pollMs);
      } catch (e) {
        failures++;
        const delay = backOffDelay(backOff, failures);
        state.lastError = e instanceof Error ? e.message : String(e);
        failing = {
          reason: e instanceof SftpError ? e.code.toLowerCase() : 'append_failed',
          detail: state.lastError,
          since: failing?.since ?? new Date(now()).toISOString(),
        };
        if (!(e instanceof SftpError)) {
          // The connection is fine; the log (or the cursor table) is not. Keep the session.
          error('append');
          log.error({ err: e, failures, retryInMs: delay }, 'could not hand a file to the log; retrying');
        } else {
          session?.close();
          session = null;
          state.connected = false;
          error(e.code.toLowerCase());
          const fields = { code: e.code, err: e.message, failures, retryInMs: delay };
          if (e.code === 'HOST_KEY_MISMATCH') log.error(fields, 'host key refused: not connecting');
          else if (e.code === 'AUTH_FAILED') log.error(fields, 'the SFTP host refused our key; retrying');
          else log.warn(fields, 'SFTP connection failed; reconnecting');
        }
        if (!stopped) await pacer.sleep(delay);
      }
    }
  }

  return {
    start() {
      if (loop) throw new Error('SFTP poller already started');
      loop = run();
    },
    async stop() {
      stopped = true;
      pacer.wake();
      session?.close();
      await loop;
      session?.close(); // one that opened while it was stopping
      session = null;
      state.connected = false;
    },
    state: () => ({ ...state }),
    problems() {
      const source = 'sftp' as const;
      const server = opts.serverId;
      return [
        ...(failing ? [{ source, server, ...failing }] : []),
        ...folders.flatMap((f) =>
          f.problem ? [{ source, server, reason: 'remote_folder', path: f.path, ...f.problem }] : [],
        ),
      ];
    },
  };
}
