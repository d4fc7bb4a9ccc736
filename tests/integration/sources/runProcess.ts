// `et-ledger run` as a child process for the operator-signal tests: the real executable, its JSON
// log lines parsed as they come, and helpers to wait for a line and for the exit.
import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { binPath } from '../../support/cli.ts';
import { collectJsonLog, type LogLine } from '../../support/jsonLog.ts';
import { waitFor } from './support.ts';

export type { LogLine };

export type RunProcess = {
  child: ChildProcess;
  lines: LogLine[];
  stderr: () => string;
  /** The first log line with this message (and matching `where`), once it appears; fails if run exited. */
  line: (msg: string, where?: (l: LogLine) => boolean, timeoutMs?: number) => Promise<LogLine>;
  /** SIGTERM, then the exit code (or 'hung' after 20 s). */
  stop: () => Promise<number | null | 'hung'>;
  kill: () => void;
};

export function startRun(env: Record<string, string>, args: string[], cwd?: string): RunProcess {
  const child = spawn(process.execPath, [binPath, 'run', ...args], {
    env: { ...process.env, ET_LEDGER_STORE: undefined, ET_LEDGER_LOG_LEVEL: 'info', ...env } as NodeJS.ProcessEnv,
    stdio: ['ignore', 'pipe', 'pipe'],
    ...(cwd ? { cwd } : {}),
  });
  const { lines, stderr } = collectJsonLog(child);
  const run: RunProcess = {
    child,
    lines,
    stderr,
    line: (msg, where = () => true, timeoutMs = 60_000) =>
      waitFor(
        `the log line "${msg}"`,
        () => {
          const found = lines.find((l) => l.msg === msg && where(l));
          if (found) return found;
          if (child.exitCode !== null) throw new Error(`et-ledger run exited early:\n${stderr()}`);
          return undefined;
        },
        timeoutMs,
      ).catch((e: unknown) => {
        throw new Error(`${(e as Error).message}; its log so far:\n${stderr()}`);
      }),
    async stop() {
      if (child.exitCode === null) child.kill('SIGTERM');
      return Promise.race([exitOf(child), new Promise<'hung'>((r) => setTimeout(() => r('hung'), 20_000))]);
    },
    kill() {
      if (child.exitCode === null) child.kill('SIGKILL');
    },
  };
  return run;
}

export async function exitOf(child: ChildProcess): Promise<number | null> {
  if (child.exitCode !== null) return child.exitCode;
  const [code] = (await once(child, 'exit')) as [number | null];
  return code;
}
