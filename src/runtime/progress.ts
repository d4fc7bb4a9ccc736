/**
 * Progress of long work (rebuild, replay, catch-up): bars with events/s and ETA on a terminal,
 * plain periodic lines otherwise (logs, CI). Projections catch up side by side, so bars on one
 * terminal share a board: every redraw rewrites all of them in place, one line each.
 */
export type Progress = { update(done: number): void; finish(): void };

type Stream = NodeJS.WritableStream & { isTTY?: boolean };
type Bar = { line(): string; finished: boolean };
type Board = { bars: Bar[]; drawn: number };

const boards = new WeakMap<Stream, Board>();

/** Rewrites every bar of the board in place (cursor up to the first, one cleared line each). */
function redraw(out: Stream, board: Board): void {
  let text = board.drawn > 0 ? `\x1b[${board.drawn}F` : '';
  for (const bar of board.bars) text += `${bar.line()}\x1b[K\n`;
  board.drawn = board.bars.length;
  out.write(text);
  // Once all are done the lines stay as they are and the next bars start a new board below them.
  if (board.bars.every((b) => b.finished)) boards.delete(out);
}

export function createProgress(
  label: string,
  total: number,
  out: Stream = process.stderr,
  opts: { intervalMs?: number; now?: () => number } = {},
): Progress {
  const now = opts.now ?? (() => performance.now());
  const started = now();
  const interval = opts.intervalMs ?? (out.isTTY ? 100 : 2000);
  let lastDraw = Number.NEGATIVE_INFINITY;
  let current = 0;
  const figures = () => {
    const seconds = Math.max((now() - started) / 1000, 1e-9);
    const rate = current / seconds;
    const share = total > 0 ? Math.min(current / total, 1) : 1;
    const eta = rate > 0 && total > current ? (total - current) / rate : 0;
    return { share, text: `${current}/${total} events  ${Math.round(rate)} ev/s  ETA ${formatSeconds(eta)}` };
  };
  if (!out.isTTY) {
    const line = () => {
      const f = figures();
      return `${label}: ${(f.share * 100).toFixed(0)}%  ${f.text}\n`;
    };
    let printed = -1;
    const print = () => {
      printed = current;
      out.write(line());
    };
    return {
      update(done) {
        current = done;
        if (now() - lastDraw < interval) return;
        lastDraw = now();
        print();
      },
      // The last periodic line may already say it all.
      finish: () => void (printed === current ? undefined : print()),
    };
  }
  const bar: Bar = {
    finished: false,
    line() {
      const f = figures();
      const width = 28;
      const filled = Math.round(f.share * width);
      return `${label} [${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${(f.share * 100).toFixed(0).padStart(3)}%  ${f.text}`;
    },
  };
  const board = boards.get(out) ?? { bars: [], drawn: 0 };
  boards.set(out, board);
  board.bars.push(bar);
  return {
    update(done) {
      current = done;
      if (now() - lastDraw < interval) return;
      lastDraw = now();
      redraw(out, board);
    },
    finish() {
      bar.finished = true;
      redraw(out, board);
    },
  };
}

function formatSeconds(s: number): string {
  if (!Number.isFinite(s)) return '?';
  const m = Math.floor(s / 60);
  return m > 0 ? `${m}m${String(Math.round(s % 60)).padStart(2, '0')}s` : `${Math.round(s)}s`;
}
