// Starts the peers a test run needs unless .ci/run already did (it exports their env): a fresh
// PostgreSQL database per run, and one initialised PGlite folder that tests copy (creating a
// PGlite data folder costs ~5 s; copying one costs milliseconds).
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import type { TestProject } from 'vitest/node';

let createdDatabase = false;
let templateRoot = '';

export async function setup(project: TestProject) {
  if (!process.env.DATABASE_URL) {
    try {
      const out = execFileSync('bash', ['.ci/pg-testdb.sh', 'up'], { encoding: 'utf8' });
      for (const [, k, v] of out.matchAll(/(\w+)=(\S+)/g)) process.env[k!] = v!;
      createdDatabase = true;
    } catch (e) {
      console.warn(`no PostgreSQL for this run; PostgreSQL tests are skipped (${(e as Error).message})`);
    }
  }
  templateRoot = mkdtempSync(join(tmpdir(), 'etl-pglite-template-'));
  const template = await PGlite.create(join(templateRoot, 'pgdata'));
  await template.close();
  project.provide('DATABASE_URL', process.env.DATABASE_URL ?? '');
  project.provide('PGLITE_TEMPLATE', templateRoot);
}

export async function teardown() {
  if (templateRoot) rmSync(templateRoot, { recursive: true, force: true });
  await dropPerTestDatabases();
  if (createdDatabase) execFileSync('bash', ['.ci/pg-testdb.sh', 'down'], { stdio: 'inherit' });
}

/** Tests create databases named after the run's database (tests/support/databases.ts); drop them all. */
async function dropPerTestDatabases() {
  const url = process.env.DATABASE_URL;
  if (!url) return;
  const { default: pg } = await import('pg');
  const admin = new pg.Client({ connectionString: url });
  await admin.connect();
  try {
    const runDb = new URL(url).pathname.slice(1);
    const { rows } = await admin.query<{ datname: string }>(
      'select datname from pg_database where starts_with(datname, $1)',
      [`${runDb}_`],
    );
    for (const { datname } of rows) await admin.query(`drop database if exists "${datname}" with (force)`);
  } finally {
    await admin.end();
  }
}
