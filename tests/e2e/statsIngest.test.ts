import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { ingestPaths } from '../../src/cli/commands/ingest.ts';
import { type Config, loadConfig } from '../../src/config/common.ts';
import { createLogger } from '../../src/logger.ts';
import { openLedger } from '../../src/store/openStore.ts';
import { runCli } from '../support/cli.ts';
import { freshPostgresUrl, postgresAvailable } from '../support/databases.ts';

const samples = fileURLToPath(new URL('../../samples/stats/', import.meta.url));
const quiet = { log: createLogger('silent'), io: { out: () => {}, err: () => {}, isTTY: false } };

async function configFor(extra: Record<string, string> = {}): Promise<Config> {
  return loadConfig({
    ET_LEDGER_STORE: `postgres:${await freshPostgresUrl('ingest')}`,
    ET_LEDGER_TZ: 'Europe/Ljubljana',
    ...extra,
  });
}

async function rows<T = Record<string, unknown>>(config: Config, sql: string, params: unknown[] = []): Promise<T[]> {
  const ledger = await openLedger(config.store);
  try {
    return (await ledger.db.query<T>(sql, params)).rows;
  } finally {
    await ledger.close();
  }
}

describe.skipIf(!postgresAvailable())('ingesting stats files', () => {
  let config: Config;
  let first: Awaited<ReturnType<typeof ingestPaths>>;
  beforeAll(async () => {
    config = await configFor();
    first = await ingestPaths({ ...quiet, config }, [samples]);
  }, 120_000);

  it('keeps every sample file once: 15 rounds, the empty file and the README quarantined', async () => {
    expect(first.files).toBe(17);
    expect(first.appended).toBe(17);
    expect(first.quarantined).toBe(2);
    expect((await rows(config, 'select count(*)::int as n from read.rounds'))[0]).toEqual({ n: 15 });
    const q = await rows<{ file_name: string; reason_code: string }>(
      config,
      'select file_name, reason_code from read.quarantine order by file_name',
    );
    expect(q).toEqual([
      { file_name: '2026-08-20-211500-sp_delivery_te-round-1.txt', reason_code: 'empty' },
      { file_name: 'README.md', reason_code: 'unknown_kind' },
    ]);
  });

  it('ingesting the same folder again appends nothing', async () => {
    const again = await ingestPaths({ ...quiet, config }, [samples]);
    expect(again).toMatchObject({ appended: 0, duplicate: 17 });
    expect((await rows(config, 'select count(*)::int as n from read.rounds'))[0]).toEqual({ n: 15 });
  });

  it('keeps a header-only file as a real round with no players', async () => {
    const [ice] = await rows(
      config,
      "select player_count, stats_playtime_sec, flags, winner, defender from read.rounds where map = 'etl_ice'",
    );
    expect(ice).toEqual({ player_count: 0, stats_playtime_sec: 31, flags: ['headerOnly'], winner: 1, defender: 1 });
  });

  it('flags a truncated file, reports the lost line and invents nothing', async () => {
    const [r] = await rows<{ player_count: number; flags: string[]; issues: { code: string; line: number }[] }>(
      config,
      "select player_count, flags, issues from read.rounds where map = 'erdenberg_t2'",
    );
    expect(r!.flags).toContain('truncated');
    expect(r!.player_count).toBe(2);
    expect(r!.issues).toEqual([expect.objectContaining({ code: 'truncated', line: 4 })]);
    expect(
      await rows(
        config,
        "select name from read.player_stats p join read.rounds r using (round_id) where r.map = 'erdenberg_t2' and p.name = 'dunmore'",
      ),
    ).toEqual([]);
  });

  it('keeps hostile names exactly and inert, including the backslash the reference reader dropped', async () => {
    const names = (
      await rows<{ raw_name: string; name: string; guid8: string }>(
        config,
        "select raw_name, name, guid8 from read.player_stats p join read.rounds r using (round_id) where r.map = 'etl_frostbite' order by raw_name",
      )
    ).map((r) => r.raw_name);
    expect(names).toHaveLength(8);
    expect(names).toEqual(
      expect.arrayContaining([
        '@everyone',
        "'; DROP TABLE rounds;--",
        '"quoted" O\'Neil',
        'back\\slash',
        'bell\u0007ctl',
        '^1Red^7Dr^3a^7gon^*',
      ]),
    );
    const [red] = await rows(config, "select name from read.player_stats where raw_name = '^1Red^7Dr^3a^7gon^*'");
    expect(red).toEqual({ name: 'RedDragon' });
    const [everyone] = await rows(
      config,
      "select kills, deaths, damage_given, time_played_sec from read.player_stats where raw_name = '@everyone'",
    );
    expect(everyone).toEqual({ kills: 15, deaths: 11, damage_given: 1713, time_played_sec: 402 });
    expect((await rows(config, 'select count(*)::int as n from read.rounds'))[0]).toEqual({ n: 15 });
  });

  it('gives a player with zero team time 0 s and no DPM, never the whole round', async () => {
    const [late] = await rows(
      config,
      "select time_played_sec, dpm, flags from read.player_stats where name = 'latecomer'",
    );
    expect(late).toEqual({ time_played_sec: 0, dpm: null, flags: ['zeroTime'] });
  });

  it('an R2 shows its own half (R2 − R1), an orphan R2 keeps cumulative values flagged r1Missing', async () => {
    const [vektor] = await rows(
      config,
      "select kills, deaths, damage_given, time_played_sec, round(dpm::numeric, 2)::float as dpm from read.player_stats p join read.rounds r using (round_id) where r.file_name = '2026-08-19-214737-supply-round-2.txt' and p.name = 'Vektor'",
    );
    expect(vektor).toEqual({ kills: 5, deaths: 6, damage_given: 702, time_played_sec: 264, dpm: 159.55 });
    const [adler] = await rows(
      config,
      "select time_played_sec from read.player_stats p join read.rounds r using (round_id) where r.file_name = '2026-08-19-220523-etl_adlernest-round-2.txt' and p.name = 'Vektor'",
    );
    expect(adler).toEqual({ time_played_sec: 246 });
    const [orphan] = await rows<{ flags: string[]; r1_round_id: string | null }>(
      config,
      "select flags, r1_round_id from read.rounds where map = 'decay_sw'",
    );
    expect(orphan!.flags).toEqual(expect.arrayContaining(['r2Cumulative', 'r1Missing']));
    expect(orphan!.r1_round_id).toBeNull();
    const [hroth] = await rows(
      config,
      "select time_played_sec from read.player_stats p join read.rounds r using (round_id) where r.map = 'decay_sw' and p.name = 'Hroth'",
    );
    expect(hroth).toEqual({ time_played_sec: 600 });
  });

  it('an R2 written on shutdown is aborted with no duration; its R1 pairs and the half is exact', async () => {
    const [r2] = await rows<{ stats_playtime_sec: number | null; flags: string[]; winner: number }>(
      config,
      "select stats_playtime_sec, flags, winner from read.rounds where map = 'bremen_b3' and round = 2",
    );
    expect(r2).toMatchObject({ stats_playtime_sec: null, winner: 0 });
    expect(r2!.flags).toEqual(expect.arrayContaining(['shutdownWritten', 'aborted']));
    const [hroth] = await rows(
      config,
      "select kills, deaths, damage_given, time_played_sec from read.player_stats p join read.rounds r using (round_id) where r.map = 'bremen_b3' and r.round = 2 and p.name = 'Hroth'",
    );
    expect(hroth).toEqual({ kills: 4, deaths: 4, damage_given: 450, time_played_sec: 204 });
  });

  it('an 8-field header (old writer) takes f8 as an approximate duration', async () => {
    const [m] = await rows<{ stats_playtime_sec: number; flags: string[]; writer: string }>(
      config,
      "select stats_playtime_sec, flags, writer from read.rounds where map = 'missile_b3'",
    );
    expect(m).toEqual({ stats_playtime_sec: 381, flags: ['approximateStatsTime'], writer: 'c0rnp0rn7' });
  });

  it('rates over several rounds divide sums, never average per-round DPMs', async () => {
    const [agg] = await rows<{ dpm: number }>(
      config,
      "select round(sum(damage_given) * 60.0 / sum(time_played_sec), 2)::float as dpm from read.player_stats where name = 'Vektor' and time_played_sec > 0",
    );
    const [avg] = await rows<{ dpm: number }>(
      config,
      "select round(avg(dpm)::numeric, 2)::float as dpm from read.player_stats where name = 'Vektor' and time_played_sec > 0",
    );
    expect(agg!.dpm).not.toBe(avg!.dpm);
    expect(agg!.dpm).toBeCloseTo(
      ((2287 + 702 + 1188 + 702 + 2444 + 1368) * 60) / (540 + 264 + 444 + 246 + 738 + 588),
      2,
    );
  });
});

