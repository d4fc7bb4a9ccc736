// R2 − R1 on the writer samples (shared/data/stats/README.md) and on hand-made pairs.
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import {
  differentiateRound2,
  type ParsedStatsPlayer,
  type ParsedStatsRound,
  parseStatsFile,
} from '../../../src/parser/statsFile.ts';

const dirs = ['../../fixtures/stats/'].map((p) => fileURLToPath(new URL(p, import.meta.url)));
const samplesDir = dirs.find((d) => existsSync(d)) ?? dirs[0]!;

function load(file: string): ParsedStatsRound {
  const r = parseStatsFile(readFileSync(samplesDir + file), file);
  if (!r.ok) throw new Error(`${file}: ${r.error.detail}`);
  return r.round;
}

function pair(r2File: string, r1File: string): ParsedStatsRound {
  return differentiateRound2(load(r2File), load(r1File));
}

function named(round: ParsedStatsRound, name: string): ParsedStatsPlayer {
  const p = round.players.find((x) => x.name === name);
  if (!p) throw new Error(`no ${name}`);
  return p;
}

function kddt(p: ParsedStatsPlayer): number[] {
  return [p.kills, p.deaths, p.damageGiven, p.timePlayedSec];
}

describe('differentiateRound2 on the writer samples', () => {
  it('gives supply R2 Vektor 5/6/702 in 264 s, DPM 159.55', () => {
    const round = pair('2026-08-19-214737-supply-round-2.txt', '2026-08-19-214136-supply-round-1.txt');
    const v = named(round, 'Vektor');
    expect(kddt(v)).toEqual([5, 6, 702, 264]);
    expect(v.dpm).toBeCloseTo(159.55, 2);
    expect(v.xp).toBe(18); // half-only, as written
    expect(v.cumulativeFields).toEqual(['engineKdRatio', 'tankMeatshield']);
    expect(v.flags).toEqual([]);
    expect(round.flags).toEqual([]);
    expect(round.r1FileName).toBe('2026-08-19-214136-supply-round-1.txt');
    expect(round.players).toHaveLength(6);
  });

  it('gives adlernest R2 Vektor 246 s, not the reference reader’s floored 245', () => {
    const v = named(
      pair('2026-08-19-220523-etl_adlernest-round-2.txt', '2026-08-19-220005-etl_adlernest-round-1.txt'),
      'Vektor',
    );
    expect(kddt(v)).toEqual([4, 7, 702, 246]);
    expect(v.dpm).toBeCloseTo(171.22, 2);
  });

  it('gives te_escape2 R2 Vektor 12/16/1368 in 588 s', () => {
    const v = named(
      pair('2026-08-19-223456-te_escape2-round-2.txt', '2026-08-19-222249-te_escape2-round-1.txt'),
      'Vektor',
    );
    expect(kddt(v)).toEqual([12, 16, 1368, 588]);
    expect(v.dpm).toBeCloseTo(139.59, 2);
  });

  it('gives bremen R2 (shutdown) Hroth 4/4/450 in 204 s exactly, and keeps the round aborted', () => {
    const round = pair('2026-08-20-215320-bremen_b3-round-2.txt', '2026-08-20-214824-bremen_b3-round-1.txt');
    const h = named(round, 'Hroth');
    expect(kddt(h)).toEqual([4, 4, 450, 204]);
    expect(h.dpm).toBeCloseTo(132.35, 2);
    expect(round.statsPlaytimeSec).toBeNull();
    expect(round.flags).toEqual(['shutdownWritten', 'aborted']);
  });

  it('recomputes the ratios from the differential and keeps #23/#26 as written', () => {
    const r2 = load('2026-08-19-214737-supply-round-2.txt');
    const r1 = load('2026-08-19-214136-supply-round-1.txt');
    const raw = named(r2, 'Vektor');
    const v = named(differentiateRound2(r2, r1), 'Vektor');
    const v1 = named(r1, 'Vektor');
    const alive = (raw.timePlayedPercent * raw.timePlayedSec - v1.timePlayedPercent * v1.timePlayedSec) / 100;
    expect(v.timePlayedPercent).toBeCloseTo((alive / 264) * 100, 1);
    expect(v.timeDeadRatio).toBeCloseTo((raw.timeDeadSec / 264) * 100, 1);
    expect([v.engineKdRatio, v.tankMeatshield]).toEqual([raw.engineKdRatio, raw.tankMeatshield]);
    expect(v.bulletsFired).toBe(v.shots);
    expect(v.accuracy).toBeCloseTo((v.hits / v.shots) * 100, 10);
    expect(v.kdRatio).toBeCloseTo(5 / 6, 10);
    expect(v.weaponMask).toBe(v.weapons.reduce((m, w) => m + 2 ** w.weaponId, 0));
  });

  it('leaves an orphan R2 cumulative (decay_sw has no R1)', () => {
    const orphan = load('2026-08-20-213144-decay_sw-round-2.txt');
    expect(orphan.flags).toContain('r2Cumulative');
    expect(named(orphan, 'Hroth').timePlayedSec).toBe(600);
  });

  it('returns R2 unchanged when the pair does not qualify', () => {
    const r2 = load('2026-08-19-214737-supply-round-2.txt');
    const r1 = load('2026-08-19-214136-supply-round-1.txt');
    const other = load('2026-08-19-220005-etl_adlernest-round-1.txt');
    expect(differentiateRound2(r2, other)).toBe(r2);
    expect(differentiateRound2(r1, r1)).toBe(r1);
    const once = differentiateRound2(r2, r1);
    expect(differentiateRound2(once, r1)).toBe(once);
  });
});

