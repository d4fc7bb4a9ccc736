// Writing and reading the lines of a backup: gzip on the outside, sha256 of the uncompressed
// bytes, backpressure on write, Buffers split at newlines on read (the hash sees exactly the bytes
// written, never a re-encoding of them).
import { createHash } from 'node:crypto';
import { once } from 'node:events';
import type { Readable, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGunzip, createGzip } from 'node:zlib';
import { MAX_LINE_BYTES } from './format.ts';

export type LineWriter = {
  write(line: string): Promise<void>;
  /** Lines written so far and the sha256 of their bytes. */
  readonly lines: number;
  digest(): string;
  /** Writes the last line (not hashed), ends the gzip stream, waits until `out` has everything. */
  end(last: string): Promise<void>;
  /** Stops, dropping what is buffered (the caller removes a partial file). */
  abort(e: Error): void;
};

export function lineWriter(out: Writable, opts: { endOutput?: boolean } = {}): LineWriter {
  const gzip = createGzip();
  const finished = pipeline(gzip, out, { end: opts.endOutput ?? true });
  finished.catch(() => {}); // awaited by write() and end(); never left unhandled
  const hash = createHash('sha256');
  let lines = 0;
  return {
    async write(line) {
      const buf = Buffer.from(`${line}\n`, 'utf8');
      hash.update(buf);
      lines++;
      if (!gzip.write(buf)) await Promise.race([once(gzip, 'drain'), finished]);
    },
    get lines() {
      return lines;
    },
    digest: () => hash.copy().digest('hex'),
    async end(last) {
      gzip.end(Buffer.from(`${last}\n`, 'utf8'));
      await finished;
    },
    abort(e) {
      gzip.destroy(e);
    },
  };
}

export class DamagedBackup extends Error {}

/**
 * The lines of a gzip'd stream as Buffers without their newline. A last line without one, a line
 * over MAX_LINE_BYTES, or a gzip stream that ends early or fails its CRC is damage.
 */
export async function* readLines(input: Readable): AsyncGenerator<Buffer> {
  const gunzip = createGunzip();
  input.on('error', (e) => gunzip.destroy(e));
  input.pipe(gunzip);
  let pending: Buffer[] = [];
  let pendingBytes = 0;
  try {
    for await (const chunk of gunzip as AsyncIterable<Buffer>) {
      let start = 0;
      for (let nl = chunk.indexOf(10, start); nl >= 0; nl = chunk.indexOf(10, start)) {
        const part = chunk.subarray(start, nl);
        yield pending.length > 0 ? Buffer.concat([...pending, part]) : part;
        pending = [];
        pendingBytes = 0;
        start = nl + 1;
      }
      if (start < chunk.length) {
        pending.push(chunk.subarray(start));
        pendingBytes += chunk.length - start;
        if (pendingBytes > MAX_LINE_BYTES) throw new DamagedBackup(`a line longer than ${MAX_LINE_BYTES} bytes`);
      }
    }
  } catch (e) {
    if (e instanceof DamagedBackup) throw e;
    const err = e as NodeJS.ErrnoException;
    if (err.code?.startsWith('Z_') || /unexpected end of file|incorrect header check|invalid/i.test(err.message))
      throw new DamagedBackup(`not a complete gzip stream (${err.message})`);
    throw e;
  } finally {
    input.unpipe(gunzip);
    gunzip.destroy();
    // A reader that stopped early (a damaged line, a failed insert) lets go of the file at once.
    if (input !== process.stdin) input.destroy();
  }
  if (pendingBytes > 0) throw new DamagedBackup('the last line is cut off');
}
