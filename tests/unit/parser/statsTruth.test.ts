// The stats-file faults an independent review found, each with its minimal input (issue 16).
import { describe, expect, it } from 'vitest';
import { joinPlayers } from '../../../src/correlator/joinPlayers.ts';
import { fileTimeToUtcCandidates } from '../../../src/parser/localTime.ts';
import { normalizeLuaReport } from '../../../src/parser/luaReport.ts';
import { cleanName, decodeRawName } from '../../../src/parser/names.ts';
import { pairRounds } from '../../../src/parser/pairRounds.ts';
import {
  differentiateRound2,
  type ParsedStatsRound,
  parseStatsFile,
  type StatsParseResult,
  unpairedRound2,
} from '../../../src/parser/statsFile.ts';
import { parseStatsFileName } from '../../../src/parser/statsFileName.ts';
import { ownReport } from '../../support/factBuilders.ts';
import { bytes, ext, file, line } from '../../support/statsLines.ts';

const NAME = '2026-08-20-194533-karsiah_te2-round-1.txt';
const R2_NAME = '2026-08-20-195533-karsiah_te2-round-2.txt';
const HEADER = 'ExampleServer\\karsiah_te2\\legacy6\\1\\1\\2\\8:00\\2:59\\180000';
const R2_HEADER = 'ExampleServer\\karsiah_te2\\legacy6\\2\\1\\1\\2:59\\58:02\\150000';
function ok(r: StatsParseResult): ParsedStatsRound {
  if (!r.ok) throw new Error(`${r.error.code}: ${r.error.detail}`);
  return r.round;
}

describe('1. Windows-1252 bytes 0x80–0x9F', () => {
  // The standard's table, written out here independently of src/parser/names.ts.
  const expected = '€\u0081‚ƒ„…†‡ˆ‰Š‹Œ\u008dŽ\u008f\u0090‘’“”•–—˜™š›œ\u009džŸ';

  it('decodes every one of the 32 bytes by the Windows-1252 table, on any Node version', () => {
    for (let byte = 0x80; byte <= 0x9f; byte++) {
      const round = ok(parseStatsFile(file(HEADER, line('AAAAAAAA', new Uint8Array([0x41, byte]))), NAME));
      expect(round.players[0]!.rawName, `byte 0x${byte.toString(16)}`).toBe(`A${expected[byte - 0x80]}`);
      expect(decodeRawName(new Uint8Array([0x41, byte]))).toBe(`A${expected[byte - 0x80]}`);
    }
  });

  it('keeps O’Neil €uro œuvre and Šef whole, in the raw and the clean name', () => {
    const round = ok(
      parseStatsFile(
        file(
          HEADER,
          line('AAAAAAAA', bytes('O', [0x92], 'Neil ', [0x80], 'uro ', [0x9c], 'uvre')),
          line('BBBBBBBB', bytes([0x8a], 'ef')),
        ),
        NAME,
      ),
    );
    expect(round.players.map((p) => [p.rawName, p.name])).toEqual([
      ['O’Neil €uro œuvre', 'O’Neil €uro œuvre'],
      ['Šef', 'Šef'],
    ]);
  });

  it('decodes a server name with those bytes the same way', () => {
    const header = bytes('Caf', [0xe9], ' ', [0x80], '\\karsiah_te2\\legacy6\\1\\1\\2\\8:00\\2:59\\180000\n');
    expect(ok(parseStatsFile(header, NAME)).serverName).toBe('Café €');
  });
});

