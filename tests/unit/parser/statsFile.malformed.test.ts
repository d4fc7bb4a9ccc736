// Malformed and hostile stats files: every failure is a coded result, never an exception or a shifted field.
import { describe, expect, it } from 'vitest';
import { type ParsedStatsRound, parseStatsFile, type StatsParseResult } from '../../../src/parser/statsFile.ts';

const enc = new TextEncoder();
const NAME = '2026-08-20-194533-karsiah_te2-round-1.txt';
const HEADER = 'ExampleServer\\karsiah_te2\\legacy6\\1\\1\\2\\8:00\\2:59\\180000';
const EXT =
  '306\t439\t18\t0\t2\t0\t0\t0\t44.1\t9\t0\t0\t0\t0\t0\t0\t0\t0\t0\t0\t82\t0.0\t3.0\t0.0\t56.4\t1.7\t0.8\t2\t30\t0\t0\t0\t0\t0\t1\t0\t0\t0';
const WEAPONS = '2108 2 8 1 0 0 0 0 0 1 0 12 73 2 0 3 0 0 0 3 0 0 1 0 0 0';
const row = (guid: string, name: string, weapons = WEAPONS, ext = EXT) => `${guid}\\${name}\\0\\1\\${weapons} \t${ext}`;
const GOOD = row('BBBBBBBB', 'AxTwo');

function parse(text: string | Uint8Array, name = NAME, maxBytes?: number): StatsParseResult {
  const bytes = typeof text === 'string' ? enc.encode(text) : text;
  return parseStatsFile(bytes, name, maxBytes === undefined ? {} : { maxBytes });
}

function ok(text: string | Uint8Array, name = NAME): ParsedStatsRound {
  const r = parse(text, name);
  if (!r.ok) throw new Error(`${r.error.code}: ${r.error.detail}`);
  return r.round;
}

function errorOf(text: string | Uint8Array, name = NAME, maxBytes?: number) {
  const r = parse(text, name, maxBytes);
  if (r.ok) throw new Error('expected an error');
  return r.error;
}

describe('parseStatsFile: whole-file failures', () => {
  it.each([
    ['karsiah.txt'],
    ['2026-08-20-194533-karsiah_te2-round-3.txt'],
    ['2026-13-20-194533-karsiah_te2-round-1.txt'],
    ['2026-02-30-194533-karsiah_te2-round-1.txt'],
    ['2026-08-20-246033-karsiah_te2-round-1.txt'],
    ['2026-08-20-194533-round-1.txt'],
    ['2026-08-20-194533-karsiah_te2-round-1.txt.bak'],
  ])('rejects the file name %s', (name) => {
    expect(errorOf(`${HEADER}\n`, name)).toMatchObject({
      code: 'bad_file_name',
      line: 0,
      field: 'fileName',
      value: name,
    });
  });

  it('splits the map from the right and accepts a directory prefix', () => {
    const round = ok(`${HEADER}\n`, 'gamestats\\2026-08-20-194533-a-round-1-b_c-round-2.txt');
    expect(round).toMatchObject({
      fileMap: 'a-round-1-b_c',
      fileRound: 2,
      flags: ['mapMismatch', 'roundMismatch', 'headerOnly'],
    });
    expect(ok(`${HEADER}\n`, `/srv/et/gamestats/${NAME}`).fileMap).toBe('karsiah_te2');
  });

  it('reports an empty or blank file as empty', () => {
    expect(errorOf('')).toMatchObject({ code: 'empty', line: 0 });
    expect(errorOf(' \n\r\n\t')).toMatchObject({ code: 'empty', line: 0 });
  });

  it('reports a file above maxBytes as too_large, before reading it', () => {
    expect(errorOf(`${HEADER}\n${GOOD}\n`, NAME, 100)).toMatchObject({ code: 'too_large', line: 0 });
    expect(errorOf(new Uint8Array(1024 * 1024 + 1))).toMatchObject({ code: 'too_large' });
  });

  it('reports NUL bytes or mostly control bytes as binary', () => {
    expect(errorOf(`${HEADER}\n\u0000${GOOD}\n`)).toMatchObject({ code: 'binary', line: 0 });
    expect(errorOf(Uint8Array.from({ length: 400 }, (_, i) => 1 + (i % 31)))).toMatchObject({ code: 'binary' });
    const utf16 = new Uint8Array([...enc.encode(HEADER)].flatMap((c) => [c, 0]));
    expect(errorOf(utf16).code).toBe('binary');
  });

  it.each([
    ['a\\b\\c\\1\\1\\2\\8:00', 'fieldCount', '7'],
    ['S\\m\\c\\3\\1\\2\\8:00\\2:59\\180000', 'round', '3'],
    ['S\\m\\c\\x\\1\\2\\8:00\\2:59\\180000', 'round', 'x'],
    ['S\\m\\c\\1\\A\\2\\8:00\\2:59\\180000', 'defender', 'A'],
    ['S\\m\\c\\1\\1\\\\8:00\\2:59\\180000', 'winner', ''],
    ['S\\m\\c\\1\\1\\2\\8\\2:59\\180000', 'timeLimit', '8'],
    ['S\\m\\c\\1\\1\\2\\8:60\\2:59\\180000', 'timeLimit', '8:60'],
    ['S\\m\\c\\1\\1\\2\\8:00\\2:5\\180000', 'nextTimeLimit', '2:5'],
    ['S\\m\\c\\1\\1\\2\\8:00\\2:59\\18s', 'playtimeMs', '18s'],
    ['S\\m\\c\\1\\1\\2\\8:00\\2:59\\', 'playtimeMs', ''],
  ])('rejects the header %s (field %s)', (header, field, value) => {
    expect(errorOf(`${header}\n${GOOD}\n`)).toMatchObject({ code: 'bad_header', line: 1, field, value });
  });

  it('rejects a header cut before its LF instead of trusting a shortened f9', () => {
    expect(errorOf(HEADER.slice(0, -2))).toMatchObject({ code: 'bad_header', line: 1, field: 'lineEnd' });
  });
});

