// Where a command's lines go: stdout for results, stderr for messages. One place handles a reader
// that goes away (`et-ledger status | head -2`): the first EPIPE on stdout marks it closed, later
// lines are dropped, and the command finishes its work and exits quietly — no stack trace, no
// message. Every command writes through this, so every command behaves the same.
import type { Output } from './command.ts';

/** Errors that mean "nobody reads stdout any more" rather than a failure worth reporting. */
const readerGone = new Set(['EPIPE', 'ERR_STREAM_DESTROYED', 'ERR_STREAM_WRITE_AFTER_END']);

export type ProcessOutput = Output & {
  /** A stdout failure other than a reader that went away (a full disk, EIO): the command then exits 1. */
  failure(): Error | null;
};

const made = new WeakMap<NodeJS.WritableStream, ProcessOutput>();

/**
 * The process' stdout and stderr, with stdout's EPIPE handled once, here, for every command. One
 * per stream: the listeners stay for the life of the process (a write's EPIPE can arrive after the
 * command returned), and a second call gets the same writer.
 */
export function processOutput(
  stdout: NodeJS.WritableStream = process.stdout,
  stderr: NodeJS.WritableStream & { isTTY?: boolean } = process.stderr,
): ProcessOutput {
  const known = made.get(stdout);
  if (known) return known;
  const closed = new AbortController();
  let failure: Error | null = null;
  let errClosed = false;
  const onOutError = (e: NodeJS.ErrnoException) => {
    if (closed.signal.aborted) return;
    if (!readerGone.has(e.code ?? '')) {
      failure = e;
      if (!errClosed) stderr.write(`et-ledger: cannot write to standard output: ${e.message}\n`);
    }
    closed.abort();
  };
  // Nothing useful can be said when stderr itself is gone; it must not crash the command either.
  const onErrError = () => {
    errClosed = true;
  };
  stdout.on('error', onOutError);
  stderr.on('error', onErrError);
  const output: ProcessOutput = {
    out: (line) => {
      if (!closed.signal.aborted) stdout.write(`${line}\n`);
    },
    err: (line) => {
      if (!errClosed) stderr.write(`${line}\n`);
    },
    isTTY: Boolean(stderr.isTTY),
    outClosed: closed.signal,
    failure: () => failure,
  };
  made.set(stdout, output);
  return output;
}
