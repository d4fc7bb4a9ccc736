// Writing an export: a full buffer waits for 'drain' (memory does not grow with a slow reader);
// a reader that went away (EPIPE) stops the export quietly; another write error is reported.
import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { chunkWriter, ReaderGone } from '../../../src/export/output.ts';

describe('chunkWriter', () => {
  it('waits for the reader when the stream says it is full', async () => {
    const taken: string[] = [];
    let release: (() => void) | null = null;
    const slow = new Writable({
      highWaterMark: 8,
      write(chunk, _enc, done) {
        taken.push(String(chunk));
        release = done;
      },
    });
    const out = chunkWriter(slow);
    let resolved = false;
    const first = out.write('0123456789').then(() => {
      resolved = true;
    });
    await new Promise((r) => setTimeout(r, 20));
    expect(resolved).toBe(false); // above the high-water mark: held until the reader takes it
    release!();
    await first;
    expect(resolved).toBe(true);
    expect(taken).toEqual(['0123456789']);
  });

  it('turns EPIPE into ReaderGone, and keeps listening so a late EPIPE is no crash', async () => {
    const pipe = new Writable({
      write(_chunk, _enc, done) {
        done(Object.assign(new Error('write EPIPE'), { code: 'EPIPE' }));
      },
    });
    const out = chunkWriter(pipe);
    await out.write('a\n').catch(() => {});
    await new Promise((r) => setImmediate(r));
    await expect(out.write('b\n')).rejects.toBeInstanceOf(ReaderGone);
    expect(pipe.listenerCount('error')).toBeGreaterThan(0);
  });

  it('reports another write error', async () => {
    const full = new Writable({
      write(_chunk, _enc, done) {
        done(Object.assign(new Error('no space left on device'), { code: 'ENOSPC' }));
      },
    });
    const out = chunkWriter(full);
    await out.write('a\n').catch(() => {});
    await new Promise((r) => setImmediate(r));
    await expect(out.write('b\n')).rejects.toThrow(/cannot write the export: no space left on device/);
  });
});