describe('2. an empty GUID is nobody in the R2 differential', () => {
  const r1 = ok(parseStatsFile(file(HEADER, line('', 'back\\slash', { k: 4, d: 1 })), NAME));

  it('does not subtract an unrelated empty-GUID player: absentFromR1, raw R2 kept', () => {
    const r2 = ok(parseStatsFile(file(R2_HEADER, line('', 'other\\guy', { k: 5, d: 2 })), R2_NAME));
    const [p] = differentiateRound2(r2, r1).players;
    expect(p).toMatchObject({ rawName: 'other\\guy', kills: 5, deaths: 2, timePlayedSec: 180 });
    expect(p!.flags).toContain('absentFromR1');
  });

  it('matches an empty-GUID player by the exact raw name', () => {
    const r2 = ok(
      parseStatsFile(file(R2_HEADER, line('', 'back\\slash', { k: 9, d: 3, ext: ext({ 22: '6.0' }) })), R2_NAME),
    );
    const [p] = differentiateRound2(r2, r1).players;
    expect(p).toMatchObject({ kills: 5, deaths: 2, timePlayedSec: 180 });
    expect(p!.flags).not.toContain('absentFromR1');
  });
});

describe('3. R1/R2 pairing across the autumn DST hour', () => {
  const tz = 'Europe/Ljubljana';
  const times = (name: string) => {
    const n = parseStatsFileName(name);
    if ('code' in n) throw new Error(n.detail);
    return fileTimeToUtcCandidates(n.fileLocalTime, tz);
  };
  const unix = (iso: string) => Date.parse(iso) / 1000;

  it('pairs R1 02:50 CEST with R2 02:05 CET (300 s) and records the R2 at 01:05Z', () => {
    const r1 = times('2026-10-25-025000-supply-round-1.txt');
    const r2 = times('2026-10-25-020500-supply-round-2.txt');
    expect(r1).toEqual([unix('2026-10-25T00:50:00Z'), unix('2026-10-25T01:50:00Z')]);
    expect(r2).toEqual([unix('2026-10-25T00:05:00Z'), unix('2026-10-25T01:05:00Z')]);
    const pairs = pairRounds([
      { id: 'r1', round: 1, fileTimesUnix: r1, playtimeSec: 0 },
      { id: 'r2', round: 2, fileTimesUnix: r2, playtimeSec: 300 },
    ]);
    expect(pairs.get('r2')).toEqual({
      r1Id: 'r1',
      r1FileTimeUnix: unix('2026-10-25T00:50:00Z'),
      r2FileTimeUnix: unix('2026-10-25T01:05:00Z'),
    });
  });

  it('still takes the closest reading when both readings of both files would fit', () => {
    // R1 02:30 and R2 02:45 local, both ambiguous: the same offset for both (15 min) beats a mix.
    const pairs = pairRounds([
      { id: 'r1', round: 1, fileTimesUnix: times('2026-10-25-023000-supply-round-1.txt'), playtimeSec: 0 },
      { id: 'r2', round: 2, fileTimesUnix: times('2026-10-25-024500-supply-round-2.txt'), playtimeSec: 300 },
    ]);
    expect(pairs.get('r2')).toMatchObject({ r1Id: 'r1', r2FileTimeUnix: unix('2026-10-25T00:45:00Z') });
  });
});

describe('4. values a read model cannot hold', () => {
  it.each([
    ['a 10-digit count', line('AAAAAAAA', 'Big', { ext: ext({ 0: '9999999999' }) }), 'damageGiven', '9999999999'],
    ['an 8-digit count past the bound', line('AAAAAAAA', 'Big', { ext: ext({ 4: '60000000' }) }), 'gibs', '60000000'],
    ['a team of 40000', line('AAAAAAAA', 'Big', { team: '40000' }), 'team', '40000'],
    [
      'a weapon figure past the bound',
      bytes('AAAAAAAA\\Big\\0\\1\\16 10 90000000 1 1 0 \t', ext(), '\n'),
      'weapons',
      '90000000',
    ],
    [
      'minutes whose seconds pass the bound',
      line('AAAAAAAA', 'Big', { ext: ext({ 22: '9999999.0' }) }),
      'timePlayedSec',
      '599999940',
    ],
  ])('rejects the line with %s, naming the field and value', (_, bad, field, value) => {
    const round = ok(parseStatsFile(file(HEADER, bad, line('BBBBBBBB', 'Fine')), NAME));
    expect(round.players.map((p) => p.name)).toEqual(['Fine']);
    expect(round.issues).toEqual([expect.objectContaining({ code: 'bad_player_row', line: 2, field, value })]);
  });

  it.each([
    ['a fractional f9', 'S\\m\\c\\1\\1\\2\\8:00\\2:59\\180000.5', 'playtimeMs'],
    ['a defender of 40000', 'S\\m\\c\\1\\40000\\2\\8:00\\2:59\\180000', 'defender'],
    ['a winner of 99999', 'S\\m\\c\\1\\1\\99999\\8:00\\2:59\\180000', 'winner'],
    ['a time limit past 2^31 s', 'S\\m\\c\\1\\1\\2\\99999999999:00\\2:59\\180000', 'timeLimit'],
  ])('rejects a header with %s', (_, header, field) => {
    const r = parseStatsFile(file(header), '2026-08-20-194533-m-round-1.txt');
    expect(r).toMatchObject({ ok: false, error: { code: 'bad_header', line: 1, field } });
  });
});

