// The service as it is deployed (docs/deploy.md): the command of deploy/et-ledger.service's
// ExecStart, spawned exactly (node is the process a supervisor starts and signals, no npx/npm in
// between), on a PGlite store; SIGTERM to that PID stops it with exit 0 and releases the store, so
// the next start on the same folder works. And `npm run build` gives a dist/ that runs without tsx.
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { once } from 'node:events';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { runCli } from '../support/cli.ts';
import { freshPgliteDir } from '../support/databases.ts';
import { collectJsonLog } from '../support/jsonLog.ts';

const root = fileURLToPath(new URL('../../', import.meta.url));
const unit = readFileSync(join(root, 'deploy/et-ledger.service'), 'utf8');
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { version: string };

/** The unit's ExecStart, as words (it has no quoting). */
const execStart = /^ExecStart=(.+)$/m.exec(unit)![1]!.trim();
const [unitNode, ...unitArgs] = execStart.split(/\s+/);

function startService(argv: string[], storeDir: string) {
  const cwd = mkdtempSync(join(tmpdir(), 'etl-service-cwd-')); // the unit's WorkingDirectory
  const child = spawn(argv[0]!, argv.slice(1), {
    cwd,
    env: {
      ...process.env,
      ET_LEDGER_STORE: `pglite:${storeDir}`,
      ET_LEDGER_SERVER_ID: 'eu1',
      ET_LEDGER_TZ: 'Europe/Ljubljana',
      ET_LEDGER_HTTP_HOST: '127.0.0.1',
      ET_LEDGER_HTTP_PORT: '0',
      ET_LEDGER_LOG_LEVEL: 'info',
    } as NodeJS.ProcessEnv,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const { lines, stderr } = collectJsonLog(child);
  return { child, lines, stderr, cwd };
}

type Service = ReturnType<typeof startService>;

async function listeningPort(s: Service): Promise<number> {
  const deadline = Date.now() + 90_000;
  for (;;) {
    if (s.child.exitCode !== null) throw new Error(`the service exited early (${s.child.exitCode}):\n${s.stderr()}`);
    const line = s.lines.find((l) => l.msg === 'HTTP receiver listening');
    if (line) return Number(line.port);
    if (Date.now() > deadline) throw new Error(`the service did not listen within 90 s:\n${s.stderr()}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

async function exitOf(child: ChildProcess, ms: number): Promise<number | string | null> {
  if (child.exitCode !== null) return child.exitCode;
  return Promise.race([
    once(child, 'exit').then(([code, signal]) => (code as number | null) ?? `signal ${String(signal)}`),
    new Promise<string>((r) => setTimeout(() => r(`still running after ${ms} ms`), ms)),
  ]);
}

/** Starts `argv` on the store, checks /healthz, sends SIGTERM to the spawned PID: exit 0, store released. */
async function runAndTerminate(argv: string[], storeDir: string): Promise<Service> {
  const s = startService(argv, storeDir);
  try {
    const port = await listeningPort(s);
    expect((await fetch(`http://127.0.0.1:${port}/healthz`)).status, s.stderr()).toBe(200);
    expect(existsSync(join(storeDir, 'et-ledger.lock'))).toBe(true);
    process.kill(s.child.pid!, 'SIGTERM');
    expect(await exitOf(s.child, 30_000), s.stderr()).toBe(0);
    expect(s.lines.map((l) => l.msg)).toEqual(expect.arrayContaining(['stopping', 'stopped']));
    // Nothing holds the store any more: its lock file is gone with the process that wrote it.
    expect(existsSync(join(storeDir, 'et-ledger.lock')), s.stderr()).toBe(false);
    return s;
  } finally {
    if (s.child.exitCode === null && s.child.signalCode === null) s.child.kill('SIGKILL');
    rmSync(s.cwd, { recursive: true, force: true });
  }
}

describe('the documented service command', () => {
  it('is node itself running bin/et-ledger.js run, the same line docs/deploy.md shows', () => {
    expect(unitNode).toMatch(/^\/.*\/node$/);
    expect(unitArgs).toEqual(['/opt/et-ledger/bin/et-ledger.js', 'run']);
    expect(readFileSync(join(root, 'docs/deploy.md'), 'utf8')).toContain(execStart);
    for (const line of [
      'Restart=on-failure',
      'User=et-ledger',
      'EnvironmentFile=/etc/et-ledger/env',
      'WorkingDirectory=/var/lib/et-ledger',
      'KillSignal=SIGTERM',
      'NoNewPrivileges=true',
      'ProtectSystem=strict',
      'ReadWritePaths=/var/lib/et-ledger',
      'PrivateTmp=true',
    ])
      expect(unit).toMatch(new RegExp(`^${line.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`, 'm'));
    expect(unit).toMatch(/^TimeoutStopSec=\d+$/m);
  });

  it('stops with exit 0 on SIGTERM to the PID the supervisor started, and the store can be opened again', async () => {
    const store = freshPgliteDir();
    const argv = [process.execPath, ...unitArgs.map((a) => a.replace(/^\/opt\/et-ledger\//, root))];
    try {
      await runAndTerminate(argv, store);
      await runAndTerminate(argv, store); // a second start on the same folder: nothing was left holding it
    } finally {
      rmSync(store, { recursive: true, force: true });
    }
  }, 240_000);

  it('deploy/env.example names every variable `et-ledger --help` and `et-ledger run --help` list', async () => {
    const example = readFileSync(join(root, 'deploy/env.example'), 'utf8');
    const listed = new Set<string>();
    for (const args of [['--help'], ['run', '--help']]) {
      const r = await runCli(args);
      expect(r.code, r.stderr).toBe(0);
      for (const m of r.stdout.matchAll(/^\s+([A-Z][A-Z0-9_]{2,}) {2,}\S/gm)) listed.add(m[1]!);
    }
    expect(listed.size).toBeGreaterThan(10);
    const missing = [...listed].filter((v) => !new RegExp(`^#?${v}=`, 'm').test(example));
    expect(missing).toEqual([]);
  });
});

describe('npm run build', () => {
  it('compiles to a dist/ whose entry runs under plain node: --version, and the service with its projections', async () => {
    // A temporary outDir beside a node_modules link, so it resolves the packages and races with no dist/.
    const tmp = mkdtempSync(join(tmpdir(), 'etl-build-'));
    symlinkSync(join(root, 'node_modules'), join(tmp, 'node_modules'), 'dir');
    const out = join(tmp, 'dist');
    const store = freshPgliteDir();
    try {
      const built = await new Promise<{ code: number; output: string }>((resolve) => {
        execFile(
          'npm',
          ['run', 'build', '--', '--out-dir', out, '--no-check'], // the suite's typecheck has checked the tree
          { cwd: root, maxBuffer: 16 * 1024 * 1024 },
          (error, stdout, stderr) =>
            resolve({ code: error ? Number(error.code ?? 1) : 0, output: `${stdout}${stderr}` }),
        );
      });
      expect(built.code, built.output).toBe(0);
      expect(built.output).toMatch(/projections: .*\brounds\b/);

      // No import of a .ts file is left in the JavaScript, and the files read at run time are beside it.
      const js = readdirSync(out, { recursive: true, encoding: 'utf8' }).filter((f) => f.endsWith('.js'));
      expect(js.length).toBeGreaterThan(50);
      for (const f of js)
        expect(readFileSync(join(out, f), 'utf8'), f).not.toMatch(/\bfrom\s+['"]\.{1,2}\/[^'"]*\.ts['"]/);
      for (const f of ['src/store/ledgerSchema.sql', 'src/web/site.css', 'projections/rounds.sql', 'package.json'])
        expect(existsSync(join(out, f)), f).toBe(true);
      expect(existsSync(join(out, 'samples', 'stats'))).toBe(true);

      const version = await new Promise<string>((resolve, reject) =>
        execFile(process.execPath, [join(out, 'et-ledger.js'), '--version'], (e, stdout, stderr) =>
          e ? reject(new Error(`${e.message}\n${stderr}`)) : resolve(stdout.trim()),
        ),
      );
      expect(version).toBe(pkg.version);

      // The container's way: the compiled entry as the service, its read models built and serving.
      const s = await runAndTerminate([process.execPath, join(out, 'et-ledger.js'), 'run'], store);
      const active = s.lines.filter((l) => l.msg === 'active').map((l) => l.projection);
      expect(active).toEqual(expect.arrayContaining(['rounds', 'verdicts', 'correlator']));
    } finally {
      rmSync(tmp, { recursive: true, force: true });
      rmSync(store, { recursive: true, force: true });
    }
  }, 300_000);
});
