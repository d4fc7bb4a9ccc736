// The export formats a row at a time: NDJSON is JSON.stringify of the row, CSV is RFC 4180 with
// values exactly as stored unless --csv-safe asks for spreadsheet-safe text cells.
import { describe, expect, it } from 'vitest';
import { csvCell, rowFormatter } from '../../../src/export/formats.ts';

const names = ['roundId', 'name', 'kills', 'flags', 'issues', 'at', 'ok', 'none'];
const row = {
  roundId: 'r-1',
  name: '-=TAG=- "quoted", and\nbroken',
  kills: -3,
  flags: ['a', 'b'],
  issues: [{ code: 'x', at: null }],
  at: new Date(Date.UTC(2026, 7, 19, 19, 41, 36, 5)),
  ok: true,
  none: null,
};
const values = names.map((n) => row[n as keyof typeof row]);

describe('NDJSON', () => {
  it('is JSON.stringify of the row, one line each', () => {
    const f = rowFormatter('ndjson', names);
    expect(f.header).toBe('');
    expect(f.line(values)).toBe(`${JSON.stringify(row)}\n`);
  });

  it('leaves out an undefined field, as JSON.stringify does', () => {
    const f = rowFormatter('ndjson', ['a', 'b', 'c']);
    expect(f.line([undefined, 1, undefined])).toBe('{"b":1}\n');
    expect(f.line([1, undefined, 2])).toBe('{"a":1,"c":2}\n');
  });
});

describe('CSV', () => {
  it('has a header row, CRLF line ends, quotes what needs quotes, JSON for arrays and objects', () => {
    const f = rowFormatter('csv', names);
    expect(f.header).toBe('roundId,name,kills,flags,issues,at,ok,none\r\n');
    expect(f.line(values)).toBe(
      'r-1,"-=TAG=- ""quoted"", and\nbroken",-3,"[""a"",""b""]","[{""code"":""x"",""at"":null}]",2026-08-19T19:41:36.005Z,true,\r\n',
    );
  });

  it('keeps names exactly as stored by default', () => {
    for (const name of ['@everyone', '-=TAG=-', '=HYPERLINK("x")', '+1', '\tx'])
      expect(csvCell(name, false)).toBe(name.includes('"') ? `"${name.replace(/"/g, '""')}"` : name);
  });

  it('--csv-safe puts a quote before text a spreadsheet would run as a formula, never before a number', () => {
    expect(csvCell('@everyone', true)).toBe("'@everyone");
    expect(csvCell('-=TAG=-', true)).toBe("'-=TAG=-");
    expect(csvCell('=1+2', true)).toBe("'=1+2");
    expect(csvCell('+49 123', true)).toBe("'+49 123");
    expect(csvCell('\tx', true)).toBe("'\tx");
    expect(csvCell('=a,b', true)).toBe(`"'=a,b"`);
    expect(csvCell('bramble', true)).toBe('bramble');
    expect(csvCell(-5, true)).toBe('-5');
    expect(csvCell(null, true)).toBe('');
  });
});
