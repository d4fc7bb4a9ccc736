import type { Logger } from '../../logger.ts';
import type { RuntimeDeps } from '../../runtime/ledgerRuntime.ts';
import { createProgress } from '../../runtime/progress.ts';
import type { Projection } from '../../runtime/projection.ts';
import type { Ledger } from '../../store/openStore.ts';

/** The runtime as a command runs it: this ledger, these projections, progress bars on stderr. */
export const cliRuntime = (ledger: Ledger, log: Logger, projections: Projection[]): RuntimeDeps => ({
  db: ledger.db,
  store: ledger.store,
  log,
  projections,
  progress: (label, total) => createProgress(label, total),
});
