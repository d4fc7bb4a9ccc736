// Reading local files without following links or blocking on a FIFO (readPaths.ts), on a real folder.
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { listFiles, readRegularFile } from '../../../src/sources/readPaths.ts';

const root = mkdtempSync(join(tmpdir(), 'etl-readpaths-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

const dir = join(root, 'watched');
const outside = join(root, 'outside');
mkdirSync(dir);
mkdirSync(join(outside, 'sub'), { recursive: true });
writeFileSync(join(outside, 'secret'), 'secret bytes');
writeFileSync(join(outside, 'sub', 'b.txt'), 'b');
writeFileSync(join(dir, 'a.txt'), 'a');
symlinkSync(join(outside, 'secret'), join(dir, 'link.txt'));
symlinkSync(join(outside, 'sub'), join(dir, 'linked-folder'));
execFileSync('mkfifo', [join(dir, 'fifo.txt')]);

describe('readRegularFile', () => {
  it('reads a regular file', async () => {
    expect(
      Buffer.from((await readRegularFile(join(dir, 'a.txt'), { maxBytes: 1 << 20 })) as Uint8Array).toString(),
    ).toBe('a');
  });

  it('refuses a symbolic link at the open (O_NOFOLLOW), unless followLinks', async () => {
    expect(await readRegularFile(join(dir, 'link.txt'), { maxBytes: 1 << 20 })).toBe('symlink');
    expect(
      Buffer.from(
        (await readRegularFile(join(dir, 'link.txt'), { followLinks: true, maxBytes: 1 << 20 })) as Uint8Array,
      ).toString(),
    ).toBe('secret bytes');
  });

  it('does not block on a FIFO without a writer: not_a_file, followed or not', async () => {
    expect(await readRegularFile(join(dir, 'fifo.txt'), { maxBytes: 1 << 20 })).toBe('not_a_file');
    expect(await readRegularFile(join(dir, 'fifo.txt'), { followLinks: true, maxBytes: 1 << 20 })).toBe('not_a_file');
  });

  it('throws what is not about the kind of file (a missing file)', async () => {
    await expect(readRegularFile(join(dir, 'gone.txt'), { maxBytes: 1 << 20 })).rejects.toMatchObject({
      code: 'ENOENT',
    });
  });
});

describe('listFiles', () => {
  it('lists links (to a file or a folder) and FIFOs as skipped and never walks into a linked folder', async () => {
    expect(await listFiles([dir])).toEqual({
      files: [join(dir, 'a.txt')],
      skipped: [
        { file: join(dir, 'fifo.txt'), reason: 'not_a_file' },
        { file: join(dir, 'link.txt'), reason: 'symlink' },
        { file: join(dir, 'linked-folder'), reason: 'symlink' },
      ],
    });
  });

  it('with followLinks, follows them as before (the FIFO is still skipped)', async () => {
    expect(await listFiles([dir], { followLinks: true })).toEqual({
      files: [join(dir, 'a.txt'), join(dir, 'link.txt'), join(dir, 'linked-folder', 'b.txt')],
      skipped: [{ file: join(dir, 'fifo.txt'), reason: 'not_a_file' }],
    });
  });
});
