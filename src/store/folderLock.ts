// One owner per store folder: a lock file holding the owner's pid. The embedded stores (PGlite, and
// PostgreSQL run from the folder) belong to the process that opened them; a second process would
// corrupt PGlite or stop the other's server. A lock whose process is gone is stale and taken over.
import { closeSync, mkdirSync, openSync, readFileSync, rmSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { LedgerError } from '../errors.ts';

const openedHere = new Set<string>();

/** Takes `dir`'s lock (creating the folder); returns its release. `what` names the store in errors. */
export function lockFolder(dir: string, what: string): () => void {
  mkdirSync(dir, { recursive: true });
  const lockPath = join(dir, 'et-ledger.lock');
  if (openedHere.has(lockPath))
    throw new LedgerError('STORE_LOCKED', `the ${what} store ${dir} is already open in this process (${process.pid})`);
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const fd = openSync(lockPath, 'wx');
      writeSync(fd, String(process.pid));
      closeSync(fd);
      openedHere.add(lockPath);
      return () => {
        openedHere.delete(lockPath);
        rmSync(lockPath, { force: true });
      };
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
      const holder = Number(readFileSync(lockPath, 'utf8'));
      if (holder && holder !== process.pid && isAlive(holder))
        throw new LedgerError(
          'STORE_LOCKED',
          `the ${what} store ${dir} is in use by process ${holder}; stop it, or use a PostgreSQL store (--store postgres:…) to share one log between processes`,
        );
      rmSync(lockPath, { force: true }); // stale: its process is gone
    }
  }
  throw new LedgerError('STORE_LOCKED', `cannot lock the ${what} store ${dir}: ${lockPath} keeps reappearing`);
}

export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}
