// Reads a file without ever holding more than the cap (ET_LEDGER_MAX_FILE_BYTES) + 1 byte: the
// size is checked before reading, and a file that grows while it is read is caught by the extra
// byte. An oversized file is hashed as a stream and becomes a small fact (name, size, sha256,
// reason), never its bytes: a 300 MB file costs a hash, not 300 MB of heap or a row in the log.
import { createHash } from 'node:crypto';
import { constants, type FileHandle, open } from 'node:fs/promises';

export type BoundedRead =
  | { kind: 'bytes'; bytes: Uint8Array }
  | { kind: 'too_large'; sizeBytes: number; sha256: string }
  /** Not a regular file (a FIFO, a device, a directory): never read, it could block forever. */
  | { kind: 'not_a_file' };

export async function readBounded(
  path: string,
  maxBytes: number,
  opts: { followLinks?: boolean } = {},
): Promise<BoundedRead> {
  // O_NONBLOCK: opening a FIFO must not wait for a writer; O_NOFOLLOW: a link swapped in is refused (ELOOP).
  const flags = constants.O_RDONLY | constants.O_NONBLOCK | (opts.followLinks ? 0 : constants.O_NOFOLLOW);
  const fh = await open(path, flags);
  try {
    const st = await fh.stat();
    if (!st.isFile()) return { kind: 'not_a_file' };
    if (st.size > maxBytes) return await tooLarge(fh);
    const buf = Buffer.allocUnsafe(maxBytes + 1);
    let n = 0;
    for (;;) {
      const { bytesRead } = await fh.read(buf, n, buf.length - n, n);
      if (bytesRead === 0) break;
      n += bytesRead;
      if (n > maxBytes) return await tooLarge(fh);
    }
    return { kind: 'bytes', bytes: new Uint8Array(buf.buffer, buf.byteOffset, n).slice() };
  } finally {
    await fh.close();
  }
}

async function tooLarge(fh: FileHandle): Promise<BoundedRead> {
  const hash = createHash('sha256');
  let size = 0;
  const chunk = Buffer.allocUnsafe(1 << 20);
  for (let pos = 0; ; ) {
    const { bytesRead } = await fh.read(chunk, 0, chunk.length, pos);
    if (bytesRead === 0) break;
    hash.update(chunk.subarray(0, bytesRead));
    size += bytesRead;
    pos += bytesRead;
  }
  return { kind: 'too_large', sizeBytes: size, sha256: hash.digest('hex') };
}
