// The stats-file fixes of issue 16 as a user meets them: ingested through the CLI's code path into
// PostgreSQL, split over several ingests and compared with one ingest of the same files.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { ingestPaths } from '../../src/cli/commands/ingest.ts';
import { type Config, loadConfig } from '../../src/config/common.ts';
import { createLogger } from '../../src/logger.ts';
import { openLedger } from '../../src/store/openStore.ts';
import { freshPostgresUrl, postgresAvailable } from '../support/databases.ts';
import { bytes, ext, file, line } from '../support/statsLines.ts';

const quiet = { log: createLogger('silent'), io: { out: () => {}, err: () => {}, isTTY: false } };
const unix = (iso: string) => Date.parse(iso) / 1000;

// The autumn hour in Ljubljana: 02:50 local is 00:50Z (CEST) or 01:50Z (CET); 02:05 is 00:05Z or 01:05Z.
const DST_R1 = '2026-10-25-025000-supply-round-1.txt';
const DST_R2 = '2026-10-25-020500-supply-round-2.txt';
const files: Record<string, Uint8Array> = {
  [DST_R1]: file('S\\supply\\legacy6\\1\\2\\1\\10:00\\10:00\\600000', line('AAAAAAAA', 'Vektor', { k: 3, d: 1 })),
  [DST_R2]: file(
    'S\\supply\\legacy6\\2\\2\\2\\10:00\\58:02\\300000',
    line('AAAAAAAA', 'Vektor', { k: 7, d: 4, team: '2', ext: ext({ 22: '6.0' }) }),
  ),
  // R1 02:50 read in winter time (01:50Z) is the one 15 minutes before an R2 started at 03:05 CET.
  '2026-10-25-025000-goldrush-round-1.txt': file(
    'S\\goldrush\\legacy6\\1\\2\\1\\10:00\\10:00\\600000',
    line('AAAAAAAA', 'Vektor'),
  ),
  '2026-10-25-031000-goldrush-round-2.txt': file(
    'S\\goldrush\\legacy6\\2\\2\\2\\10:00\\58:02\\300000',
    line('AAAAAAAA', 'Vektor', { k: 2, d: 2, ext: ext({ 22: '6.0' }) }),
  ),
  // A year before 100: the name parses, its time cannot be converted.
  '0099-08-20-195533-karsiah_te2-round-2.txt': file(
    'S\\karsiah_te2\\legacy6\\2\\1\\1\\2:59\\58:02\\150000',
    line('BBBBBBBB', 'Early'),
  ),
  // Map changed during round 1: named round 2, written on shutdown, no R1 anywhere.
  '2026-08-21-201000-radar-round-2.txt': file(
    'S\\radar\\legacy6\\2\\1\\0\\0:00\\0:00\\-160400000',
    line('CCCCCCCC', 'Lonely', { k: 3, d: 2 }),
  ),
  // Windows-1252 names, a BOM name, a trailing space, a value no column holds, and a zero-filled tail.
  '2026-08-21-203000-adlernest-round-1.txt': bytes(
    file(
      'S\\adlernest\\legacy6\\1\\1\\2\\8:00\\2:59\\180000 ',
      line('DDDDDDDD', bytes('O', [0x92], 'Neil ', [0x80], 'uro')),
      line('EEEEEEEE', bytes([0xef, 0xbb, 0xbf], 'Zed')),
      bytes(line('FFFFFFFF', 'Spaced').subarray(0, -1), '  \n'),
      line('GGGGGGGG', 'Huge', { ext: ext({ 0: '9999999999' }) }),
    ),
    new Uint8Array(512),
  ),
};

