import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export const binPath = fileURLToPath(new URL('../../bin/et-ledger.js', import.meta.url));

export type CliResult = { code: number; stdout: string; stderr: string };

/** Runs the real `et-ledger` executable in a child process, as a user or a script would. */
export function runCli(
  args: string[],
  env: Record<string, string | undefined> = {},
  opts: { cwd?: string } = {},
): Promise<CliResult> {
  const base: Record<string, string | undefined> = {
    ...process.env,
    ET_LEDGER_STORE: undefined,
    ET_LEDGER_LOG_LEVEL: 'warn',
  };
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [binPath, ...args],
      { env: { ...base, ...env } as NodeJS.ProcessEnv, cwd: opts.cwd, maxBuffer: 64 * 1024 * 1024 },
      (error, stdout, stderr) => {
        const code = error ? (typeof error.code === 'number' ? error.code : 1) : 0;
        resolve({ code, stdout, stderr });
      },
    );
  });
}
