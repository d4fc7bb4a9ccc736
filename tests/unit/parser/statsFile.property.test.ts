// Property tests over generated stats files (tests/support/statsFileGenerator.ts): exact round trip, R2 − R1
// equals the generated second half, and no mutation of a valid file makes the parser throw.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  differentiateRound2,
  EXTENDED_FIELD_NAMES,
  type ParsedStatsPlayer,
  type ParsedStatsRound,
  parseStatsFile,
  type StatsParseResult,
} from '../../../src/parser/statsFile.ts';
import {
  CUMULATIVE_FIELDS,
  DECIMAL_FIELDS,
  type GeneratedFile,
  type GenHeader,
  type GenPlayer,
  type GenStats,
  generateStatsPair,
} from '../../support/statsFileGenerator.ts';

const pairArb = fc.record({
  seed: fc.integer(),
  players: fc.integer({ min: 0, max: 24 }),
  hostileNames: fc.boolean(),
  writer: fc.constantFrom('c0rnp0rn8' as const, 'c0rnp0rn7' as const),
});

function parsed(file: { bytes: Uint8Array; fileName: string }): ParsedStatsRound {
  const r = parseStatsFile(file.bytes, file.fileName);
  if (!r.ok) throw new Error(`${r.error.code}: ${r.error.detail}`);
  return r.round;
}

/** The generator's numbers in parsed units. */
function expectedExt(stats: GenStats): Record<string, number> {
  return Object.fromEntries(
    EXTENDED_FIELD_NAMES.map((name, i) => [name, DECIMAL_FIELDS.has(i) ? stats.ext[i]! / 10 : stats.ext[i]!]),
  );
}

function expectPlayer(p: ParsedStatsPlayer, g: GenPlayer, stats: GenStats = g.stats) {
  expect({ guid8: p.guid8, rawName: p.rawName, name: p.name, rounds: p.rounds, team: p.team }).toEqual({
    guid8: g.guid8,
    rawName: g.rawName,
    name: g.name,
    rounds: g.rounds,
    team: g.team,
  });
  expect(p.weapons.map(({ weapon: _, ...w }) => w)).toEqual(stats.weapons);
  const ext = Object.fromEntries(EXTENDED_FIELD_NAMES.map((n) => [n, p[n]]));
  expect(ext).toEqual(expectedExt(stats));
  expect(p.kills).toBe(stats.weapons.reduce((s, w) => s + w.kills, 0));
  expect(p.shots).toBe(p.bulletsFired);
  expect(p.dpm).toBe(p.timePlayedSec > 0 ? (p.damageGiven * 60) / p.timePlayedSec : null);
}

function expectHeader(round: ParsedStatsRound, h: GenHeader) {
  expect(round).toMatchObject({
    map: h.map,
    fileMap: h.map,
    round: h.round,
    fileRound: h.round,
    defender: h.defender,
    winner: h.winner,
    timeLimitSec: h.timeLimitSec,
    nextTimeLimitSec: h.nextTimeLimitSec,
    headerPlaytimeMs: h.playtimeMs,
    writer: h.playtimeMs === null ? 'c0rnp0rn7' : 'c0rnp0rn8',
  });
  const expected =
    h.playtimeMs !== null ? h.playtimeMs / 1000 : h.round === 1 ? Math.min(h.nextTimeLimitSec, h.timeLimitSec) : null;
  expect(round.statsPlaytimeSec).toBe(expected);
}

