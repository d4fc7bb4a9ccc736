// One SSH connection with its SFTP channel (ssh2): key authentication, the host key checked against
// the configured one before anything is sent, and every operation bounded — it fails when the
// connection drops or when it takes longer than `opTimeoutMs`, never hangs.

import { createHash, type Hash } from 'node:crypto';
import type { Duplex } from 'node:stream';
import { Client, type SFTPWrapper, type Stats } from 'ssh2';
import { fingerprintOf, hostKeyAlgorithms, hostKeyMatches, type KnownHostKey, keyTypeOf } from './hostKey.ts';

export type SftpErrorCode =
  | 'HOST_KEY_MISMATCH'
  | 'AUTH_FAILED'
  | 'CONNECT_FAILED'
  | 'CONNECTION_LOST'
  | 'TIMEOUT'
  | 'REMOTE_PATH';

/** A failure of the SFTP source; `REMOTE_PATH` concerns one path (missing, no permission), the others the connection. */
export class SftpError extends Error {
  readonly code: SftpErrorCode;
  constructor(code: SftpErrorCode, message: string, opts: { cause?: unknown } = {}) {
    super(message, opts.cause === undefined ? undefined : { cause: opts.cause });
    this.name = 'SftpError';
    this.code = code;
  }
}

export type SftpTarget = {
  host: string;
  port: number;
  username: string;
  privateKey: Buffer;
  passphrase?: string;
  knownHostKey: KnownHostKey;
  readyTimeoutMs: number;
  opTimeoutMs: number;
  keepaliveMs: number;
  /** An already connected socket (a proxy, a jump host); default: TCP to host:port. */
  sock?: Duplex;
};

/** What a remote entry is, from its mode as the server reports it without following links (lstat). */
export type RemoteKind = 'file' | 'dir' | 'symlink' | 'other';

export type RemoteEntry = { name: string; size: number; mtimeMs: number; kind: RemoteKind };

const kindOf = (attrs: Stats): RemoteKind =>
  attrs.isSymbolicLink() ? 'symlink' : attrs.isFile() ? 'file' : attrs.isDirectory() ? 'dir' : 'other';

export type SftpSession = {
  /** The folder's entries; OpenSSH reports each one's own attributes (lstat), so a link is `symlink`. */
  list(dir: string): Promise<RemoteEntry[]>;
  /** What `path` itself is now (SSH_FXP_LSTAT: a link is not followed). */
  lstat(path: string): Promise<RemoteKind>;
  /**
   * The file's bytes, at most `maxBytes` + 1 of them (a file over the cap is never held whole), or,
   * when it is over the cap, its size and sha256 from a streamed download.
   */
  read(path: string, maxBytes: number): Promise<Buffer | { kind: 'too_large'; sizeBytes: number; sha256: string }>;
  close(): void;
};

// SFTP status codes (draft-ietf-secsh-filexfer-02 §7) that concern a path, not the connection.
const PATH_STATUS = new Set([2, 3]);

