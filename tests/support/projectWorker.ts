// Child process for crash and leadership tests: runs the tally projection against a PostgreSQL log.
//   projectWorker.ts <url> catch-up <batchSize>   → project to the head, exit 0
//   projectWorker.ts <url> live                    → follow the log until SIGTERM
import { createLogger } from '../../src/logger.ts';
import { catchUp, ensureServing, prepareRuntime, runLive } from '../../src/runtime/ledgerRuntime.ts';
import { openLedger } from '../../src/store/openStore.ts';
import { tallyProjection } from './tallyProjection.ts';

const [url, mode, batch] = process.argv.slice(2);
const ledger = await openLedger({ kind: 'postgres', url: url! });
const log = createLogger('info', process.stdout);
const projection = tallyProjection();
const deps = { db: ledger.db, store: ledger.store, log, projections: [projection], batchSize: Number(batch ?? 100) };
await prepareRuntime(deps);
if (mode === 'catch-up') {
  const build = await ensureServing(deps, projection);
  await catchUp(deps, projection, build);
  await ledger.close();
} else {
  const runner = runLive(deps, projection);
  process.on('SIGTERM', async () => {
    await runner.stop();
    await ledger.close();
    process.exit(0);
  });
}