describe('5. a zero-filled tail is a cut, not binary', () => {
  it('keeps the players before NULs that follow a whole line, flagged truncated', () => {
    const round = ok(parseStatsFile(bytes(file(HEADER, line('AAAAAAAA', 'One')), new Uint8Array(64)), NAME));
    expect(round.players.map((p) => p.name)).toEqual(['One']);
    expect(round.flags).toContain('truncated');
    expect(round.issues).toEqual([expect.objectContaining({ code: 'truncated', line: 3 })]);
  });

  it('reports the cut line when the NULs start inside it', () => {
    const cut = line('BBBBBBBB', 'Two').subarray(0, 30);
    const round = ok(parseStatsFile(bytes(file(HEADER, line('AAAAAAAA', 'One')), cut, new Uint8Array(4096)), NAME));
    expect(round.players.map((p) => p.name)).toEqual(['One']);
    expect(round.flags).toContain('truncated');
    expect(round.issues).toEqual([
      expect.objectContaining({ code: 'truncated', line: 3, value: expect.stringMatching(/^BBBBBBBB\\Two/) }),
    ]);
  });

  it('still calls a NUL followed by anything else binary, and a file of NULs empty', () => {
    const nulInside = bytes(file(HEADER), [0], file(line('AAAAAAAA', 'One')));
    expect(parseStatsFile(nulInside, NAME)).toMatchObject({ ok: false, error: { code: 'binary' } });
    expect(parseStatsFile(new Uint8Array(100), NAME)).toMatchObject({ ok: false, error: { code: 'empty' } });
  });
});

describe('6. trailing whitespace', () => {
  it('keeps a player line that ends in spaces or a stray CR, and says so', () => {
    const spaced = bytes(line('AAAAAAAA', 'One').subarray(0, -1), '  \n');
    const cr = bytes(line('BBBBBBBB', 'Two').subarray(0, -1), ' \r\r\n');
    const round = ok(parseStatsFile(file(HEADER, spaced, cr), NAME));
    expect(round.players.map((p) => p.name)).toEqual(['One', 'Two']);
    expect(round.issues).toEqual([
      expect.objectContaining({ code: 'trailing_whitespace', line: 2 }),
      expect.objectContaining({ code: 'trailing_whitespace', line: 3 }),
    ]);
  });

  it('reads a header with a space after f9 (it was a bad_header) and says so', () => {
    const round = ok(parseStatsFile(file(`${HEADER} `, line('AAAAAAAA', 'One')), NAME));
    expect(round).toMatchObject({ headerPlaytimeMs: 180000, statsPlaytimeSec: 180, writer: 'c0rnp0rn8' });
    expect(round.issues).toEqual([expect.objectContaining({ code: 'trailing_whitespace', line: 1 })]);
  });

  it('reads a CRLF file without an issue per line', () => {
    const crlf = bytes(`${HEADER}\r\n`, bytes(line('AAAAAAAA', 'One').subarray(0, -1), '\r\n'));
    const round = ok(parseStatsFile(crlf, NAME));
    expect(round.players).toHaveLength(1);
    expect(round.issues).toEqual([]);
  });
});