export function openSftpSession(t: SftpTarget): Promise<SftpSession> {
  const client = new Client();
  const where = `${t.username}@${t.host}:${t.port}`;
  let refusedKey: Buffer | null = null;
  let ready = false;
  let lostWith: SftpError | null = null;
  const onLost = new Set<(e: SftpError) => void>();
  const lose = (e: SftpError) => {
    if (lostWith) return;
    lostWith = e;
    for (const f of onLost) f(e);
    client.destroy();
  };

  return new Promise<SftpSession>((resolve, reject) => {
    const fail = (e: SftpError) => {
      if (ready) lose(e);
      else {
        ready = true; // settle once
        client.destroy();
        reject(e);
      }
    };
    client.on('error', (err) => {
      if (refusedKey) {
        fail(
          new SftpError(
            'HOST_KEY_MISMATCH',
            `${where} presented host key ${fingerprintOf(refusedKey)} (${keyTypeOf(refusedKey)}), not the configured ${t.knownHostKey.fingerprint}: refusing to connect. If the server's key was changed on purpose, put its new public key in sftp.knownHostKey.`,
            { cause: err },
          ),
        );
      } else if ((err as { level?: unknown }).level === 'client-authentication')
        fail(
          new SftpError(
            'AUTH_FAILED',
            `${where} refused our key (${err.message}): put the public key of sftp.privateKeyPath in ${t.username}'s authorized_keys`,
            { cause: err },
          ),
        );
      else
        fail(new SftpError(ready ? 'CONNECTION_LOST' : 'CONNECT_FAILED', `${where}: ${err.message}`, { cause: err }));
    });
    client.on('close', () =>
      fail(new SftpError(ready ? 'CONNECTION_LOST' : 'CONNECT_FAILED', `${where}: connection closed`)),
    );
    client.on('ready', () => {
      client.sftp((err, sftp) => {
        if (err)
          return fail(new SftpError('CONNECT_FAILED', `${where}: no SFTP subsystem: ${err.message}`, { cause: err }));
        ready = true;
        resolve(session(sftp));
      });
    });
    const serverHostKey = hostKeyAlgorithms(t.knownHostKey);
    client.connect({
      host: t.host,
      port: t.port,
      username: t.username,
      privateKey: t.privateKey,
      ...(t.passphrase === undefined ? {} : { passphrase: t.passphrase }),
      ...(t.sock === undefined ? {} : { sock: t.sock as never }),
      readyTimeout: t.readyTimeoutMs,
      keepaliveInterval: t.keepaliveMs,
      keepaliveCountMax: 3,
      ...(serverHostKey ? { algorithms: { serverHostKey: serverHostKey as never } } : {}),
      hostVerifier: (key: Buffer) => {
        if (hostKeyMatches(t.knownHostKey, key)) return true;
        refusedKey = Buffer.from(key);
        return false;
      },
    });
  });

  function bounded<T>(
    what: string,
    op: (done: (err: Error | null | undefined, value?: T) => void) => void,
  ): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      if (lostWith) return reject(lostWith);
      let settled = false;
      const finish = (e: Error | null, v?: T) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        onLost.delete(lost);
        if (e) reject(e);
        else resolve(v as T);
      };
      const lost = (e: SftpError) => finish(e);
      const timer = setTimeout(() => {
        const e = new SftpError('TIMEOUT', `${where}: ${what} took longer than ${t.opTimeoutMs} ms`);
        finish(e);
        lose(e);
      }, t.opTimeoutMs);
      onLost.add(lost);
      op((err, value) => {
        if (!err) return finish(null, value);
        const status = (err as { code?: unknown }).code;
        if (typeof status === 'number' && PATH_STATUS.has(status))
          return finish(new SftpError('REMOTE_PATH', `${where}: ${what}: ${err.message}`, { cause: err }));
        finish(lostWith ?? new SftpError('CONNECTION_LOST', `${where}: ${what}: ${err.message}`, { cause: err }));
      });
    });
  }

  function session(sftp: SFTPWrapper): SftpSession {
    return {
      list: (dir) =>
        bounded<RemoteEntry[]>(`listing ${dir}`, (done) =>
          sftp.readdir(dir, (err, list) => {
            if (err) return done(err);
            done(
              null,
              list.map((e) => ({
                name: e.filename,
                size: Number(e.attrs.size),
                mtimeMs: Number(e.attrs.mtime) * 1000,
                kind: kindOf(e.attrs),
              })),
            );
          }),
        ),
      lstat: (path) =>
        bounded<RemoteKind>(`checking ${path}`, (done) =>
          sftp.lstat(path, (err, attrs) => (err ? done(err) : done(null, kindOf(attrs)))),
        ),
      read: async (path, maxBytes) => {
        const head = await bounded<Buffer>(`reading ${path}`, (done) => collect(sftp, path, maxBytes + 1, null, done));
        if (head.length <= maxBytes) return head;
        const hash = createHash('sha256');
        const sizeBytes = await bounded<number>(`hashing ${path}`, (done) => collect(sftp, path, null, hash, done));
        return { kind: 'too_large' as const, sizeBytes, sha256: hash.digest('hex') };
      },
      close() {
        // Operations in flight fail now (a stop must not wait for their timeout), then the connection ends.
        if (!lostWith) {
          const closed = new SftpError('CONNECTION_LOST', `${where}: closed`);
          lostWith = closed;
          for (const f of onLost) f(closed);
        }
        client.end();
        setTimeout(() => client.destroy(), 1000).unref();
      },
    };
  }
}

/**
 * Streams a remote file: keeps at most `keep` bytes (null: none), and feeds every chunk to `hash`.
 * Answers the kept bytes, or, when hashing, the size read.
 */
function collect<T>(
  sftp: SFTPWrapper,
  path: string,
  keep: number | null,
  hash: Hash | null,
  done: (err: Error | null, value?: T) => void,
): void {
  const stream = sftp.createReadStream(path, keep === null ? {} : { start: 0, end: keep - 1 });
  const chunks: Buffer[] = [];
  let size = 0;
  stream.on('data', (c: Buffer) => {
    size += c.length;
    hash?.update(c);
    if (keep !== null) chunks.push(c);
  });
  stream.on('error', (e: Error) => done(e));
  stream.on('end', () => done(null, (keep === null ? size : Buffer.concat(chunks)) as T));
}