describe('parseStatsFile on generated files', () => {
  it('round-trips every value of a valid R1 and R2', () => {
    fc.assert(
      fc.property(pairArb, (opts) => {
        const pair = generateStatsPair(opts);
        for (const file of [pair.r1, pair.r2]) {
          const round = parsed(file);
          expect(round.issues).toEqual([]);
          expect(round.flags.includes('headerOnly')).toBe(opts.players === 0);
          expect(round.flags.includes('r2Cumulative')).toBe(file.header.round === 2);
          expectHeader(round, file.header);
          expect(round.players).toHaveLength(file.players.length);
          for (const [i, p] of round.players.entries()) expectPlayer(p, file.players[i]!);
        }
      }),
      { numRuns: 150 },
    );
  });

  it('gives back the generated second half from R2 − R1', () => {
    fc.assert(
      fc.property(pairArb, (opts) => {
        const pair = generateStatsPair(opts);
        const diff = differentiateRound2(parsed(pair.r2), parsed(pair.r1));
        expect(diff.flags).not.toContain('r2Cumulative');
        diff.players.forEach((p, i) => {
          const half = pair.r2Half[i]!;
          const g = pair.r2.players[i]!;
          expect(
            p.flags.filter((f) => f !== 'nameRecovered' && f !== 'emptyGuid' && f !== 'zeroTime' && f !== 'overLimit'),
          ).toEqual([]);
          const want = expectedExt(half);
          const skip = new Set(['timePlayedPercent', 'timeDeadRatio', 'tankMeatshield', 'engineKdRatio']);
          for (const [i2, name] of EXTENDED_FIELD_NAMES.entries()) {
            if (!skip.has(name)) expect([name, p[name]]).toEqual([name, want[name]]);
            if (CUMULATIVE_FIELDS.has(i2)) expect(p.cumulativeFields).not.toContain(name);
          }
          expect(p.weapons.map(({ weapon: _, ...w }) => w)).toEqual(half.weapons);
          expect([p.tankMeatshield, p.engineKdRatio]).toEqual([g.stats.ext[23]! / 10, g.stats.ext[26]! / 10]);
          // #8 is rounded to 0.1 in both files: the recomputed share is exact up to that rounding.
          const t1 = pair.r1.players[i]!.stats.ext[22]!;
          const t2 = half.ext[22]!;
          if (t2 > 0) {
            const tolerance = (0.05 * (2 * t1 + t2)) / t2 + 0.05 + 1e-9;
            expect(Math.abs(p.timePlayedPercent - Math.min(100, (100 * half.aliveSec) / t2))).toBeLessThanOrEqual(
              tolerance,
            );
          }
        });
      }),
      { numRuns: 150 },
    );
  });

  it('does not depend on the order of player lines', () => {
    fc.assert(
      fc.property(pairArb, fc.integer(), (opts, shuffleSeed) => {
        const file = generateStatsPair(opts).r1;
        const text = Buffer.from(file.bytes).toString('latin1').split('\n');
        const [header, ...lines] = text.slice(0, -1);
        const shuffled = [...lines].sort((a, b) => hash(a, shuffleSeed) - hash(b, shuffleSeed));
        const bytes = Buffer.from(`${[header, ...shuffled].join('\n')}\n`, 'latin1');
        const key = (r: ParsedStatsRound) => r.players.map(({ line: _, ...p }) => JSON.stringify(p)).sort();
        expect(key(parsed({ ...file, bytes }))).toEqual(key(parsed(file)));
      }),
      { numRuns: 50 },
    );
  });
});

const mutation = fc.oneof(
  fc.record({ kind: fc.constant('flip' as const), at: fc.nat(), byte: fc.integer({ min: 1, max: 255 }) }),
  fc.record({ kind: fc.constant('truncate' as const), at: fc.nat() }),
  fc.record({
    kind: fc.constant('insert' as const),
    at: fc.nat(),
    bytes: fc.uint8Array({ minLength: 1, maxLength: 8 }),
  }),
  fc.record({
    kind: fc.constant('insertText' as const),
    at: fc.nat(),
    text: fc.constantFrom('\\', '\t', '\n', '\r', ' ', '-', '.', '9', 'inf', '\\\\\\', '\t\t', '99999999999999999999'),
  }),
  fc.record({ kind: fc.constant('deleteLine' as const), at: fc.nat() }),
  fc.record({ kind: fc.constant('duplicateLine' as const), at: fc.nat() }),
);
type Mutation = typeof mutation extends fc.Arbitrary<infer M> ? M : never;

