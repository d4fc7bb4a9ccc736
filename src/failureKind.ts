// Transient or permanent: the one place every part of et-ledger asks whether a failure is worth
// retrying (kafkajs' `retriable` flag is the model). Transient: the event or fact is fine, the
// world is not (connection lost, serialization failure, lock timeout, a store that is down):
// retry, never skip. Permanent: the same input fails the same way every time (a value a column
// cannot hold, a constraint, a bug): a projection records a dead letter, a source quarantines.
import { isLedgerError } from './errors.ts';

export type FailureKind = 'transient' | 'permanent';

/** SQLSTATE classes and codes that say "try again": the event itself is fine. */
const TRANSIENT_SQLSTATE = [/^08/, /^40/, /^53/, /^55P03$/, /^57P0[1-3]$/, /^57014$/, /^58/];
const TRANSIENT_NODE_CODES = new Set([
  'ECONNRESET',
  'ECONNREFUSED',
  'EPIPE',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EAI_AGAIN',
]);

/**
 * The one place that tells a transient failure from a permanent one (kafkajs' `retriable` is the
 * model): our own errors say so; PostgreSQL's by SQLSTATE; the network's by its code. Anything
 * else — a TypeError, a RangeError, a schema error — repeats on the same input: permanent.
 */
export function classifyFailure(e: unknown): FailureKind {
  if (isLedgerError(e))
    return e.retriable || e.code === 'STORE_CONFLICT' || e.code === 'STORE_UNAVAILABLE' || e.code === 'STORE_LOCKED'
      ? 'transient'
      : 'permanent';
  const code = (e as { code?: unknown } | null)?.code;
  if (typeof code === 'string') {
    if (/^[0-9A-Z]{5}$/.test(code)) return TRANSIENT_SQLSTATE.some((r) => r.test(code)) ? 'transient' : 'permanent';
    if (TRANSIENT_NODE_CODES.has(code)) return 'transient';
  }
  const message = String((e as Error)?.message ?? e);
  if (
    /Connection terminated|connection (?:is )?closed|timeout exceeded|Client has encountered a connection error/i.test(
      message,
    )
  )
    return 'transient';
  return 'permanent';
}

/** One line a user can act on: what failed, never a stack. */
export const errorLine = (e: unknown): string =>
  String((e as Error)?.message ?? e)
    .split('\n')[0]!
    .slice(0, 500);