describe.skipIf(!postgresAvailable())('bad input is kept in quarantine with a clear reason', () => {
  it('quarantines a bad header, binary garbage, a wrong file name and an oversized file; later files still land', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'etl-bad-'));
    writeFileSync(
      join(dir, '2026-08-20-100000-supply-round-1.txt'),
      'srv\\supply\\cfg\\1\\x\\2\\not-a-time\\1:00\\1000\n',
    );
    writeFileSync(
      join(dir, '2026-08-20-100100-supply-round-1.txt'),
      Buffer.from([0x53, 0x5c, 0x00, 0xff, 0xfe, 0x01, 0x02, 0x5c, 0x31, 0x5c, 0x0a]),
    );
    copyFileSync(join(samples, '2026-08-20-194533-karsiah_te2-round-1.txt'), join(dir, 'karsiah-copy.txt'));
    writeFileSync(
      join(dir, '2026-08-20-100200-big-round-1.txt'),
      `srv\\big\\cfg\\1\\1\\2\\8:00\\2:59\\180000\n${'x'.repeat(5000)}\n`,
    );
    copyFileSync(
      join(samples, '2026-08-20-214824-bremen_b3-round-1.txt'),
      join(dir, '2026-08-20-214824-bremen_b3-round-1.txt'),
    );
    const config = await configFor({ ET_LEDGER_MAX_FILE_BYTES: '4096' });
    const summary = await ingestPaths({ ...quiet, config }, [dir]);
    expect(summary).toMatchObject({ files: 5, appended: 5, quarantined: 4 });
    const q = await rows<{ file_name: string; reason_code: string; reason: string }>(
      config,
      'select file_name, reason_code, reason from read.quarantine order by file_name',
    );
    expect(q.map((r) => [r.file_name, r.reason_code])).toEqual([
      ['2026-08-20-100000-supply-round-1.txt', 'bad_header'],
      ['2026-08-20-100100-supply-round-1.txt', 'unknown_kind'],
      ['2026-08-20-100200-big-round-1.txt', 'too_large'],
      ['karsiah-copy.txt', 'bad_file_name'],
    ]);
    expect(q[0]!.reason).toMatch(/defender|time/);
    expect(q[2]!.reason).toMatch(/ET_LEDGER_MAX_FILE_BYTES/);
    expect(await rows(config, 'select file_name from read.rounds')).toEqual([
      { file_name: '2026-08-20-214824-bremen_b3-round-1.txt' },
    ]);
    // Every fact is in the log, raw, once.
    expect((await rows(config, 'select count(*)::int as n from ledger.events where raw is not null'))[0]).toEqual({
      n: 5,
    });
  }, 60_000);
});