describe('7. a shutdown-written file that pairs with no R1', () => {
  const shutdown = 'ExampleServer\\karsiah_te2\\legacy6\\2\\1\\0\\0:00\\0:00\\-160400000';

  it('is aborted + halfUnknown, its figures as written, never cumulative', () => {
    const raw = ok(parseStatsFile(file(shutdown, line('AAAAAAAA', 'One', { k: 3, d: 2 })), R2_NAME));
    const alone = unpairedRound2(raw);
    expect(alone.flags).toEqual(['shutdownWritten', 'aborted', 'halfUnknown']);
    expect(alone.players[0]).toMatchObject({ kills: 3, deaths: 2, timePlayedSec: 180, cumulativeFields: [] });
  });

  it('an ordinary orphan R2 stays cumulative', () => {
    const raw = ok(parseStatsFile(file(R2_HEADER, line('AAAAAAAA', 'One')), R2_NAME));
    expect(unpairedRound2(raw)).toBe(raw);
    expect(raw.flags).toContain('r2Cumulative');
  });
});

describe('8. a name that starts with U+FEFF', () => {
  it('keeps the character in the raw name (a name is not a document: no BOM to strip)', () => {
    const round = ok(parseStatsFile(file(HEADER, line('AAAAAAAA', bytes([0xef, 0xbb, 0xbf], 'Zed'))), NAME));
    expect(round.players[0]!.rawName).toBe('\ufeffZed');
    expect(decodeRawName(bytes([0xef, 0xbb, 0xbf], 'Zed'))).toBe('\ufeffZed');
    // The clean name trims it as white space, as JavaScript's trim and our Lua script both do.
    expect(round.players[0]!.name).toBe(cleanName('\ufeffZed'));
  });
});

describe('9. an R2 whose file time cannot be converted', () => {
  it('parses (the rounds projection keeps it with a null time: tests/e2e/statsTruth.test.ts)', () => {
    const round = ok(
      parseStatsFile(file(R2_HEADER, line('AAAAAAAA', 'One')), '0099-08-20-195533-karsiah_te2-round-2.txt'),
    );
    expect(fileTimeToUtcCandidates(round.fileLocalTime, 'Europe/Ljubljana')).toEqual([]);
  });
});

describe('10. the two name decoders agree', () => {
  it('joins a stats player with no GUID to its Lua report entry by a Windows-1252 name', () => {
    const stats = ok(parseStatsFile(file(HEADER, line('', bytes('O', [0x92], 'Neil ', [0x9c], 'uvre'))), NAME));
    // What lua/et-ledger.lua sends for the same engine bytes (tests/integration/lua/rounds.test.ts
    // checks the script itself): invalid UTF-8 read as Windows-1252, never U+FFFD.
    const lua = ownReport({
      map: 'karsiah_te2',
      round: 1,
      startUnix: 1_787_000_000,
      endUnix: 1_787_000_180,
      axis: [{ guid: 'F00DF00DF00DF00DF00DF00DF00DF00D', name: 'O’Neil œuvre' }],
      allies: [],
    });
    const normalized = normalizeLuaReport(lua, {
      serverId: 'eu1',
      source: { kind: 'http', ref: 'test' },
      receivedAt: '2026-12-06T00:00:00Z',
    });
    if (!normalized.ok || normalized.kind !== 'round') throw new Error('the report did not normalise');
    const { players } = joinPlayers(stats.players, normalized.report, { fightingTimeSec: 180, statsPlaytimeSec: 180 });
    expect(players[0]).toMatchObject({ name: 'O’Neil œuvre', fullGuid: 'F00DF00DF00DF00DF00DF00DF00DF00D' });
  });
});
