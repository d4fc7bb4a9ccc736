// Starts the peers a test run needs unless .ci/run already did (it exports their env):
// a fresh PostgreSQL database per run. Tests read it with inject('DATABASE_URL').
import { execFileSync } from 'node:child_process';
import type { TestProject } from 'vitest/node';

let createdDatabase = false;

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
  project.provide('DATABASE_URL', process.env.DATABASE_URL ?? '');
}

export async function teardown() {
  if (createdDatabase) execFileSync('bash', ['.ci/pg-testdb.sh', 'down'], { stdio: 'inherit' });
}

declare module 'vitest' {
  export interface ProvidedContext {
    DATABASE_URL: string;
  }
}
