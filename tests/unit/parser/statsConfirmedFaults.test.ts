// Confirmed stats-parser faults, each with its minimal input (shared/spec/stats-file.md, correlation.md).
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { recognizeFact } from '../../../src/parser/recognize.ts';
import {
  differentiateRound2,
  type ParsedStatsRound,
  parseStatsFile,
  R2_CUMULATIVE_FIELDS,
  type StatsParseResult,
} from '../../../src/parser/statsFile.ts';
import { bytes, ext } from '../../support/statsLines.ts';

const H1 = 'S\\karsiah_te2\\legacy6\\1\\1\\2\\8:00\\2:59\\180000\n';
const H1_NAME = '2026-08-20-194533-karsiah_te2-round-1.txt';
const H2 = 'S\\karsiah_te2\\legacy6\\2\\1\\1\\8:00\\58:02\\150000\n';
const H2_NAME = '2026-08-20-195533-karsiah_te2-round-2.txt';

function ok(r: StatsParseResult): ParsedStatsRound {
  if (!r.ok) throw new Error(`${r.error.code}: ${r.error.detail}`);
  return r.round;
}
const r1 = (text: string) => ok(parseStatsFile(Buffer.from(text), H1_NAME));
const r2 = (text: string) => ok(parseStatsFile(Buffer.from(text), H2_NAME));
const kdd = (p: { kills: number; deaths: number; damageGiven: number; timePlayedSec: number }) => [
  p.kills,
  p.deaths,
  p.damageGiven,
  p.timePlayedSec,
];

describe('1. recognition reads the header from the right, as the parser does', () => {
  const player = `AAAAAAAA\\x\\0\\1\\16 10 40 1 1 0 \t${ext()}\n`;

  it('recognises a stats file whose server name holds a backslash, 9-field header', () => {
    const file = Buffer.from(`Srv\\x\\karsiah_te2\\legacy6\\1\\1\\2\\8:00\\2:59\\180000\n${player}`);
    expect(recognizeFact(file, null)).toBe('stats');
    expect(ok(parseStatsFile(file, H1_NAME)).serverName).toBe('Srv\\x');
  });

  it('recognises a stats file whose server name holds a backslash, 8-field header', () => {
    const file = Buffer.from(`Srv\\x\\karsiah_te2\\legacy6\\2\\1\\1\\8:00\\58:02\n${player}`);
    expect(recognizeFact(file, null)).toBe('stats');
    expect(ok(parseStatsFile(file, H2_NAME))).toMatchObject({ serverName: 'Srv\\x', round: 2, writer: 'c0rnp0rn7' });
  });

  it('still calls a header whose round (counted from the right) is not 1 or 2 unknown', () => {
    expect(recognizeFact(Buffer.from('1\\2\\karsiah_te2\\legacy6\\3\\1\\2\\8:00\\2:59\\180000\n'), null)).toBe(
      'unknown',
    );
    expect(recognizeFact(Buffer.from('Srv\\1\\karsiah_te2\\legacy6\\3\\1\\2\\8:00\\2:59\n'), null)).toBe('unknown');
  });
});

describe('2. Omni-bots are matched by name, not by their shared guid OMNIBOT0', () => {
  const hans = r1(`${H1}OMNIBOT0\\[BOT]Hans\\0\\1\\16 10 40 2 2 0 \t${ext({ 0: '100' })}\n`);

  it('does not subtract bot Hans’s R1 from bot Fritz’s R2', () => {
    const fritz = r2(`${H2}OMNIBOT0\\[BOT]Fritz\\0\\1\\16 30 90 5 4 0 \t${ext({ 0: '300', 22: '5.0' })}\n`);
    const [p] = differentiateRound2(fritz, hans).players;
    expect(kdd(p!)).toEqual([5, 4, 300, 300]);
    expect(p!.flags).toEqual(['absentFromR1']);
    expect(p!.cumulativeFields).toEqual([]);
  });

  it('still subtracts the same bot’s R1 from its R2', () => {
    const again = r2(`${H2}OMNIBOT0\\[BOT]Hans\\0\\1\\16 30 90 5 4 0 \t${ext({ 0: '300', 22: '5.0' })}\n`);
    const [p] = differentiateRound2(again, hans).players;
    expect(kdd(p!)).toEqual([3, 2, 200, 120]);
    expect(p!.flags).toEqual([]);
  });
});

describe('3. an R1 player line that was rejected', () => {
  const R2_LINE = `AAAAAAAA\\x\\0\\1\\16 30 90 5 4 0 \t${ext({ 0: '300', 22: '5.0' })}\n`;

  it('lists the R2 figures of an unmatched player as cumulative, flagged, never as this half’s', () => {
    const rejected = r1(`${H1}AAAAAAAA\\x\\0\\1\\16 10 40 2 2 0 \t${ext({ 0: '100', 9: '1.5' })}\n`);
    expect(rejected.issues).toEqual([expect.objectContaining({ code: 'bad_player_row', line: 2, field: 'xp' })]);
    const [p] = differentiateRound2(r2(`${H2}${R2_LINE}`), rejected).players;
    expect(kdd(p!)).toEqual([5, 4, 300, 300]);
    expect(p!.cumulativeFields).toEqual(R2_CUMULATIVE_FIELDS);
    expect(p!.flags).toEqual(['absentFromR1', 'r1LineLost']);
  });

  it('keeps a late joiner this half’s when R1 lost no line', () => {
    const whole = r1(`${H1}BBBBBBBB\\y\\0\\1\\16 10 40 2 2 0 \t${ext({ 0: '100' })}\n`);
    const [p] = differentiateRound2(r2(`${H2}${R2_LINE}`), whole).players;
    expect(p!.flags).toEqual(['absentFromR1']);
    expect(p!.cumulativeFields).toEqual([]);
  });
});

