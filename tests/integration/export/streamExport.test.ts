// streamExport on PGlite (cursor) and PostgreSQL (COPY): a child table comes out in its parents'
// time order over several pages of parents, rows without a time (or without a parent) last, the
// values those of a query; a reader that leaves mid-export leaves the store clean.
import { describe, expect, it } from 'vitest';
import { exportTargets, resolveExport } from '../../../src/export/names.ts';
import { type ChunkWriter, ReaderGone } from '../../../src/export/output.ts';
import { mapExportColumns, streamExport } from '../../../src/export/streamExport.ts';
import { createLogger } from '../../../src/logger.ts';
import { activeBuild } from '../../../src/runtime/catalog.ts';
import { readRows } from '../../../src/runtime/exportRows.ts';
import { projectAllToHead } from '../../../src/runtime/ledgerRuntime.ts';
import { loadProjections } from '../../../src/runtime/registry.ts';
import { mapExportRows, type StoredMapRow } from '../../../src/stopwatch/mapRows.ts';
import { type Ledger, openLedger, type StoreSpec } from '../../../src/store/openStore.ts';
import { freshPgliteDir, freshPostgresUrl, postgresAvailable } from '../../support/databases.ts';
import { fillerColumns } from '../../support/fillerColumns.ts';

const projections = await loadProjections();

const stores = [
  { kind: 'PGlite', skip: false, spec: async (): Promise<StoreSpec> => ({ kind: 'pglite', dir: freshPgliteDir() }) },
  {
    kind: 'PostgreSQL',
    skip: !postgresAvailable(),
    spec: async (): Promise<StoreSpec> => ({ kind: 'postgres', url: await freshPostgresUrl('stream') }),
  },
];

/** 60 rounds, one in ten without a time, 5 weapon rows each, and 3 rows of a round that is gone. */
async function seed(ledger: Ledger): Promise<string> {
  await projectAllToHead({ db: ledger.db, store: ledger.store, log: createLogger('warn'), projections });
  const schema = (await activeBuild(ledger.db, 'rounds'))!.schemaName;
  await ledger.db.exec(`
    insert into "${schema}".rounds (round_id, server_id, map, round, file_name, file_time_unix, tz, match_id,
        server_name, config, defender, winner, time_limit_sec, next_time_limit_sec, writer, player_count, flags, issues)
      select md5('round ' || g), 's', 'supply', 1, 'f' || g || '.txt',
             case when g % 10 = 0 then null else 1700000000 + ((g * 37) % 61) * 60 end,
             'UTC', 'm', 'n', 'c', 1, 1, 600, 600, 'w', 1, '{}', '[]'
      from generate_series(1, 60) g;`);
  // Weapons 0, 2, 4 on line 0 and 1, 3 on line 1 of every round; a GUID with the characters a
  // format must escape.
  const players = await fillerColumns(ledger.db, schema, 'player_rows', {
    round_id: "coalesce(md5('round ' || g), 'gone')",
    line: 'l',
    guid8: `E'we\\\\a"p,on\\t' || l`,
    weapons: `(select array_agg(array[w, w, w, w, w, w] order by w) from generate_series(l, case when g is null then 2 else 4 end, case when g is null then 1 else 2 end) w)`,
  });
  await ledger.db.exec(`
    insert into "${schema}".player_rows (${players.names})
      select ${players.values} from (select g, l from generate_series(1, 60) g cross join generate_series(0, 1) l
                                     union all select null, 0) x;`);
  return schema;
}

function collector(failAfter = Number.POSITIVE_INFINITY): ChunkWriter & { text: () => string } {
  const chunks: string[] = [];
  return {
    async write(text) {
      if (chunks.length >= failAfter) throw new ReaderGone(new Error('EPIPE'));
      chunks.push(text);
    },
    async flush() {},
    text: () => chunks.join(''),
  };
}

