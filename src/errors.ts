export type LedgerErrorCode =
  | 'CONFIG_INVALID'
  | 'STORE_CONFLICT'
  | 'STORE_UNAVAILABLE'
  | 'STORE_CORRUPT'
  | 'STORE_LOCKED'
  /** A command that only reads found no store where it was told to look (nothing was created). */
  | 'STORE_MISSING'
  /** A file or folder to read could not be read (gone, no permission). */
  | 'INPUT_UNREADABLE'
  | 'PROJECTION_FAILED'
  | 'SINK_REJECTED'
  | 'USAGE';

/** A domain error: a code callers branch on, a message that says what, where and what to do, the cause kept. */
export class LedgerError extends Error {
  readonly code: LedgerErrorCode;
  readonly retriable: boolean;
  constructor(code: LedgerErrorCode, message: string, opts: { cause?: unknown; retriable?: boolean } = {}) {
    super(message, opts.cause === undefined ? undefined : { cause: opts.cause });
    this.name = 'LedgerError';
    this.code = code;
    this.retriable = opts.retriable ?? false;
  }
}

export const isLedgerError = (e: unknown, code?: LedgerErrorCode): e is LedgerError =>
  e instanceof LedgerError && (code === undefined || e.code === code);

/** Retries only what says it is retriable, with exponential back-off; programming errors surface at once. */
export async function withRetry<T>(
  work: (attempt: number) => Promise<T>,
  opts: {
    retries?: number;
    initialDelayMs?: number;
    maxDelayMs?: number;
    onRetry?: (e: LedgerError, attempt: number) => void;
  } = {},
): Promise<T> {
  const { retries = 5, initialDelayMs = 100, maxDelayMs = 5_000 } = opts;
  for (let attempt = 0; ; attempt++) {
    try {
      return await work(attempt);
    } catch (e) {
      if (!(e instanceof LedgerError) || !e.retriable || attempt >= retries) throw e;
      opts.onRetry?.(e, attempt + 1);
      await new Promise((r) => setTimeout(r, Math.min(maxDelayMs, initialDelayMs * 2 ** attempt)));
    }
  }
}
