// Writing an export to standard output: in chunks, waiting for 'drain' whenever the stream says
// its buffer is full (a slow reader slows the export; memory does not grow), and noticing a reader
// that went away (`export … | head -1`: EPIPE) so the export stops quietly instead of crashing.
import { LedgerError } from '../errors.ts';

/** Thrown by write() once the reader has gone (EPIPE): not a failure, the export just stops. */
export class ReaderGone extends Error {
  constructor(cause: unknown) {
    super('the reader of the output went away', { cause });
    this.name = 'ReaderGone';
  }
}

const goneCodes = new Set(['EPIPE', 'ERR_STREAM_DESTROYED', 'ECONNRESET']);

export type ChunkWriter = {
  /** Queues text; resolves when more may be written (at once, or after 'drain'). */
  write(text: string): Promise<void>;
  /** Resolves when everything written has been handed to the operating system. */
  flush(): Promise<void>;
};

/**
 * A writer over a stream the process does not own and never ends (process.stdout). Its 'error'
 * listener stays for the life of the stream: an EPIPE can arrive after the export has returned,
 * and an 'error' nobody listens to ends the process with a stack trace.
 */
export function chunkWriter(stream: NodeJS.WritableStream): ChunkWriter {
  let failure: unknown = null;
  const wakers = new Set<() => void>();
  const wake = () => {
    for (const w of wakers) w();
    wakers.clear();
  };
  stream.on('error', (e: NodeJS.ErrnoException) => {
    failure ??= e;
    wake();
  });
  stream.on('close', wake);
  const check = () => {
    if (failure === null) return;
    const code = (failure as NodeJS.ErrnoException).code ?? '';
    if (goneCodes.has(code)) throw new ReaderGone(failure);
    throw new LedgerError('SINK_REJECTED', `cannot write the export: ${(failure as Error).message}`, {
      cause: failure,
    });
  };
  const drained = () =>
    new Promise<void>((resolve) => {
      const done = () => {
        stream.off('drain', done);
        wakers.delete(done);
        resolve();
      };
      wakers.add(done);
      stream.on('drain', done);
    });
  const writable = stream as NodeJS.WritableStream & { destroyed?: boolean };
  return {
    async write(text) {
      check();
      if (writable.destroyed) throw new ReaderGone(new Error('the output stream is closed'));
      if (!stream.write(text)) await drained();
      check();
    },
    async flush() {
      check();
      if (writable.destroyed) return;
      // A write's callback runs once it and every write before it are done (or failed).
      await new Promise<void>((resolve) => {
        wakers.add(resolve);
        stream.write('', () => {
          wakers.delete(resolve);
          resolve();
        });
      });
      check();
    },
  };
}