describe.each(stores)('streamExport ($kind)', ({ skip, spec }) => {
  it.skipIf(skip)(
    'gives a child table in its parents’ time order, page after page; a reader leaving mid-way leaves it clean',
    async () => {
      const s = await spec();
      const ledger = await openLedger(s);
      try {
        await seed(ledger);
        const postgresUrl = s.kind === 'postgres' ? s.url : null;
        const target = resolveExport(projections, 'player-weapon-stats');
        const run = (out: ChunkWriter, format: 'ndjson' | 'csv' = 'ndjson') =>
          streamExport({
            db: ledger.db,
            postgresUrl,
            schema: 'read',
            target,
            format,
            csvSafe: false,
            sessionGapMin: 45,
            out,
            pageSize: 7,
          });
        const out = collector();
        expect(await run(out)).toBe(303);
        const got = out
          .text()
          .trim()
          .split('\n')
          .map((l) => JSON.parse(l) as Record<string, unknown>);

        // The expectation from the rows as a query gives them, sorted here.
        const rounds = await readRows(ledger.db, 'read', target.projection, 'rounds');
        const time = new Map(rounds.map((r) => [r.roundId, r.fileTimeUnix as number | null]));
        const all = await readRows(ledger.db, 'read', target.projection, 'player_weapon_stats');
        const rank = (r: Record<string, unknown>) => [
          time.has(r.roundId) ? 0 : 1,
          time.get(r.roundId) ?? Number.POSITIVE_INFINITY,
          String(r.roundId),
          Number(r.line),
          Number(r.weaponId),
        ];
        const expected = [...all].sort((a, b) => {
          const x = rank(a);
          const y = rank(b);
          for (let i = 0; i < x.length; i++) if (x[i] !== y[i]) return x[i]! < y[i]! ? -1 : 1;
          return 0;
        });
        expect(got).toEqual(expected);
        expect(got.at(-1)!.roundId).toBe('gone');
        expect(got[0]!.guid8).toBe('we\\a"p,on\t0');
        expect(got[0]!.weapon).toBe('WS_KNIFE');

        // The reader leaves after two chunks: the export stops, and the store answers as before.
        await expect(run(collector(2))).rejects.toBeInstanceOf(ReaderGone);
        await expect(run(collector(1), 'csv')).rejects.toBeInstanceOf(ReaderGone);
        const again = collector();
        expect(await run(again)).toBe(303);
        if (s.kind === 'postgres') {
          const left = await ledger.db.query<{ n: number }>(
            "select count(*)::int as n from pg_stat_activity where datname = current_database() and state like 'idle in transaction%'",
          );
          expect(left.rows[0]!.n).toBe(0);
        }
      } finally {
        await ledger.close();
      }
    },
    300_000,
  );

  it.skipIf(skip)('prints a header for every empty table; the maps header is what a maps row holds', async () => {
    const s = await spec();
    const ledger = await openLedger(s);
    try {
      await projectAllToHead({ db: ledger.db, store: ledger.store, log: createLogger('warn'), projections });
      for (const target of exportTargets(projections)) {
        const exists = await ledger.db.query<{ ok: boolean }>('select to_regclass($1) is not null as ok', [
          `read.${target.table}`,
        ]);
        if (!exists.rows[0]!.ok) continue; // a table newer than the build this store has
        const out = collector();
        const rows = await streamExport({
          db: ledger.db,
          postgresUrl: s.kind === 'postgres' ? s.url : null,
          schema: 'read',
          target,
          format: 'csv',
          csvSafe: false,
          sessionGapMin: 45,
          out,
        });
        expect(rows, target.name).toBe(0);
        expect(out.text(), target.name).toMatch(/^[a-zA-Z0-9]+(,[a-zA-Z0-9]+)*\r\n$/);
      }
    } finally {
      await ledger.close();
    }
    const stored: StoredMapRow = {
      mapId: 'm',
      serverId: 's',
      map: 'supply',
      fileTimeUnix: 1700000000,
      r1RoundId: 'r1',
      r1FileName: 'a',
      r2RoundId: null,
      r2FileName: null,
      timeSetSec: 300,
      r2TimeSec: null,
      result: 'unknown',
      winnerLineup: null,
      pointsA: 0,
      pointsB: 0,
      lineupA: [],
      lineupB: [],
      flags: [],
    };
    expect(Object.keys(mapExportRows([stored], 45)[0]!)).toEqual(mapExportColumns);
  });
});
