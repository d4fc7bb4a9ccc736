import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** A fresh PostgreSQL database for one bench run (DATABASE_URL's server, else the local 5432). */
export function withBenchDatabase(): { url: string; drop: () => void } | null {
  const base = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
  const name = `etl_bench_${process.pid}_${Date.now()}`;
  try {
    const u = new URL(base);
    execFileSync('createdb', ['-h', u.hostname, '-p', u.port || '5432', '-U', u.username || 'postgres', name]);
    u.pathname = `/${name}`;
    return {
      url: u.toString(),
      drop: () =>
        execFileSync('dropdb', [
          '-h',
          u.hostname,
          '-p',
          u.port || '5432',
          '-U',
          u.username || 'postgres',
          '--force',
          name,
        ]),
    };
  } catch (e) {
    console.error(`no PostgreSQL for the bench (${(e as Error).message.split('\n')[0]}): PostgreSQL rows skipped`);
    return null;
  }
}

export function tempDir(label: string): { dir: string; remove: () => void } {
  const dir = mkdtempSync(join(tmpdir(), `etl-bench-${label}-`));
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

const checkout = fileURLToPath(new URL('../', import.meta.url));

/** A fresh folder in the checkout's git-ignored tmp/: where a build must sit to find node_modules. */
export function checkoutTempDir(label: string): { dir: string; remove: () => void } {
  mkdirSync(join(checkout, 'tmp'), { recursive: true });
  const dir = mkdtempSync(join(checkout, 'tmp', `bench-${label}-`));
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

export async function timed<T>(work: () => Promise<T>): Promise<{ ms: number; value: T }> {
  const t0 = process.hrtime.bigint();
  const value = await work();
  return { ms: Number(process.hrtime.bigint() - t0) / 1e6, value };
}

export function table(rows: Record<string, string | number>[]): void {
  if (rows.length === 0) return;
  const keys = Object.keys(rows[0]!);
  const cell = (v: string | number) => (typeof v === 'number' ? (Number.isInteger(v) ? String(v) : v.toFixed(2)) : v);
  const widths = keys.map((k) => Math.max(k.length, ...rows.map((r) => cell(r[k] ?? '').length)));
  const line = (vals: string[]) =>
    vals.map((v, i) => (i === 0 ? v.padEnd(widths[i]!) : v.padStart(widths[i]!))).join('  ');
  console.log(line(keys));
  console.log(widths.map((w) => '-'.repeat(w)).join('  '));
  for (const r of rows) console.log(line(keys.map((k) => cell(r[k] ?? ''))));
}

/**
 * The compiled tree as a production install runs it (`deploy/build.mjs --no-check`, into `dir`,
 * which must sit under the checkout so that its packages resolve from node_modules); with bench/
 * too when `withBench`. Throws with the build's output when it fails.
 */
export function buildCompiled(dir: string, opts: { withBench?: boolean } = {}): void {
  const args = [join(checkout, 'deploy/build.mjs'), '--out-dir', dir, '--no-check'];
  if (opts.withBench) args.push('--with-bench');
  const built = spawnSync(process.execPath, args, { cwd: checkout, encoding: 'utf8' });
  if (built.status !== 0) throw new Error(`the build failed:\n${built.stdout}${built.stderr}`);
}
