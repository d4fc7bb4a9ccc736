import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../../src/config/common.ts';
import { isLedgerError } from '../../../src/errors.ts';
import { embeddedPostgresProblem } from '../../../src/store/storeFolders.ts';

describe('what every command reads', () => {
  it('has the documented defaults, and flags win over the variables', () => {
    const c = loadConfig({ ET_LEDGER_TZ: 'europe/ljubljana', ET_LEDGER_SERVER_ID: 'eu1' }, { server: 'us1' });
    expect(c).toMatchObject({
      // PostgreSQL from the folder where it can run here (tests/unit/config/store.test.ts), else PGlite.
      store: { kind: embeddedPostgresProblem('./.et-ledger') === null ? 'embedded' : 'pglite', dir: './.et-ledger' },
      storeText: 'embedded:./.et-ledger',
      tz: 'Europe/Ljubljana',
      tzGiven: true,
      serverId: 'us1',
      maxFileBytes: 1024 * 1024,
      sessionGapMin: 45,
      logLevel: undefined,
    });
    expect(loadConfig({ ET_LEDGER_MAX_FILE_BYTES: '', ET_LEDGER_TZ: '' })).toMatchObject({
      maxFileBytes: 1024 * 1024,
      tzGiven: false,
    });
  });

  it('names every bad variable once, with the flag that also sets it and an example', () => {
    try {
      loadConfig({ ET_LEDGER_MAX_FILE_BYTES: 'lots', ET_LEDGER_SESSION_GAP_MIN: '-5' }, { tz: 'Mars/Base' });
      expect.unreachable();
    } catch (e) {
      if (!isLedgerError(e, 'CONFIG_INVALID')) throw e;
      expect(e.message).toBe(
        [
          'invalid configuration:',
          '  ET_LEDGER_TZ (or --tz) = "Mars/Base": not an IANA time zone (example: Europe/Ljubljana)',
          '    example: ET_LEDGER_TZ=Europe/Ljubljana',
          '  ET_LEDGER_MAX_FILE_BYTES = "lots": must be a whole number',
          '    example: ET_LEDGER_MAX_FILE_BYTES=1048576',
          '  ET_LEDGER_SESSION_GAP_MIN = "-5": must be positive',
          '    example: ET_LEDGER_SESSION_GAP_MIN=45',
        ].join('\n'),
      );
    }
  });
});