describe('parseStatsFile: header rules', () => {
  it('recovers a backslash in the server name for both writers', () => {
    expect(ok(`Srv\\x\\karsiah_te2\\legacy6\\1\\1\\2\\8:00\\2:59\\180000\n`)).toMatchObject({
      serverName: 'Srv\\x',
      writer: 'c0rnp0rn8',
      statsPlaytimeSec: 180,
    });
    expect(ok(`^1Srv\\x\\karsiah_te2\\\\1\\1\\2\\8:00\\2:59\n`)).toMatchObject({
      serverName: '^1Srv\\x',
      serverNameClean: 'Srv\\x',
      config: '',
      writer: 'c0rnp0rn7',
      headerPlaytimeMs: null,
      statsPlaytimeSec: 179,
    });
  });

  it.each([
    ['1\\1\\2\\8:00\\2:59\\9500', 9.5, []],
    ['1\\1\\2\\8:00\\2:59\\180025', 180.025, []],
    ['1\\1\\2\\8:00\\2:59\\0', 179, ['approximateStatsTime']],
    ['1\\1\\1\\8:00\\9:10', 480, ['approximateStatsTime']],
    ['2\\1\\1\\8:00\\58:02', null, []],
    ['1\\1\\2\\8:00\\2:59\\500000', 500, ['overLimit']],
    ['2\\1\\1\\6:41\\58:02\\402000', 402, []],
    ['2\\1\\1\\6:41\\58:02\\402001', 402.001, ['overLimit']],
    ['2\\1\\1\\6:41\\58:02\\402500', 402.5, ['overLimit']],
    ['2\\1\\2\\8:00\\58:02\\-5000', null, ['shutdownWritten']],
    ['1\\0\\3\\8:00\\2:59\\180000', 180, ['unexpectedSide']],
  ])('f4…f9 %s → statsPlaytimeSec %s, flags %j', (tail, playtime, flags) => {
    const round = ok(`S\\karsiah_te2\\c\\${tail}\n`, tail.startsWith('2') ? NAME.replace('round-1', 'round-2') : NAME);
    expect(round.statsPlaytimeSec).toBe(playtime);
    expect(round.flags.filter((f) => f !== 'headerOnly' && f !== 'r2Cumulative')).toEqual(flags);
  });

  it('reads a CRLF file like its LF twin', () => {
    const lf = ok(`${HEADER}\n${GOOD}\n`);
    const crlf = ok(`${HEADER}\r\n${GOOD}\r\n`);
    expect(crlf).toEqual(lf);
  });
});

