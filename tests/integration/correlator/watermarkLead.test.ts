// A fact's time moves its server's watermark at most a minute past the moment it reached the log
// (src/correlator/watermarkLead.ts): a report claiming to end in the year 33658 once moved it there,
// and every later round of the server was decided NO_LUA_DATA the moment its stats file came,
// before its report could arrive.
import { describe, expect, it, onTestFinished } from 'vitest';
import { postgresAvailable } from '../../support/databases.ts';
import {
  feed,
  file,
  localText,
  openTestLedger,
  ownReport,
  readHistory,
  readVerdicts,
  type StoreKind,
  statsFile,
} from '../../support/factBuilders.ts';

const MAIN: StoreKind = postgresAvailable() ? 'postgres' : 'pglite';
const UTC = { tz: 'UTC' };

describe('a fact from the future', () => {
  it('does not decide the rounds that come after it before their reports arrive', async () => {
    const ledger = await openTestLedger(MAIN, 'lead');
    onTestFinished(() => ledger.close());
    // Live: a round that ends now, its stats file written 3 s later, its report still on its way.
    const end = Math.floor(Date.now() / 1000);
    const round = { map: 'supply', round: 1 as const, startUnix: end - 543, endUnix: end };
    const stats = statsFile({ local: localText(end + 3, 0), map: 'supply', round: 1, playtimeMs: 543_000 });
    const forged = ownReport({ map: 'goldrush', round: 1, startUnix: 1e12 - 600, endUnix: 1e12 });

    await feed(ledger, [file('forged.lua.json', forged)], UTC);
    await feed(ledger, [file(stats.fileName, stats.bytes)], UTC);
    // The forged report moved the watermark a minute past its arrival, not to its own end: the
    // stats round's grace (120 s) has not passed, so it waits for its report.
    expect(await readVerdicts(ledger.db)).toEqual([]);

    await feed(ledger, [file('supply.lua.json', ownReport(round))], UTC);
    const verdicts = await readVerdicts(ledger.db);
    expect(verdicts.map((v) => [v.statsFileName, v.status])).toEqual([[stats.fileName, 'ALIGNED']]);
    expect((await readHistory(ledger.db)).map((h) => h.status)).toEqual(['ALIGNED']);
  });
});
