// `et-ledger run` loads the Discord, Kafka, SSH and chart modules only when they are configured
// (README "Benchmarks", idle RSS: together ≈ 50 MB of an idle service that uses none of them). The
// real executable is started with a preloaded module that writes, at exit, every CommonJS module the
// process loaded (these packages are CommonJS, so an `import` of them lands in require.cache too).
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { binPath } from '../support/cli.ts';
import { freshPgliteDir, freshPostgresUrl, postgresAvailable } from '../support/databases.ts';
import { collectJsonLog } from '../support/jsonLog.ts';

const recorder = `import module, { createRequire } from 'node:module';
import { writeFileSync } from 'node:fs';
const require = createRequire(import.meta.url);
const esm = new Set();
// ES modules (PGlite is one) do not land in require.cache: their loads are recorded as they resolve.
module.registerHooks?.({
  resolve(specifier, context, next) {
    const r = next(specifier, context);
    esm.add(r.url.replace(/^file:\\/\\//, ''));
    return r;
  },
});
process.on('exit', () =>
  writeFileSync(process.env.LOADED_OUT, JSON.stringify([...Object.keys(require.cache), ...esm])),
);
`;

/**
 * The packages a run on PostgreSQL without Discord, Kafka and SFTP must not load: those adapters,
 * the chart canvas, and the drivers of the other stores (PGlite, the EventStoreDB client and gRPC).
 */
const optional = [
  'discord.js',
  'kafkajs',
  'ssh2',
  '@napi-rs/canvas',
  '@electric-sql/pglite',
  '@eventstore/db-client',
  '@grpc/grpc-js',
];

const packagesOf = (files: string[]) =>
  new Set(files.flatMap((f) => /node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(f)?.[1] ?? []));

describe('et-ledger run without Discord, Kafka or SFTP', () => {
  it("never loads discord.js, kafkajs, ssh2, the chart canvas or another store's driver, and does load pg", async () => {
    const dir = mkdtempSync(join(tmpdir(), 'etl-lazy-'));
    const hook = join(dir, 'recordLoaded.mjs');
    writeFileSync(hook, recorder);
    const out = join(dir, 'loaded.json');
    const pgliteDir = postgresAvailable() ? null : freshPgliteDir();
    const store = pgliteDir ? `pglite:${pgliteDir}` : `postgres:${await freshPostgresUrl('lazy')}`;
    const env: NodeJS.ProcessEnv = { ...process.env };
    for (const k of Object.keys(env)) if (/^(ET_LEDGER_|KAFKA_|DISCORD_)/.test(k)) delete env[k];
    const child = spawn(process.execPath, ['--import', hook, binPath, 'run'], {
      cwd: dir,
      env: {
        ...env,
        LOADED_OUT: out,
        ET_LEDGER_STORE: store,
        ET_LEDGER_SERVER_ID: 'eu1',
        ET_LEDGER_TZ: 'Europe/Ljubljana',
        ET_LEDGER_WATCH_DIR: dir,
        ET_LEDGER_HTTP_HOST: '127.0.0.1',
        ET_LEDGER_HTTP_PORT: '0',
        ET_LEDGER_LOG_LEVEL: 'info',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const log = collectJsonLog(child);
    try {
      const deadline = Date.now() + 90_000;
      while (!log.lines.some((l) => l.msg === 'et-ledger is running')) {
        if (child.exitCode !== null) throw new Error(`run exited early (${child.exitCode}):\n${log.stderr()}`);
        if (Date.now() > deadline) throw new Error(`run did not start within 90 s:\n${log.stderr()}`);
        await new Promise((r) => setTimeout(r, 50));
      }
      const exited = once(child, 'exit');
      child.kill('SIGTERM');
      const [code] = await exited;
      expect(code, log.stderr()).toBe(0);
      expect(existsSync(out), log.stderr()).toBe(true);
      const loaded = packagesOf(JSON.parse(readFileSync(out, 'utf8')) as string[]);
      // The recorder sees CommonJS packages: pg is one, and a run on PostgreSQL or PGlite loads it.
      expect(loaded.has('pg')).toBe(true);
      expect(optional.filter((p) => loaded.has(p) && !(pgliteDir && p === '@electric-sql/pglite'))).toEqual([]);
    } finally {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      rmSync(dir, { recursive: true, force: true });
      if (pgliteDir) rmSync(pgliteDir, { recursive: true, force: true });
    }
  }, 120_000);
});
