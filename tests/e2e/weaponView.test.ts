// read.player_weapon_stats is a view of the weapon arrays in player_rows (projections/support/
// weaponTuples.ts): it must give, for every player line, the parser's weapons — an R1's as written,
// an R2's as its half (R2 − R1) once its R1 arrives — with their names, and sum to the player's
// kills, deaths, shots, hits and headshots. On PostgreSQL (COPY) and PGlite (jsonb insert), with the
// R2s ingested before their R1s so the arrays are rewritten along the change path.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { ingestPaths } from '../../src/cli/commands/ingest.ts';
import { loadConfig } from '../../src/config/common.ts';
import { createLogger } from '../../src/logger.ts';
import { differentiateRound2, type ParsedStatsRound, parseStatsFile } from '../../src/parser/statsFile.ts';
import { openLedger } from '../../src/store/openStore.ts';
import { freshPgliteDir, freshPostgresUrl, postgresAvailable } from '../support/databases.ts';

const quiet = {
  log: createLogger('silent'),
  io: { out: () => {}, err: (s: string) => console.error(s), isTTY: false },
};
const folder = fileURLToPath(new URL('../../samples/stats/', import.meta.url));
const names = readdirSync(folder).filter((n) => n.endsWith('.txt'));
const r2Names = names.filter((n) => n.includes('round-2'));

const parsed = (name: string): ParsedStatsRound => {
  const r = parseStatsFile(readFileSync(join(folder, name)), name);
  if (!r.ok) throw new Error(`${name}: ${r.error}`);
  return r.round;
};

type WeaponRow = {
  file_name: string;
  line: number;
  weapon_id: number;
  weapon: string;
  hits: number;
  shots: number;
  kills: number;
  deaths: number;
  headshots: number;
};

const stores = [
  {
    kind: 'PostgreSQL',
    skip: !postgresAvailable(),
    store: async () => `postgres:${await freshPostgresUrl('weapons')}`,
  },
  { kind: 'PGlite', skip: false, store: async () => `pglite:${freshPgliteDir()}` },
];

describe.each(stores)('player_weapon_stats ($kind)', ({ skip, store }) => {
  it.skipIf(skip)(
    'holds every player line’s weapons as parsed, R2s as their halves, summing to the player row',
    async () => {
      const config = loadConfig({ ET_LEDGER_STORE: await store(), ET_LEDGER_TZ: 'Europe/Ljubljana' });
      // The R2s first and alone: each is a whole (cumulative) round until its R1 comes.
      for (const n of r2Names) await ingestPaths({ ...quiet, config }, [join(folder, n)]);
      await ingestPaths({ ...quiet, config }, [folder]);
      const ledger = await openLedger(config.store);
      try {
        const rounds = (
          await ledger.db.query<{ file_name: string; r1_file: string | null }>(
            `select r.file_name, r1.file_name as r1_file from read.rounds r
             left join read.rounds r1 on r1.round_id = r.r1_round_id order by r.file_name`,
          )
        ).rows;
        // Every sample is a round but the one the parser rejects (see samples/stats/README.md).
        expect(rounds.length).toBeGreaterThanOrEqual(names.length - 1);
        const expected: WeaponRow[] = [];
        for (const { file_name, r1_file } of rounds) {
          const round = r1_file ? differentiateRound2(parsed(file_name), parsed(r1_file)) : parsed(file_name);
          for (const p of round.players)
            for (const w of p.weapons)
              expected.push({
                file_name,
                line: p.line,
                weapon_id: w.weaponId,
                weapon: w.weapon,
                hits: w.hits,
                shots: w.shots,
                kills: w.kills,
                deaths: w.deaths,
                headshots: w.headshots,
              });
        }
        // At least one R2 was paired: the halves are under test, not only whole files.
        expect(rounds.filter((r) => r.r1_file !== null).length).toBeGreaterThan(0);
        const viewed = await ledger.db.query<WeaponRow>(
          `select r.file_name, w.line, w.weapon_id, w.weapon, w.hits, w.shots, w.kills, w.deaths, w.headshots
           from read.player_weapon_stats w join read.rounds r using (round_id)
           order by r.file_name, w.line, w.weapon_id`,
        );
        expect(viewed.rows.length).toBeGreaterThan(100);
        expect(viewed.rows).toEqual(expected);
        // The player's own figures are the sums of his weapons (spec/stats-file.md §4.2).
        const mismatched = await ledger.db.query(
          `select p.round_id, p.line from read.player_stats p
           left join read.player_weapon_stats w on w.round_id = p.round_id and w.line = p.line
           group by p.round_id, p.line, p.kills, p.deaths, p.shots, p.hits, p.headshots
           having p.kills <> coalesce(sum(w.kills), 0) or p.deaths <> coalesce(sum(w.deaths), 0)
               or p.shots <> coalesce(sum(w.shots), 0) or p.hits <> coalesce(sum(w.hits), 0)
               or p.headshots <> coalesce(sum(w.headshots), 0)`,
        );
        expect(mismatched.rows).toEqual([]);
      } finally {
        await ledger.close();
      }
    },
    240_000,
  );
});
