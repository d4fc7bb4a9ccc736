// `npm run build` (deploy/build.mjs): the compiled tree a production install runs, and the one the
// ingest bench measures its cases in (`--with-bench`: bench/ beside src/, so that the bench's peak
// RSS is the installed program's and not tsx's loader's). Both must find their read models and
// start; a production build must not carry the bench.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('../../', import.meta.url));
// Under the checkout: the compiled modules resolve their packages from its node_modules.
mkdirSync(join(root, 'tmp'), { recursive: true });
const work = mkdtempSync(join(root, 'tmp', 'build-test-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

const build = (out: string, ...flags: string[]) =>
  spawnSync(process.execPath, [join(root, 'deploy/build.mjs'), '--out-dir', out, '--no-check', ...flags], {
    cwd: root,
    encoding: 'utf8',
  });

describe('deploy/build.mjs', () => {
  it('builds the service without the bench, and the compiled command runs', () => {
    const out = join(work, 'dist');
    const built = build(out);
    expect(built.status, built.stderr).toBe(0);
    expect(built.stdout).toMatch(
      /projections: accounts correlator discord-outbox lua-rounds quarantine rounds verdicts/,
    );
    expect(existsSync(join(out, 'et-ledger.js'))).toBe(true);
    expect(existsSync(join(out, 'bench'))).toBe(false);
    const version = spawnSync(process.execPath, [join(out, 'et-ledger.js'), '--version'], { encoding: 'utf8' });
    expect(version.status, version.stderr).toBe(0);
    expect(version.stdout).toMatch(/\d+\.\d+\.\d+/);
  }, 120_000);

  it('--with-bench adds the bench, whose compiled entry runs', () => {
    const out = join(work, 'with-bench');
    const built = build(out, '--with-bench');
    expect(built.status, built.stderr).toBe(0);
    expect(existsSync(join(out, 'bench', 'ingest.js'))).toBe(true);
    // The compiled entry rejects an unknown bench name the way the sources do: it loaded and ran.
    const usage = spawnSync(process.execPath, [join(out, 'bench', 'run.js'), 'no-such-bench'], { encoding: 'utf8' });
    expect(usage.status).toBe(2);
    expect(usage.stderr).toMatch(/usage: npm run bench -- <append\|parse\|.*ingest/);
  }, 120_000);

  it('refuses an unknown option with its usage, building nothing', () => {
    const out = join(work, 'refused');
    const built = build(out, '--with-benches');
    expect(built.status).toBe(2);
    expect(built.stderr).toMatch(/--with-bench\]/);
    expect(existsSync(out)).toBe(false);
  });
});
