/**
 * Progress of long work (rebuild, replay, catch-up): a redrawn bar with events/s and ETA on a
 * terminal, plain periodic lines otherwise (logs, CI).
 */
export type Progress = { update(done: number): void; finish(): void };

export function createProgress(
  label: string,
  total: number,
  out: NodeJS.WritableStream & { isTTY?: boolean } = process.stderr,
  opts: { intervalMs?: number; now?: () => number } = {},
): Progress {
  const now = opts.now ?? (() => performance.now());
  const started = now();
  const interval = opts.intervalMs ?? (out.isTTY ? 100 : 2000);
  let lastDraw = -Infinity;
  let current = 0;
  const line = () => {
    const seconds = Math.max((now() - started) / 1000, 1e-9);
    const rate = current / seconds;
    const share = total > 0 ? Math.min(current / total, 1) : 1;
    const eta = rate > 0 && total > current ? (total - current) / rate : 0;
    const figures = `${current}/${total} events  ${Math.round(rate)} ev/s  ETA ${formatSeconds(eta)}`;
    if (!out.isTTY) return `${label}: ${(share * 100).toFixed(0)}%  ${figures}\n`;
    const width = 28;
    const filled = Math.round(share * width);
    return `\r${label} [${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${(share * 100).toFixed(0).padStart(3)}%  ${figures}\x1b[K`;
  };
  return {
    update(done) {
      current = done;
      if (now() - lastDraw >= interval) {
        lastDraw = now();
        out.write(line());
      }
    },
    finish() {
      out.write(line());
      if (out.isTTY) out.write('\n');
    },
  };
}

function formatSeconds(s: number): string {
  if (!Number.isFinite(s)) return '?';
  const m = Math.floor(s / 60);
  return m > 0 ? `${m}m${String(Math.round(s % 60)).padStart(2, '0')}s` : `${Math.round(s)}s`;
}