const enc = new TextEncoder();
const ext = (dmg: number, minutes: string, xp = 5) =>
  [
    dmg,
    100,
    0,
    0,
    1,
    0,
    0,
    0,
    '50.0',
    xp,
    0,
    0,
    0,
    0,
    0,
    0,
    0,
    0,
    0,
    0,
    10,
    '0.0',
    minutes,
    '4.2',
    '10.0',
    '1.0',
    '1.5',
  ]
    .concat(Array(11).fill(0))
    .join('\t');
const line = (guid: string, name: string, weapons: string, dmg: number, minutes: string, xp?: number) =>
  `${guid}\\${name}\\0\\1\\${weapons} \t${ext(dmg, minutes, xp)}\n`;

function round(round: 1 | 2, lines: string[]): ParsedStatsRound {
  const text = `srv\\supply\\legacy6\\${round}\\1\\2\\12:00\\9:03\\300000\n${lines.join('')}`;
  const r = parseStatsFile(enc.encode(text), `2026-08-19-21000${round}-supply-round-${round}.txt`);
  if (!r.ok) throw new Error(r.error.detail);
  return r.round;
}

describe('differentiateRound2 on hand-made pairs', () => {
  // mask 16 = WS_MP40; tuple = hits shots kills deaths headshots
  const r1 = round(1, [
    line('AAAAAAAA', 'stay', '16 5 10 2 1 0', 500, '3.0'),
    line('OMNIBOT0', '[BOT]a', '16 1 2 1 1 0', 100, '3.0'),
    line('OMNIBOT0', '[BOT]b', '16 1 2 1 1 0', 200, '3.0'),
  ]);

  it('keeps the R2 values of a player who was not in R1', () => {
    const r2 = round(2, [line('NEWNEWNE', 'late', '16 1 2 1 0 0', 80, '1.0', 7)]);
    const p = differentiateRound2(r2, r1).players[0]!;
    expect(kddt(p)).toEqual([1, 0, 80, 60]);
    expect(p.flags).toEqual(['absentFromR1']);
    expect(p.cumulativeFields).toEqual([]);
  });

  it('keeps the raw R2 values of a player whose counters went down (reconnect), with a flag', () => {
    const r2 = round(2, [line('AAAAAAAA', 'stay', '16 2 4 1 0 0', 150, '2.0')]);
    const p = differentiateRound2(r2, r1).players[0]!;
    expect(kddt(p)).toEqual([1, 0, 150, 120]);
    expect(p.flags).toEqual(['counterReset']);
  });

  it('matches a guid8 that occurs twice by name, and drops a weapon whose differential is all zero', () => {
    const r2 = round(2, [
      line('OMNIBOT0', '[BOT]b', '16 1 2 1 1 0', 260, '5.0'),
      line('OMNIBOT0', '[BOT]a', '16400 1 2 1 1 0 3 3 1 0 1', 150, '4.5'),
    ]);
    const [b, a] = differentiateRound2(r2, r1).players;
    expect(kddt(b!)).toEqual([0, 0, 60, 120]);
    expect(b!.weapons).toEqual([]);
    expect(b!.dpm).toBe(30);
    expect(kddt(a!)).toEqual([1, 0, 50, 90]);
    expect(a!.weapons.map((w) => w.weapon)).toEqual(['WS_DYNAMITE']);
    expect(a!.weaponMask).toBe(16384);
  });

  it('refuses to guess when the same guid8 and name occur twice', () => {
    const r2 = round(2, [
      line('OMNIBOT0', '[BOT]a', '16 2 4 2 1 0', 150, '4.5'),
      line('OMNIBOT0', '[BOT]a', '16 2 4 2 1 0', 150, '4.5'),
    ]);
    const ps = differentiateRound2(r2, r1).players;
    expect(ps.map((p) => p.flags)).toEqual([['ambiguousR1Match'], ['ambiguousR1Match']]);
    expect(ps[0]!.damageGiven).toBe(150);
  });

  it('gives a player with no time in R2 no DPM', () => {
    const r2 = round(2, [line('AAAAAAAA', 'stay', '16 6 12 2 1 0', 600, '3.0')]);
    const p = differentiateRound2(r2, r1).players[0]!;
    expect([p.timePlayedSec, p.dpm, p.timePlayedPercent, p.timeDeadRatio]).toEqual([0, null, 0, 0]);
    expect(p.flags).toEqual(['zeroTime']);
  });
});
