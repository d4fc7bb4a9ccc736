// A child's JSON log (pino lines on stderr), parsed as it comes: what the tests of `et-ledger run`
// and of the deployed service command wait on.
import type { ChildProcess } from 'node:child_process';

export type LogLine = Record<string, unknown> & { msg?: string };

/** Collects `child`'s stderr whole and its JSON lines one by one (a partial line waits for its end). */
export function collectJsonLog(child: ChildProcess): { lines: LogLine[]; stderr: () => string } {
  const lines: LogLine[] = [];
  let stderr = '';
  let partial = '';
  child.stderr!.on('data', (d: Buffer) => {
    stderr += d.toString('utf8');
    partial += d.toString('utf8');
    const parts = partial.split('\n');
    partial = parts.pop()!;
    for (const p of parts) {
      try {
        lines.push(JSON.parse(p) as LogLine);
      } catch {}
    }
  });
  child.stdout?.resume();
  return { lines, stderr: () => stderr };
}