describe('4. control bytes in names and a zero-filled tail never make a text file binary', () => {
  const NAME = '2026-08-20-194533-m-round-1.txt';
  const head = 'S\\m\\c\\1\\1\\2\\8:00\\2:59\\180000\n';
  const bell = `AAAAAAAA\\${'\x07'.repeat(8)}\\0\\1\\16 10 40 1 1 0 \t${ext()}`;
  const f = `${head}${bell}\n`;

  it('parses the file alone', () => {
    expect(ok(parseStatsFile(Buffer.from(f), NAME)).players[0]!.rawName).toBe('\x07'.repeat(8));
  });

  it('parses it with a space before its final LF, and says so', () => {
    const round = ok(parseStatsFile(Buffer.from(`${head}${bell} \n`), NAME));
    expect(round.players).toHaveLength(1);
    expect(round.issues).toEqual([expect.objectContaining({ code: 'trailing_whitespace', line: 2 })]);
  });

  it('parses it followed by 8 NUL bytes, flagged truncated', () => {
    const round = ok(parseStatsFile(bytes(f, new Uint8Array(8)), NAME));
    expect(round.players).toHaveLength(1);
    expect(round.flags).toContain('truncated');
  });

  it('still rejects binary: a gzipped copy of the file, NUL-free noise, garbage after a good line', () => {
    expect(parseStatsFile(gzipSync(f), NAME)).toMatchObject({ ok: false, error: { code: 'binary' } });
    const noise = Uint8Array.from({ length: 600 }, (_, i) => 1 + ((i * 37) % 255));
    expect(parseStatsFile(noise, NAME)).toMatchObject({ ok: false, error: { code: 'binary' } });
    const garbage = bytes(
      f,
      Array.from({ length: 200 }, (_, i) => 1 + (i % 8)),
      '\n',
    );
    expect(parseStatsFile(garbage, NAME)).toMatchObject({ ok: false, error: { code: 'binary' } });
  });
});

describe('5. a round-1 header whose f9 is 0', () => {
  it('takes f8 (2:59) as an approximate stats time', () => {
    const round = ok(
      parseStatsFile(Buffer.from('S\\m\\c\\1\\1\\2\\8:00\\2:59\\0\n'), '2026-08-20-194533-m-round-1.txt'),
    );
    expect(round.statsPlaytimeSec).toBe(179);
    expect(round.flags).toContain('approximateStatsTime');
  });

  it('keeps a shutdown-written R2 (negative f9, winner 0) unknown and aborted', () => {
    const round = ok(
      parseStatsFile(Buffer.from('S\\m\\c\\2\\1\\0\\8:21\\57:54\\-160400000\n'), '2026-08-20-194533-m-round-2.txt'),
    );
    expect(round.statsPlaytimeSec).toBeNull();
    expect(round.flags).toEqual(['shutdownWritten', 'aborted', 'r2Cumulative', 'headerOnly']);
  });
});

describe('6. a player’s overLimit allows the 6 s resolution of his time (#22, minutes to 0.1)', () => {
  it('an R2 half of 402 s read against a 401 s limit is not over it; 408 s is', () => {
    const first = (n: string) =>
      ok(parseStatsFile(Buffer.from(`S\\m\\c\\1\\1\\2\\10:00\\6:41\\401500\n${n}`), '2026-08-20-194533-m-round-1.txt'));
    const second = (n: string) =>
      ok(parseStatsFile(Buffer.from(`S\\m\\c\\2\\1\\1\\6:41\\58:02\\402000\n${n}`), '2026-08-20-195533-m-round-2.txt'));
    const line = (minutes: string) => `AAAAAAAA\\x\\0\\1\\16 10 40 2 2 0 \t${ext({ 22: minutes })}\n`;
    const r1 = first(line('6.7'));
    const held = differentiateRound2(second(line('13.4')), r1).players[0]!;
    expect([held.timePlayedSec, held.flags]).toEqual([402, []]);
    const over = differentiateRound2(second(line('13.5')), r1).players[0]!;
    expect([over.timePlayedSec, over.flags]).toEqual([408, ['overLimit']]);
  });
});

describe('7. spaces or a CR after the last LF are no cut line', () => {
  const file = `${H1}AAAAAAAA\\x\\0\\1\\16 10 40 2 2 0 \t${ext()}\n`;

  it.each([' ', '\r', '  \r'])('%j after the last LF: not truncated, reported, the players kept', (tail) => {
    const round = r1(file + tail);
    expect(round.flags).not.toContain('truncated');
    expect(round.players).toHaveLength(1);
    expect(round.issues.map((i) => i.code)).toEqual(['trailing_whitespace']);
  });

  it('a real cut line after the last LF is still truncated', () => {
    expect(r1(`${file}BBBBBBBB\\y\\0\\1\\16 1`).flags).toContain('truncated');
  });
});
