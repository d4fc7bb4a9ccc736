// Reading local files without being led elsewhere: a symbolic link is never followed unless asked
// (`ln -s /etc/shadow WATCH/x.txt` must not put the shadow file into the log), and a FIFO, device or
// socket is never read (a read of a FIFO blocks forever). The check on listing (lstat) is repeated
// when the file is opened (O_NOFOLLOW | O_NONBLOCK, then fstat on the open file), so a file swapped
// for a link or a FIFO between the two is still refused.
import { createHash } from 'node:crypto';
import { constants, type PathLike } from 'node:fs';
import { type FileHandle, lstat, open, readdir, stat } from 'node:fs/promises';
import { join, resolve } from 'node:path';

/** Why an entry was not read: a symbolic link (not followed), or not a regular file (FIFO, device, socket). */
export type SkipReason = 'symlink' | 'not_a_file';

export type Skipped = { file: string; reason: SkipReason };

export const skipReasonText: Record<SkipReason, string> = {
  symlink: 'a symbolic link, not followed',
  not_a_file: 'not a regular file (FIFO, device or socket)',
};

export type ReadOptions = {
  /** Follow symbolic links (as `ingest --follow-links`); default: a link is skipped. */
  followLinks?: boolean;
};

export type Listing = { files: string[]; skipped: Skipped[] };

/**
 * Every regular file under the given paths (files as given, folders recursively), in name order;
 * hidden entries skipped. Symbolic links — named on the command line or found in a folder — are listed
 * in `skipped` unless `followLinks`; so are FIFOs, devices and sockets.
 */
export async function listFiles(paths: string[], opts: ReadOptions = {}): Promise<Listing> {
  const files: string[] = [];
  const skipped: Skipped[] = [];
  const walk = async (p: string) => {
    const s = await (opts.followLinks ? stat(p) : lstat(p));
    if (s.isFile()) files.push(resolve(p));
    else if (s.isDirectory()) {
      const names = (await readdir(p)).filter((n) => !n.startsWith('.')).sort();
      for (const n of names) await walk(join(p, n));
    } else skipped.push({ file: resolve(p), reason: s.isSymbolicLink() ? 'symlink' : 'not_a_file' });
  };
  for (const p of paths) await walk(p);
  return { files, skipped };
}

const { O_RDONLY, O_NOFOLLOW, O_NONBLOCK } = constants;

/** A file over the cap: hashed as a stream, never held (it becomes a small fact: identifyOversized). */
export type Oversized = { kind: 'too_large'; sizeBytes: number; sha256: string };

/**
 * The bytes of a regular file, or why it was not read. Without `followLinks` the file is opened with
 * O_NOFOLLOW (ELOOP: it is a link now); O_NONBLOCK keeps the open of a FIFO from waiting for a writer,
 * and the open file must be a regular file. Never more than `maxBytes` + 1 byte is held: the size
 * is checked before reading, and a file that grows while it is read is caught by the extra byte.
 * Other errors (ENOENT, EACCES) are thrown.
 */
export async function readRegularFile(
  path: PathLike,
  opts: ReadOptions & { maxBytes: number },
): Promise<Uint8Array | Oversized | SkipReason> {
  let fh: FileHandle;
  try {
    fh = await open(path, O_RDONLY | O_NONBLOCK | (opts.followLinks ? 0 : O_NOFOLLOW));
  } catch (e) {
    if (!opts.followLinks && (e as NodeJS.ErrnoException).code === 'ELOOP') return 'symlink';
    throw e;
  }
  try {
    const st = await fh.stat();
    if (!st.isFile()) return 'not_a_file';
    if (st.size > opts.maxBytes) return await hashWhole(fh);
    // Room for the size seen and one byte more: a file that grew while read comes back longer than
    // it was listed (the watcher takes it when it is still), never more than the cap + 1.
    const buf = Buffer.allocUnsafe(Math.min(st.size, opts.maxBytes) + 1);
    let n = 0;
    for (;;) {
      const { bytesRead } = await fh.read(buf, n, buf.length - n, n);
      if (bytesRead === 0) break;
      n += bytesRead;
      if (n > opts.maxBytes) return await hashWhole(fh);
      if (n === buf.length) break;
    }
    return new Uint8Array(buf.subarray(0, n));
  } finally {
    await fh.close();
  }
}

export const isOversized = (r: unknown): r is Oversized =>
  typeof r === 'object' && r !== null && (r as { kind?: unknown }).kind === 'too_large';

async function hashWhole(fh: FileHandle): Promise<Oversized> {
  const hash = createHash('sha256');
  let size = 0;
  const chunk = Buffer.allocUnsafe(1 << 20);
  for (;;) {
    const { bytesRead } = await fh.read(chunk, 0, chunk.length, size);
    if (bytesRead === 0) break;
    hash.update(chunk.subarray(0, bytesRead));
    size += bytesRead;
  }
  return { kind: 'too_large', sizeBytes: size, sha256: hash.digest('hex') };
}
