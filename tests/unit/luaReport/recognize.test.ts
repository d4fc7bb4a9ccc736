// recognizeFact: stats file, Lua report or unknown, judged by content and never by file name.
import { readdirSync, readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { MAX_LUA_REPORT_BYTES, normalizeLuaReport } from '../../../src/parser/luaReport.ts';
import { recognizeFact } from '../../../src/parser/recognize.ts';

const fixtures = new URL('../../fixtures/lua/', import.meta.url);
const encode = (text: string) => new TextEncoder().encode(text);
const luaFixtures = [
  ...readdirSync(new URL('legacy/', fixtures))
    .filter((f) => /^0\d-.*\.json$/.test(f))
    .map((f) => `legacy/${f}`),
  'round1-spec-example.json',
  'pause1-example.json',
  'legacy-hostile-names.json',
];
const header = '^1ET^7:^4Legacy ^7Slomix Cup\\supply\\legacy6\\1\\1\\2\\12:00\\9:03\\543000\n';
const playerLine = 'C08D3E6A\\bramble\\0\\2\\134220088 6 56 0\t1764\n';

describe('recognizeFact', () => {
  it.each(luaFixtures)('%s is a Lua report', (name) => {
    expect(recognizeFact(new Uint8Array(readFileSync(new URL(name, fixtures))), name)).toBe('lua');
  });

  it.each([
    ['a 9-field header with players', header + playerLine],
    ['a header-only file', header],
    ['an 8-field header of round 2', 'Srv\\supply\\\\2\\1\\1\\9:03\\58:02\n'],
    ['a server name starting with a brace', '{TAG} Server\\supply\\legacy6\\1\\1\\2\\12:00\\9:03\\543000\n'],
    ['CRLF line ends', header.replace('\n', '\r\n')],
  ])('%s is a stats file', (_, text) => {
    expect(recognizeFact(encode(text), null)).toBe('stats');
  });

  it.each([
    ['7 header fields', 'Srv\\supply\\legacy6\\1\\1\\2\\12:00\n'],
    ['round 3', 'Srv\\supply\\legacy6\\3\\1\\2\\12:00\\9:03\\543000\n'],
    ['a README', '# Sample round stats files (c0rnp0rn writer format)\n'],
    ['JSON of another shape', '{"schema":"et-ledger.round/3","map":"supply"}'],
    ['a JSON array', '[{"content":"STATS_READY"}]'],
    ['truncated JSON', '{"schema":"et-ledger.round/1","map":'],
    ['nothing', ''],
  ])('%s is unknown', (_, text) => {
    expect(recognizeFact(encode(text), null)).toBe('unknown');
  });

  it('ignores the file name', () => {
    expect(recognizeFact(encode(header), '2026-08-19-214136-supply-round-1.lua.json')).toBe('stats');
    const lua = readFileSync(new URL('round1-spec-example.json', fixtures));
    expect(recognizeFact(lua, '2026-08-19-214136-supply-round-1.txt')).toBe('lua');
    expect(recognizeFact(encode('{"a":1}'), 'gametime-supply-R2-1787168854.json')).toBe('unknown');
  });

  it('calls an oversized report lua by its first bytes, so that normalising it says too_large', () => {
    const big = encode(`{"schema":"et-ledger.round/1","pad":"${'x'.repeat(MAX_LUA_REPORT_BYTES)}"}`);
    expect(recognizeFact(big, null)).toBe('lua');
    const result = normalizeLuaReport(big, {
      serverId: 'eu1',
      source: { kind: 'dir', ref: 'x' },
      receivedAt: '2026-08-19T19:41:34Z',
    });
    expect(result.ok ? null : result.error.code).toBe('too_large');
    expect(recognizeFact(encode(`{"pad":"${'x'.repeat(MAX_LUA_REPORT_BYTES)}"}`), null)).toBe('unknown');
  });

  it('never throws, whatever the bytes', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 2048 }), fc.option(fc.string()), (bytes, name) => {
        expect(['stats', 'lua', 'unknown']).toContain(recognizeFact(bytes, name));
      }),
      { numRuns: 500 },
    );
  });
});
