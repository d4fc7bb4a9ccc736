// No read of the log builds one value out of an unbounded row (issue 15, item 1): a batch stops at
// a byte budget, and a row written before facts were capped (hundreds of MB) reads back as a
// quarantined `too_large` fact without its bytes, instead of taking the driver past V8's longest
// string on every restart.
import { describe, expect, it } from 'vitest';
import { createLogger } from '../../../src/logger.ts';
import { projectAllToHead } from '../../../src/runtime/ledgerRuntime.ts';
import { loadProjections } from '../../../src/runtime/registry.ts';
import { openLedger } from '../../../src/store/openStore.ts';
import { RAW_READ_MAX_BYTES } from '../../../src/store/sqlEventStore.ts';
import { freshPostgresUrl, postgresAvailable } from '../../support/databases.ts';
import { appendFacts, file, statsFile } from '../../support/factBuilders.ts';

const MB = 1024 * 1024;

describe.skipIf(!postgresAvailable())('bounded reads of the log (PostgreSQL)', () => {
  it('a batch stops at its byte budget, and an oversized legacy row reads back as a too_large fact', async () => {
    const ledger = await openLedger({ kind: 'postgres', url: await freshPostgresUrl('bounded') });
    try {
      const valid = statsFile({ local: '2026-08-19 21:41:36', map: 'supply', round: 1, playtimeMs: 543_000 });
      await appendFacts(ledger.store, [file(valid.fileName, valid.bytes)]);
      // Rows as an older version stored them: three of 30 MB, then one over the read limit.
      const legacy = (n: number, bytes: number) =>
        ledger.db.query(
          `insert into ledger.events (position, event_id, stream_id, stream_version, type, schema_version, data, raw)
           select (select max(position) from ledger.events) + 1, gen_random_uuid(), 'stats-legacy-' || $1::text, 0,
                  'StatsFileArrived', 1, jsonb_build_object('serverId', 'eu1', 'fileName', 'legacy-' || $1::text || '.txt',
                  'tz', 'UTC', 'sha256', repeat('a', 64), 'sizeBytes', $2::int, 'source', jsonb_build_object('kind', 'dir', 'ref', 'x'),
                  'arrivedAt', '2026-01-01T00:00:00.000Z'),
                  convert_to(repeat('x', $2::int), 'UTF8')`,
          [String(n), bytes],
        );
      for (let n = 1; n <= 3; n++) await legacy(n, 30 * MB);
      await legacy(4, RAW_READ_MAX_BYTES + MB);

      const first = await ledger.store.readAll(0, 100);
      // 1 small + 2 × 30 MB fit the 64 MB budget; the third 30 MB row waits for the next batch.
      expect(first.map((e) => e.raw?.byteLength)).toEqual([valid.bytes.byteLength, 30 * MB, 30 * MB]);
      const rest = await ledger.store.readAll(first[first.length - 1]!.position, 100);
      expect(rest.map((e) => [e.type, e.raw?.byteLength])).toEqual([
        ['StatsFileArrived', 30 * MB],
        ['UnrecognizedFactArrived', 0],
      ]);
      expect(rest[1]!.data).toMatchObject({ fileName: 'legacy-4.txt', sizeBytes: RAW_READ_MAX_BYTES + MB });
      expect((rest[1]!.data as { reason: string }).reason).toMatch(/^too_large: /);

      // Every projection gets past it: the oversized row is quarantined, the valid round is there.
      await projectAllToHead({
        db: ledger.db,
        store: ledger.store,
        log: createLogger('silent'),
        projections: await loadProjections(),
        batchSize: 2,
      });
      const q = await ledger.db.query<{ file_name: string; reason_code: string }>(
        "select file_name, reason_code from read.quarantine where reason_code = 'too_large'",
      );
      expect(q.rows).toEqual([{ file_name: 'legacy-4.txt', reason_code: 'too_large' }]);
      const rounds = await ledger.db.query<{ file_name: string }>('select file_name from read.rounds');
      expect(rounds.rows.map((r) => r.file_name)).toContain(valid.fileName);
    } finally {
      await ledger.close();
    }
  }, 120_000);
});
