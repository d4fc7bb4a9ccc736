// The et-ledger command with `backup` and `restore` registered, for their tests until src/cli/main.ts
// lists them (then this adds nothing): `node --import tsx tests/support/backupCli.ts ARGS…`.
import { spawn } from 'node:child_process';
import { createReadStream } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { CliResult } from './cli.ts';

const entry = fileURLToPath(import.meta.url);

if (process.argv[1] === entry) {
  const { commands, main } = await import('../../src/cli/main.ts');
  const { backupCommand } = await import('../../src/cli/commands/backup.ts');
  const { restoreCommand } = await import('../../src/cli/commands/restore.ts');
  for (const c of [backupCommand, restoreCommand]) if (!commands.some((x) => x.name === c.name)) commands.push(c);
  process.exitCode = await main(process.argv.slice(2), process.env);
}

/** Runs et-ledger (with backup and restore) in a child process, as runCli does; `stdin`: a file to feed it. */
export function runBackupCli(
  args: string[],
  env: Record<string, string | undefined> = {},
  opts: { stdin?: string } = {},
): Promise<CliResult> {
  const base: Record<string, string | undefined> = {
    ...process.env,
    ET_LEDGER_STORE: undefined,
    ET_LEDGER_LOG_LEVEL: 'warn',
  };
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', entry, ...args], {
      env: { ...base, ...env } as NodeJS.ProcessEnv,
      stdio: [opts.stdin ? 'pipe' : 'ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout!.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr!.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    if (opts.stdin) createReadStream(opts.stdin).pipe(child.stdin!);
    child.on('error', reject);
    child.on('close', (code) => resolve({ code: code ?? 1, stdout, stderr }));
  });
}