describe.skipIf(!postgresAvailable())('ingest does not follow symbolic links unless --follow-links', () => {
  it('lists links and a FIFO as skipped and reads only the real files; --follow-links appends the target', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'etl-links-'));
    const outside = mkdtempSync(join(tmpdir(), 'etl-links-outside-'));
    const secret = `ETL-SECRET-${process.pid}-${Date.now()}`;
    const secretFile = join(outside, 'shadow');
    writeFileSync(secretFile, `root:${secret}:19000:0:99999:7:::\n`);
    const real = join(dir, '2026-08-20-214824-bremen_b3-round-1.txt');
    copyFileSync(join(samples, '2026-08-20-214824-bremen_b3-round-1.txt'), real);
    symlinkSync(secretFile, join(dir, 'x.txt'));
    const named = join(outside, 'named-link.txt'); // a link named on the command line is not followed either
    symlinkSync(secretFile, named);
    execFileSync('mkfifo', [join(dir, 'fifo.txt')]);
    const url = await freshPostgresUrl('ingest_links');
    const env = { ET_LEDGER_STORE: `postgres:${url}`, ET_LEDGER_TZ: 'Europe/Ljubljana' };
    const config = await loadConfig(env);
    const secretEvents = async () =>
      (
        await rows<{ n: number }>(
          config,
          "select count(*)::int as n from ledger.events where position(convert_to($1, 'UTF8') in coalesce(raw, ''::bytea)) > 0 or data::text like '%' || $1 || '%'",
          [secret],
        )
      )[0]!.n;

    const plain = await runCli(['ingest', dir, named], env);
    expect(plain.code, plain.stderr).toBe(0);
    const lines = plain.stdout.split('\n');
    expect(lines[0]).toBe('1 files: 1 facts appended, 0 duplicate, 0 quarantined');
    expect(lines).toContain(`  skipped ${join(dir, 'x.txt')}: a symbolic link, not followed (--follow-links reads it)`);
    expect(lines).toContain(`  skipped ${named}: a symbolic link, not followed (--follow-links reads it)`);
    expect(lines).toContain(`  skipped ${join(dir, 'fifo.txt')}: not a regular file (FIFO, device or socket)`);
    expect(await secretEvents()).toBe(0);
    expect(await rows(config, 'select file_name from read.rounds')).toEqual([
      { file_name: '2026-08-20-214824-bremen_b3-round-1.txt' },
    ]);

    const json = await runCli(['ingest', '--json', dir], env);
    expect(JSON.parse(json.stdout)).toMatchObject({
      files: 1,
      appended: 0,
      duplicate: 1,
      notRead: [
        { file: join(dir, 'fifo.txt'), reason: 'not_a_file' },
        { file: join(dir, 'x.txt'), reason: 'symlink' },
      ],
    });

    const followed = await runCli(['ingest', '--follow-links', dir], env);
    expect(followed.code, followed.stderr).toBe(0);
    expect(followed.stdout.split('\n')[0]).toBe('2 files: 1 facts appended, 1 duplicate, 1 quarantined');
    expect(followed.stdout).toContain(`  skipped ${join(dir, 'fifo.txt')}: not a regular file`);
    expect(followed.stdout).not.toContain('symbolic link');
    expect(await secretEvents()).toBe(1); // the target, read as today (and quarantined: not a stats file)
    for (const d of [dir, outside]) rmSync(d, { recursive: true, force: true });
  }, 60_000);
});
