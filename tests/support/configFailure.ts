// The message of a configuration error (CONFIG_INVALID) that `work` must throw; anything else fails.
import { isLedgerError } from '../../src/errors.ts';

export function configFailure(work: () => unknown): string {
  try {
    work();
  } catch (e) {
    if (isLedgerError(e, 'CONFIG_INVALID')) return e.message;
    throw e;
  }
  throw new Error('expected CONFIG_INVALID');
}
