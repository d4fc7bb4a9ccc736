import { ErrorType } from '@eventstore/db-client';
import { LedgerError } from '../errors.ts';

/** `esdb://admin:changeit@host:2113` → `esdb://admin:***@host:2113` (logs and messages never carry passwords). */
export const redactEsdbUrl = (url: string) => url.replace(/\/\/([^:@/]+):[^@/]*@/, '//$1:***@');

const transient = new Set<string>([
  ErrorType.UNAVAILABLE,
  ErrorType.DEADLINE_EXCEEDED,
  ErrorType.TIMEOUT,
  ErrorType.CANCELLED,
  ErrorType.NOT_LEADER,
]);

/** Translates a client error at the adapter's boundary, keeping it as the cause. */
export function translateEsdbError(e: unknown, what: string, url: string): LedgerError {
  if (e instanceof LedgerError) return e;
  const type = (e as { type?: unknown })?.type;
  const detail = (e as Error)?.message ?? String(e);
  const where = redactEsdbUrl(url);
  if (typeof type === 'string' && transient.has(type)) {
    return new LedgerError(
      'STORE_UNAVAILABLE',
      `EventStoreDB at ${where} did not answer (${what}: ${type}${detail ? `, ${detail}` : ''}). Check that the server runs and that the eventstoredb: store URL points at it; the operation may be retried`,
      { cause: e, retriable: true },
    );
  }
  switch (type) {
    case ErrorType.ACCESS_DENIED:
      return new LedgerError(
        'STORE_UNAVAILABLE',
        `EventStoreDB at ${where} denied ${what}: reading $all needs an admin user (esdb://admin:PASSWORD@host:2113) or an insecure server`,
        { cause: e },
      );
    case ErrorType.STREAM_DELETED:
      return new LedgerError(
        'STORE_CORRUPT',
        `${what}: the stream was deleted in EventStoreDB; the log is append-only`,
        {
          cause: e,
        },
      );
    case ErrorType.MAXIMUM_APPEND_SIZE_EXCEEDED:
      return new LedgerError(
        'USAGE',
        `${what}: the event is larger than the server's MaxAppendSize; raise it on the server or lower ET_LEDGER_MAX_FILE_BYTES`,
        { cause: e },
      );
  }
  // Discovery (esdb+discover://) fails with a plain Error when no node answers gossip.
  if (!(typeof type === 'string') && /discover|gossip|ECONNREFUSED|connect/i.test(detail)) {
    return new LedgerError('STORE_UNAVAILABLE', `EventStoreDB at ${where} is unreachable (${what}: ${detail})`, {
      cause: e,
      retriable: true,
    });
  }
  return new LedgerError('STORE_UNAVAILABLE', `EventStoreDB at ${where} failed ${what}: ${detail}`, { cause: e });
}
