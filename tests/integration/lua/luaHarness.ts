// Runs lua/harness/run.lua (the simulated ET:Legacy engine around lua/et-ledger.lua) under the system's
// real Lua 5.4 and reads back what the script spooled. Scenarios live in lua/harness/scenarios/.
import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const LUA = 'lua5.4';
export const repoRoot = fileURLToPath(new URL('../../../', import.meta.url));
export const harnessDir = join(repoRoot, 'lua', 'harness');

export const hasLua = spawnSync(LUA, ['-v'], { encoding: 'utf8' }).status === 0;
if (!hasLua) console.warn('lua5.4 is not installed: the Lua integration tests are skipped (apt-get install lua5.4)');

export type SpoolFile = { name: string; bytes: Buffer; json: unknown };
export type ScenarioRun = {
  dir: string;
  spoolDir: string;
  exitCode: number | null;
  stdout: string;
  stderr: string;
  /** The server console: everything the script printed with et.G_Print, and the engine's prints. */
  log: string;
  harness: Record<string, number>;
  files: SpoolFile[];
};

const serverDirs: string[] = [];

/** A simulated server's fs_homepath; `removeServerDirs` (afterAll) deletes every one this test file made. */
export function newServerDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'etl-lua-'));
  serverDirs.push(dir);
  return dir;
}

export function removeServerDirs(): void {
  for (const dir of serverDirs.splice(0)) rmSync(dir, { recursive: true, force: true });
}

/** Writes `<dir>/legacy/luascripts/et-ledger.config.lua` (dir = fs_homepath of the simulated server). */
export function writeConfig(dir: string, luaSource: string): string {
  const folder = join(dir, 'legacy', 'luascripts');
  mkdirSync(folder, { recursive: true });
  const path = join(folder, 'et-ledger.config.lua');
  writeFileSync(path, luaSource);
  return path;
}

export function readSpool(spoolDir: string): SpoolFile[] {
  let names: string[];
  try {
    names = readdirSync(spoolDir);
  } catch {
    return [];
  }
  return names
    .filter((n) => n.endsWith('.lua.json'))
    .sort()
    .map((name) => {
      const bytes = readFileSync(join(spoolDir, name));
      return { name, bytes, json: JSON.parse(bytes.toString('utf8')) as unknown };
    });
}

/** Async on purpose: a receiver in this process must keep answering while the scenario runs. */
export function runScenario(name: string, opts: { dir?: string; args?: string[] } = {}): Promise<ScenarioRun> {
  const dir = opts.dir ?? newServerDir();
  const child = spawn(LUA, [join(harnessDir, 'run.lua'), name, dir, ...(opts.args ?? [])], {
    cwd: repoRoot,
    env: { ...process.env, TZ: 'UTC' },
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => {
    stdout += d.toString();
  });
  child.stderr.on('data', (d: Buffer) => {
    stderr += d.toString();
  });
  return new Promise((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (exitCode) => {
      const spoolDir = join(dir, 'legacy', 'et-ledger');
      const summary = /HARNESS (.*)/.exec(stdout)?.[1] ?? '';
      const harness = Object.fromEntries([...summary.matchAll(/(\w+)=(\d+)/g)].map((m) => [m[1]!, Number(m[2])]));
      let log = '';
      try {
        log = readFileSync(join(dir, 'server.log'), 'utf8');
      } catch {}
      resolve({ dir, spoolDir, exitCode, stdout, stderr, log, harness, files: readSpool(spoolDir) });
    });
  });
}

/** `YYYY-MM-DD-HHMMSS` of a unix second in UTC (the scenarios run with TZ=UTC). */
export function fileStamp(unix: number): string {
  const iso = new Date(unix * 1000).toISOString();
  return `${iso.slice(0, 10)}-${iso.slice(11, 13)}${iso.slice(14, 16)}${iso.slice(17, 19)}`;
}

export function linesMatching(log: string, pattern: RegExp): string[] {
  return log.split('\n').filter((l) => pattern.test(l));
}