function mutate(bytes: Uint8Array, m: Mutation): Uint8Array {
  const b = [...bytes];
  const at = b.length === 0 ? 0 : m.at % (b.length + 1);
  const lines = () => Buffer.from(bytes).toString('latin1').split('\n');
  switch (m.kind) {
    case 'flip':
      if (at < b.length) b[at] = b[at]! ^ m.byte;
      return Uint8Array.from(b);
    case 'truncate':
      return Uint8Array.from(b.slice(0, at));
    case 'insert':
      return Uint8Array.from([...b.slice(0, at), ...m.bytes, ...b.slice(at)]);
    case 'insertText':
      return Uint8Array.from([...b.slice(0, at), ...Buffer.from(m.text, 'latin1'), ...b.slice(at)]);
    case 'deleteLine': {
      const ls = lines();
      ls.splice(m.at % ls.length, 1);
      return Buffer.from(ls.join('\n'), 'latin1');
    }
    case 'duplicateLine': {
      const ls = lines();
      const i = m.at % ls.length;
      ls.splice(i, 0, ls[i]!);
      return Buffer.from(ls.join('\n'), 'latin1');
    }
  }
}

const CODES = ['empty', 'bad_file_name', 'bad_header', 'binary', 'too_large'];

function expectWellFormed(r: StatsParseResult, bytes: Uint8Array) {
  if (!r.ok) {
    expect(CODES).toContain(r.error.code);
    expect(r.error.detail).not.toMatch(/^internal/);
    return;
  }
  const lineCount = bytes.filter((c) => c === 10).length + 1;
  for (const p of r.round.players) {
    expect(p.weapons).toHaveLength([...Array(28).keys()].filter((id) => (p.weaponMask >>> id) & 1).length);
    for (const n of EXTENDED_FIELD_NAMES) if (n !== 'writerDpm') expect(Number.isFinite(p[n])).toBe(true);
    expect(p.line).toBeGreaterThanOrEqual(2);
    expect(p.line).toBeLessThanOrEqual(lineCount);
  }
  for (const i of r.round.issues) expect(['bad_player_row', 'truncated', 'trailing_whitespace']).toContain(i.code);
}

describe('parseStatsFile on mutated files', () => {
  it('returns a round or a coded error for any mutation, never throws', () => {
    fc.assert(
      fc.property(pairArb, fc.array(mutation, { minLength: 1, maxLength: 4 }), fc.boolean(), (opts, ms, useR2) => {
        const pair = generateStatsPair({ ...opts, players: opts.players % 6 });
        const file: GeneratedFile = useR2 ? pair.r2 : pair.r1;
        const bytes = ms.reduce(mutate, file.bytes);
        const r = parseStatsFile(bytes, file.fileName);
        expectWellFormed(r, bytes);
        if (r.ok) {
          const other = parseStatsFile(pair.r1.bytes, pair.r1.fileName);
          if (other.ok) expect(() => differentiateRound2(r.round, other.round)).not.toThrow();
        }
      }),
      { numRuns: 400 },
    );
  });

  it('never throws on arbitrary bytes or file names', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 600 }), fc.string(), (bytes, name) => {
        expectWellFormed(parseStatsFile(bytes, name), bytes);
        expectWellFormed(parseStatsFile(bytes, '2026-08-19-214136-supply-round-1.txt'), bytes);
      }),
      { numRuns: 300 },
    );
  });

  it('keeps exactly the whole lines before a cut, with their values, and reports the cut one', () => {
    fc.assert(
      fc.property(pairArb, fc.nat(), (opts, cutSeed) => {
        const file = generateStatsPair({ ...opts, players: Math.max(1, opts.players % 8) }).r1;
        const full = parsed(file);
        const headerEnd = file.bytes.indexOf(10) + 1;
        const cut = headerEnd + (cutSeed % (file.bytes.length - headerEnd + 1));
        const round = parsed({ ...file, bytes: file.bytes.subarray(0, cut) });
        const whole = file.bytes.subarray(0, cut).filter((c) => c === 10).length - 1;
        expect(round.players).toEqual(full.players.slice(0, whole));
        const isCut = cut < file.bytes.length && file.bytes[cut - 1] !== 10;
        expect(round.flags.includes('truncated')).toBe(isCut);
        expect(round.issues.map((i) => [i.code, i.line])).toEqual(isCut ? [['truncated', whole + 2]] : []);
      }),
      { numRuns: 200 },
    );
  });
});

function hash(s: string, seed: number): number {
  let h = seed | 0;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x9e3779b1);
  return h;
}
