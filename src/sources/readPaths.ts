import { readdir, readFile, stat } from 'node:fs/promises';
import { join, resolve } from 'node:path';

/** Every regular file under the given paths (files as given, folders recursively), in name order; hidden entries skipped. */
export async function listFiles(paths: string[]): Promise<string[]> {
  const out: string[] = [];
  const walk = async (p: string) => {
    const s = await stat(p);
    if (s.isFile()) out.push(resolve(p));
    else if (s.isDirectory()) {
      const names = (await readdir(p)).filter((n) => !n.startsWith('.')).sort();
      for (const n of names) await walk(join(p, n));
    }
  };
  for (const p of paths) await walk(p);
  return out;
}

export const readBytes = async (path: string): Promise<Uint8Array> => new Uint8Array(await readFile(path));
