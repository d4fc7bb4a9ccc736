// Isolation by unique names, not teardown: each caller gets its own PostgreSQL database or PGlite folder.
import { cpSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { inject } from 'vitest';

export const postgresAvailable = (): boolean => inject('DATABASE_URL') !== '';

let counter = 0;
/** Creates a new database on the run's PostgreSQL server and returns its URL. */
export async function freshPostgresUrl(label = 't'): Promise<string> {
  const base = new URL(inject('DATABASE_URL'));
  const name = `${base.pathname.slice(1)}_${label}_${process.pid}_${++counter}`
    .toLowerCase()
    .replace(/[^a-z0-9_]/g, '_')
    .slice(0, 60);
  const admin = new pg.Client({ connectionString: base.toString() });
  await admin.connect();
  try {
    await admin.query(`create database "${name}"`);
  } finally {
    await admin.end();
  }
  base.pathname = `/${name}`;
  return base.toString();
}

/** A copy of the run's initialised PGlite folder (a store folder: pgdata/ inside). */
export function freshPgliteDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'etl-pglite-'));
  cpSync(inject('PGLITE_TEMPLATE'), dir, { recursive: true });
  return dir;
}