describe('parseStatsFile: player lines', () => {
  const only = (line: string) => ok(`${HEADER}\n${line}\n${row('CCCCCCCC', 'next')}\n`);

  it.each([
    ['a missing extended field', row('B', 'x', WEAPONS, EXT.slice(0, EXT.lastIndexOf('\t'))), 'fieldCount', '37'],
    ['a non-numeric damage', row('B', 'x', WEAPONS, EXT.replace('306', '3O6')), 'damageGiven', '3O6'],
    ['a decimal where an integer belongs', row('B', 'x', WEAPONS, EXT.replace('306', '306.0')), 'damageGiven', '306.0'],
    ['a non-numeric minute field', row('B', 'x', WEAPONS, EXT.replace('\t3.0\t', '\t3,0\t')), 'timePlayedSec', '3,0'],
    ['a negative weapon figure', row('B', 'x', WEAPONS.replace(' 73 ', ' -73 ')), 'weapons', '-73'],
    ['too few weapon figures', row('B', 'x', WEAPONS.slice(0, -2)), 'weapons', undefined],
    ['too many weapon figures', row('B', 'x', `${WEAPONS} 1`), 'weapons', undefined],
    ['a mask beyond weapon 27', row('B', 'x', '268435456 1 1 1 1 1'), 'weaponMask', undefined],
    ['no extended fields', 'B\\x\\0\\1\\2108 2 8 1 0 0 \t', 'fieldCount', '1'],
    ['a non-numeric team', row('B', 'x').replace('\\0\\1\\', '\\0\\Axis\\'), 'team', 'Axis'],
    ['a non-numeric rounds', row('B', 'x').replace('\\0\\1\\', '\\zero\\1\\'), 'rounds', 'zero'],
    ['a 9-character guid', row('ABCDEFGHI', 'x'), 'guid', 'ABCDEFGHI'],
    ['three backslash fields', `B\\x\\1\\${WEAPONS} \t${EXT}`, 'backslashFields', undefined],
    ['an empty line', '', 'line', ''],
  ])('reports and skips a line with %s, keeping the others', (_, line, field, value) => {
    const round = only(line);
    expect(round.players.map((p) => p.name)).toEqual(['next']);
    expect(round.issues).toHaveLength(1);
    expect(round.issues[0]).toMatchObject({ code: 'bad_player_row', line: 2, field });
    if (value !== undefined) expect(round.issues[0]!.value).toBe(value);
  });

  it('keeps names with a backslash, a TAB, a CR, BEL or quotes, exactly, without shifting a field', () => {
    const names = [
      'back\\slash',
      'ta\tb',
      'c\rr',
      'x\\1\\2\\3 4 \t5',
      'bell\u0007',
      `"'; DROP TABLE rounds;--`,
      '@everyone',
      ' ',
    ];
    const round = ok(`${HEADER}\n${names.map((n, i) => row(`G${i}`, n)).join('\n')}\n`);
    expect(round.issues).toEqual([]);
    expect(round.players.map((p) => p.rawName)).toEqual(names);
    for (const p of round.players) {
      expect([p.rounds, p.team, p.weaponMask, p.damageGiven, p.revivesGiven, p.kills]).toEqual([0, 1, 2108, 306, 0, 3]);
    }
    expect(round.players.map((p) => p.flags.includes('nameRecovered'))).toEqual([
      true,
      true,
      false,
      true,
      false,
      false,
      false,
      false,
    ]);
  });

  it('decodes a name that is not UTF-8 as Windows-1252 and keeps a 40+ character name', () => {
    const bytes = new Uint8Array([
      ...enc.encode(`${HEADER}\nAAAAAAAA\\J`),
      0xf6,
      ...enc.encode(`rg\\0\\1\\${WEAPONS} \t${EXT}\n`),
    ]);
    expect(ok(bytes).players[0]!.rawName).toBe('Jörg');
    const long = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789wxyz+'.repeat(2);
    expect(ok(`${HEADER}\n${row('A', long)}\n`).players[0]!.name).toBe(long);
  });

  it('reports two lines run together by a lost LF instead of reading one as the other’s name', () => {
    for (const glue of ['\t', 'x', '']) {
      const round = ok(`${HEADER}\n${row('AAAAAAAA', 'a')}${glue}${row('CCCCCCCC', 'c')}\n${GOOD}\n`);
      expect(round.players.map((p) => p.name)).toEqual(['AxTwo']);
      expect(round.issues).toEqual([expect.objectContaining({ code: 'bad_player_row', line: 2 })]);
    }
  });

  it('reads a non-finite writer DPM as null', () => {
    const round = ok(
      `${HEADER}\n${row('A', 'a', WEAPONS, EXT.replace('\t0.0\t3.0', '\tinf\t3.0'))}\n${row('B', 'b', WEAPONS, EXT.replace('\t0.0\t3.0', '\t-nan\t3.0'))}\n`,
    );
    expect(round.players.map((p) => p.writerDpm)).toEqual([null, null]);
  });

  it('keeps the lines before a cut and reports the cut line, wherever the cut falls', () => {
    const full = `${HEADER}\n${GOOD}\n${row('CCCCCCCC', 'second')}\n`;
    const secondStart = HEADER.length + 1 + GOOD.length + 1;
    for (let cut = secondStart + 1; cut < full.length; cut++) {
      const round = ok(full.slice(0, cut));
      expect(round.players.map((p) => p.name)).toEqual(['AxTwo']);
      expect(round.flags).toContain('truncated');
      expect(round.issues).toEqual([expect.objectContaining({ code: 'truncated', line: 3 })]);
    }
    expect(ok(full).flags).toEqual([]);
    expect(ok(full.slice(0, secondStart)).flags).toEqual([]);
  });

  it('flags a lone cut player line as truncated, not header-only', () => {
    const round = ok(`${HEADER}\n${GOOD.slice(0, 40)}`);
    expect(round.players).toEqual([]);
    expect(round.flags).toEqual(['truncated']);
  });

  it('keeps a player whose time exceeds the round limit as written, flagged beyond its 6 s resolution', () => {
    const time = (minutes: string) =>
      ok(`${HEADER}\n${row('A', 'a', WEAPONS, EXT.replace('\t3.0\t', `\t${minutes}\t`))}\n`).players[0]!;
    expect([time('8.2').timePlayedSec, time('8.2').flags]).toEqual([492, ['overLimit']]);
    // 8.1 min is 486 s: a whole 8:00 round held, read at #22's 0.1-minute resolution.
    expect([time('8.1').timePlayedSec, time('8.1').flags]).toEqual([486, []]);
  });
});