function folderOf(names: string[]): { dir: string; remove: () => void } {
  const dir = mkdtempSync(join(tmpdir(), 'et-ledger-truth-'));
  for (const name of names) writeFileSync(join(dir, name), files[name]!);
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

async function ingestInto(batches: string[][]): Promise<Config> {
  const config = loadConfig({
    ET_LEDGER_STORE: `postgres:${await freshPostgresUrl('truth')}`,
    ET_LEDGER_TZ: 'Europe/Ljubljana',
  });
  for (const names of batches) {
    const folder = folderOf(names);
    try {
      await ingestPaths({ ...quiet, config }, [folder.dir]);
    } finally {
      folder.remove();
    }
  }
  return config;
}

async function rows<T = Record<string, unknown>>(config: Config, sql: string): Promise<T[]> {
  const ledger = await openLedger(config.store);
  try {
    return (await ledger.db.query<T>(sql)).rows;
  } finally {
    await ledger.close();
  }
}

const ROUNDS =
  'select file_name, r1_round_id is not null as paired, file_time_unix::float as t, flags from read.rounds order by file_name';

describe.skipIf(!postgresAvailable())('stats-file truth through ingest (issue 16)', () => {
  let split: Config;
  let whole: Config;
  beforeAll(async () => {
    // R2 first, alone; its R1 an ingest later; the rest after that.
    split = await ingestInto([[DST_R2], [DST_R1], Object.keys(files).filter((n) => n !== DST_R1 && n !== DST_R2)]);
    whole = await ingestInto([Object.keys(files)]);
  }, 120_000);

  it('pairs R1 and R2 across the autumn hour and records the readings it chose, in any split', async () => {
    const dst = await rows<{ file_name: string; paired: boolean; t: number }>(
      split,
      `select file_name, r1_round_id is not null as paired, file_time_unix::float as t from read.rounds where map = 'supply' order by round`,
    );
    expect(dst).toEqual([
      { file_name: DST_R1, paired: false, t: unix('2026-10-25T00:50:00Z') },
      { file_name: DST_R2, paired: true, t: unix('2026-10-25T01:05:00Z') },
    ]);
    const [half] = await rows(
      split,
      "select kills, deaths, time_played_sec from read.player_stats p join read.rounds r using (round_id) where r.map = 'supply' and r.round = 2",
    );
    expect(half).toEqual({ kills: 4, deaths: 3, time_played_sec: 180 });
    // The R1 row takes the reading its R2 was paired with, not the earliest one.
    expect(
      await rows(
        split,
        "select round, file_time_unix::float as t from read.rounds where map = 'goldrush' order by round",
      ),
    ).toEqual([
      { round: 1, t: unix('2026-10-25T01:50:00Z') },
      { round: 2, t: unix('2026-10-25T02:10:00Z') },
    ]);
    expect(await rows(split, ROUNDS)).toEqual(await rows(whole, ROUNDS));
  });

  it('keeps an R2 whose file time cannot be converted, flagged, with a null time', async () => {
    const [r] = await rows<{ file_time_utc: Date | null; flags: string[]; player_count: number }>(
      split,
      "select file_time_utc, flags, player_count from read.rounds where map = 'karsiah_te2'",
    );
    expect(r).toMatchObject({ file_time_utc: null, player_count: 1 });
    expect(r!.flags).toEqual(expect.arrayContaining(['fileTimeUnknown', 'r1Missing']));
  });

  it('keeps a shutdown file without an R1 as aborted + halfUnknown, its figures as written', async () => {
    const [r] = await rows<{ flags: string[] }>(split, "select flags from read.rounds where map = 'radar'");
    expect(r!.flags).toEqual(expect.arrayContaining(['aborted', 'halfUnknown']));
    expect(r!.flags).not.toContain('r2Cumulative');
    expect(
      await rows(
        split,
        "select kills, deaths, time_played_sec from read.player_stats p join read.rounds r using (round_id) where r.map = 'radar'",
      ),
    ).toEqual([{ kills: 3, deaths: 2, time_played_sec: 180 }]);
  });

  it('stores Windows-1252 and BOM names whole, drops only the line no column can hold, and says why', async () => {
    const names = await rows(
      split,
      "select raw_name from read.player_stats p join read.rounds r using (round_id) where r.map = 'adlernest' order by line",
    );
    expect(names).toEqual([{ raw_name: 'O’Neil €uro' }, { raw_name: '\ufeffZed' }, { raw_name: 'Spaced' }]);
    const [r] = await rows<{ flags: string[]; issues: { code: string; line: number; field?: string }[] }>(
      split,
      "select flags, issues from read.rounds where map = 'adlernest'",
    );
    expect(r!.flags).toContain('truncated');
    expect(r!.issues.map((i) => [i.code, i.line, i.field ?? null])).toEqual([
      ['trailing_whitespace', 1, null],
      ['trailing_whitespace', 4, null],
      ['bad_player_row', 5, 'damageGiven'],
      ['truncated', 6, null],
    ]);
  });
});
