// The writer's real output in shared/data/stats/ must give the values its README lists, or the correct
// value where the README says the reference reader is wrong.
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { type ParsedStatsPlayer, type ParsedStatsRound, parseStatsFile } from '../../../src/parser/statsFile.ts';

const candidates = ['../../fixtures/stats/'].map((p) => fileURLToPath(new URL(p, import.meta.url)));
const samplesDir = candidates.find((d) => existsSync(d)) ?? candidates[0]!;

function loadSample(file: string): ParsedStatsRound {
  const r = parseStatsFile(readFileSync(samplesDir + file), file);
  if (!r.ok) throw new Error(`${file}: ${r.error.code} ${r.error.detail}`);
  return r.round;
}

function player(round: ParsedStatsRound, name: string): ParsedStatsPlayer {
  const p = round.players.find((x) => x.name === name);
  if (!p) throw new Error(`no player ${name} in ${round.fileName}`);
  return p;
}

type Row = [
  file: string,
  playtime: number | null,
  players: number,
  name: string,
  k: number,
  d: number,
  dmg: number,
  t: number,
  dpm: number,
];
const rows: Row[] = [
  ['2026-08-19-214136-supply-round-1.txt', 543, 6, 'Vektor', 22, 16, 2287, 540, 254.11],
  ['2026-08-19-220005-etl_adlernest-round-1.txt', 442, 6, 'Vektor', 8, 12, 1188, 444, 160.54],
  ['2026-08-19-222249-te_escape2-round-1.txt', 741, 6, 'Vektor', 14, 19, 2444, 738, 198.7],
  ['2026-08-20-194533-karsiah_te2-round-1.txt', 180, 4, 'AlTwo', 5, 2, 468, 180, 156],
  ['2026-08-20-201512-etl_frostbite-round-1.txt', 401, 8, '@everyone', 15, 11, 1713, 402, 255.67],
  ['2026-08-20-210834-missile_b3-round-1.txt', 381, 4, 'Hroth', 10, 8, 1278, 378, 202.86],
  ['2026-08-20-214824-bremen_b3-round-1.txt', 501, 4, 'Hroth', 14, 13, 1680, 498, 202.41],
  // raw cumulative R2 values (no pairing yet)
  ['2026-08-19-214737-supply-round-2.txt', 265, 6, 'Vektor', 27, 22, 2989, 804, 223.06],
  ['2026-08-20-213144-decay_sw-round-2.txt', 301, 4, 'Hroth', 17, 16, 1735, 600, 173.5],
];

