import { availableParallelism } from 'node:os';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    globalSetup: ['./tests/support/globalSetup.ts'],
    include: ['tests/**/*.test.ts'],
    // Vitest's default (cores − 1) runs one file at a time on a 2-core machine, where most files wait
    // on child processes, sshd, Kafka or PostgreSQL: two at a time took the suite from 654 to 418 s
    // with every test passing. Files are isolated by unique database and folder names
    // (tests/support/databases.ts), so any number may run side by side.
    maxWorkers: Math.max(2, availableParallelism() - 1),
    // Hang guards, not timing assertions: two files side by side stretch a test by up to 1.6× here,
    // and a slow CI machine by as much again.
    testTimeout: 120_000,
    hookTimeout: 180_000,
    pool: 'forks',
  },
});