describe('parseStatsFile on the writer samples', () => {
  it('finds the samples', () => {
    expect(existsSync(samplesDir), `copy shared/data/stats into ${candidates[0]}`).toBe(true);
  });

  it.each(rows)(
    '%s: duration %s s, %i players, %s K/D/damage/time/DPM',
    (file, playtime, count, name, k, d, dmg, t, dpm) => {
      const round = loadSample(file);
      expect(round.statsPlaytimeSec).toBe(playtime);
      expect(round.players).toHaveLength(count);
      expect(round.issues).toEqual([]);
      const p = player(round, name);
      expect([p.kills, p.deaths, p.damageGiven, p.timePlayedSec]).toEqual([k, d, dmg, t]);
      expect(p.dpm).toBeCloseTo(dpm, 2);
    },
  );

  it('reads the worked example field by field (spec §7)', () => {
    const round = loadSample('2026-08-20-194533-karsiah_te2-round-1.txt');
    expect(round).toMatchObject({
      fileLocalTime: { year: 2026, month: 8, day: 20, hour: 19, minute: 45, second: 33 },
      fileMap: 'karsiah_te2',
      fileRound: 1,
      serverName: 'ExampleServer',
      map: 'karsiah_te2',
      config: 'legacy6',
      round: 1,
      defender: 1,
      winner: 2,
      timeLimitSec: 480,
      nextTimeLimitSec: 179,
      headerPlaytimeMs: 180000,
      writer: 'c0rnp0rn8',
      statsPlaytimeSec: 180,
      flags: [],
      r1FileName: null,
    });
    const ax = player(round, 'AxTwo');
    expect(ax).toMatchObject({
      guid8: 'BBBBBBBB',
      rawName: 'AxTwo',
      rounds: 0,
      team: 1,
      weaponMask: 2108,
      damageGiven: 306,
      damageReceived: 439,
      teamDamageGiven: 18,
      gibs: 2,
      timePlayedPercent: 44.1,
      xp: 9,
      bulletsFired: 82,
      writerDpm: 0,
      timePlayedSec: 180,
      timeDeadRatio: 56.4,
      timeDeadSec: 102,
      engineKdRatio: 0.8,
      usefulKills: 2,
      deniedPlaytimeSec: 30,
      uselessKills: 1,
      kills: 3,
      deaths: 4,
      headshots: 3,
      shots: 82,
      hits: 14,
      kdRatio: 0.75,
      cumulativeFields: [],
      flags: [],
    });
    expect(ax.weapons.map((w) => w.weapon)).toEqual(['WS_LUGER', 'WS_COLT', 'WS_MP40', 'WS_THOMPSON', 'WS_GRENADE']);
    expect(ax.weapons[2]).toEqual({
      weaponId: 4,
      weapon: 'WS_MP40',
      hits: 12,
      shots: 73,
      kills: 2,
      deaths: 0,
      headshots: 3,
    });
    expect(ax.accuracy).toBeCloseTo(17.07, 2);
    expect(ax.efficiency).toBeCloseTo(42.86, 2);
    expect(player(round, 'AxOne').rawName).toBe('^1Ax^7One');
    const al = player(round, 'AlTwo');
    expect([al.accuracy, al.kdRatio, al.efficiency]).toEqual([expect.closeTo(12.18, 2), 2.5, expect.closeTo(71.43, 2)]);
    const totals = round.players.reduce((s, p) => [s[0]! + p.kills, s[1]! + p.deaths], [0, 0]);
    expect(totals).toEqual([13, 13]);
    for (const p of round.players) expect(p.bulletsFired).toBe(p.shots);
  });

  it('keeps every hostile name of etl_frostbite exactly, back\\slash included', () => {
    const round = loadSample('2026-08-20-201512-etl_frostbite-round-1.txt');
    expect(round.players.map((p) => p.rawName).sort()).toEqual(
      [
        '^1Red^7Dr^3a^7gon^*',
        'ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789wxyz',
        'Željko ★ 日本',
        '@everyone',
        'bell\u0007ctl',
        'back\\slash',
        '"quoted" O\'Neil',
        "'; DROP TABLE rounds;--",
      ].sort(),
    );
    expect(player(round, 'RedDragon').rawName).toBe('^1Red^7Dr^3a^7gon^*');
    expect(player(round, 'bellctl').rawName).toBe('bell\u0007ctl');
    const slash = player(round, 'back\\slash');
    expect(slash).toMatchObject({
      guid8: '',
      rounds: 0,
      team: 2,
      weaponMask: 2108,
      damageGiven: 932,
      kills: 8,
      deaths: 12,
    });
    expect(slash.flags).toEqual(['nameRecovered', 'emptyGuid']);
  });

  it('credits no time to the late joiner and keeps the spectator as team 3 (etl_sp_delivery)', () => {
    const round = loadSample('2026-08-20-203048-etl_sp_delivery-round-1.txt');
    expect(round.players).toHaveLength(8);
    const late = player(round, 'latecomer');
    expect([late.kills, late.deaths, late.damageGiven, late.timePlayedSec, late.dpm]).toEqual([0, 0, 0, 0, null]);
    expect(late.flags).toEqual(['zeroTime']);
    expect(player(round, 'spectator')).toMatchObject({ team: 3, timePlayedSec: 120, rawName: '^2spec^7tator' });
    expect(round.players.filter((p) => p.guid8 === 'OMNIBOT0').map((p) => p.name)).toEqual(['[BOT]Hans', '[BOT]Fritz']);
  });

  it('reads a header-only file as a valid round with 0 players (etl_ice)', () => {
    const round = loadSample('2026-08-20-204354-etl_ice-round-1.txt');
    expect(round).toMatchObject({
      players: [],
      issues: [],
      statsPlaytimeSec: 31,
      defender: 1,
      winner: 1,
      flags: ['headerOnly'],
    });
  });

  it('keeps the 2 whole players of a cut file and reports the lost line (erdenberg_t2)', () => {
    const round = loadSample('2026-08-20-205504-erdenberg_t2-round-1.txt');
    expect(round.players.map((p) => p.name)).toEqual(['pixelwitch', 'Hroth']);
    expect(round.flags).toContain('truncated');
    expect(round.issues).toEqual([
      expect.objectContaining({ code: 'truncated', line: 4, value: expect.stringMatching(/^B5C6D7E8\\dunmore\\/) }),
    ]);
    expect(round.players.some((p) => p.name === 'dunmore')).toBe(false);
  });

  it('takes the 8-field c0rnp0rn7 header time from f8, approximate (missile_b3)', () => {
    const round = loadSample('2026-08-20-210834-missile_b3-round-1.txt');
    expect(round).toMatchObject({ writer: 'c0rnp0rn7', headerPlaytimeMs: null, statsPlaytimeSec: 381 });
    expect(round.flags).toEqual(['approximateStatsTime']);
  });

  it('keeps 741 s against a 12:00 limit and flags it, players not capped (te_escape2 R1)', () => {
    const round = loadSample('2026-08-19-222249-te_escape2-round-1.txt');
    expect(round.statsPlaytimeSec).toBe(741);
    expect(round.flags).toEqual(['overLimit']);
    expect(player(round, 'Vektor')).toMatchObject({ timePlayedSec: 738, flags: ['overLimit'] });
  });

  it('gives no time to a round-2 file written on shutdown (bremen_b3 R2)', () => {
    const round = loadSample('2026-08-20-215320-bremen_b3-round-2.txt');
    expect(round).toMatchObject({
      winner: 0,
      headerPlaytimeMs: -160400000,
      statsPlaytimeSec: null,
      nextTimeLimitSec: 3474,
    });
    expect(round.flags).toEqual(['shutdownWritten', 'aborted', 'r2Cumulative']);
  });

  it('never reads a round-2 f8 as a time, and marks R2 values cumulative (supply R2)', () => {
    const round = loadSample('2026-08-19-214737-supply-round-2.txt');
    expect(round).toMatchObject({ nextTimeLimitSec: 58 * 60 + 2, timeLimitSec: 543, statsPlaytimeSec: 265 });
    expect(round.flags).toEqual(['r2Cumulative']);
    expect(player(round, 'Vektor').cumulativeFields).toContain('damageGiven');
    expect(player(round, 'Vektor').flags).toEqual([]);
  });

  it('reports an empty file as empty (sp_delivery_te)', () => {
    const file = '2026-08-20-211500-sp_delivery_te-round-1.txt';
    const r = parseStatsFile(readFileSync(samplesDir + file), file);
    expect(r).toEqual({ ok: false, error: { code: 'empty', line: 0, detail: 'the file is empty' } });
  });
});
