// The legacy STATS_READY shape: the real samples of shared/data/lua-legacy (copied byte for byte to
// tests/fixtures/lua/legacy/) and hand-made variants of them, one per quirk of spec/lua-report.md.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { luaReportIdentity } from '../../../src/events/ids.ts';
import type { LuaReport } from '../../../src/events/luaRoundEnded.ts';
import { type LuaNormalizeResult, normalizeLuaReport, type PauseData } from '../../../src/parser/luaReport.ts';
import { cleanName } from '../../../src/parser/names.ts';

const fixtures = new URL('../../fixtures/lua/', import.meta.url);
const bytesOf = (name: string) => new Uint8Array(readFileSync(new URL(name, fixtures)));
const context = {
  serverId: 'eu1',
  source: { kind: 'dir', ref: 'spool/x.json' },
  receivedAt: '2026-08-19T19:41:40Z',
} as const;
const normalize = (bytes: Uint8Array, ctx: Parameters<typeof normalizeLuaReport>[1] = context) =>
  normalizeLuaReport(bytes, ctx);

function round(result: LuaNormalizeResult): { report: LuaReport; pauses: PauseData[] } {
  if (!result.ok || result.kind !== 'round') throw new Error(`expected a round, got ${JSON.stringify(result)}`);
  return result;
}
const reportOf = (name: string) => round(normalize(bytesOf(name))).report;
const errorOf = (result: LuaNormalizeResult) => {
  if (result.ok) throw new Error('expected an error');
  return result.error;
};

/** Sample #1 with some field values replaced (a string) or removed (null). */
function sampleWith(values: Record<string, string | number | null>): Uint8Array {
  const body = JSON.parse(readFileSync(new URL('legacy/01-supply-R1-objective-two-pauses.json', fixtures), 'utf8'));
  const fields: { name: string; value: unknown }[] = body.embeds[0].fields;
  for (const [name, value] of Object.entries(values)) {
    const i = fields.findIndex((f) => f.name === name);
    if (value === null) fields.splice(i, 1);
    else fields[i]!.value = value;
  }
  return new TextEncoder().encode(JSON.stringify(body));
}

const local = (unix: number) =>
  new Intl.DateTimeFormat('en-GB', {
    timeZone: 'Europe/Ljubljana',
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
    hourCycle: 'h23',
  }).format(unix * 1000);

describe('the real legacy samples (README table)', () => {
  const table = [
    ['01-supply-R1-objective-two-pauses.json', 'supply', 1, '21:31:12', '21:41:33', 543, 720, 2, 78, 'objective', 2],
    ['02-supply-R2-surrender.json', 'supply', 2, '21:43:09', '21:47:34', 265, 543.54, 0, 0, 'surrender', 1],
    [
      '03-etl_adlernest-R1-lua-before-stats.json',
      'etl_adlernest',
      1,
      '21:52:40',
      '22:00:02',
      442,
      600,
      0,
      0,
      'objective',
      2,
    ],
    ['04-te_escape2-R1-aborted-no-stats.json', 'te_escape2', 1, '22:06:05', '22:09:15', 190, 720, 0, 0, 'objective', 1],
    [
      '05-te_escape2-R1-fullhold-warmup-correction.json',
      'te_escape2',
      1,
      '22:10:46',
      '22:22:46',
      720,
      720,
      0,
      0,
      'time_expired',
      1,
    ],
  ] as const;

  it.each(table)(
    '%s normalises with its map, round, times, playtime and outcome',
    (file, map, rnd, start, end, playtime, limit, pauses, paused, reason, winner) => {
      const r = reportOf(`legacy/${file}`);
      expect(r).toMatchObject({
        map,
        round: rnd,
        playtimeSec: playtime,
        timelimitSec: limit,
        endReason: reason,
        winner,
      });
      expect(r).toMatchObject({ defender: 1, pauseCount: pauses, pausedSec: paused, serverId: 'eu1' });
      expect(r).toMatchObject({ scriptVersion: '1.7.2', shape: 'legacy.stats-ready', source: context.source });
      expect(local(r.roundStartUnix!)).toBe(start);
      expect(local(r.roundEndUnix)).toBe(end);
    },
  );

  it.each(table.map((row) => [row[0]]))('%s names 6 players, 3 per team, with full 32-character GUIDs', (file) => {
    const players = reportOf(`legacy/${file}`).players;
    expect(players).toHaveLength(6);
    expect(players.filter((p) => p.team === 1)).toHaveLength(3);
    for (const p of players) expect(p.guid).toMatch(/^[0-9A-F]{32}$/);
    expect(new Set(players.map((p) => p.name))).toEqual(
      new Set(['Vektor', 'n0va', 'Ziggy', 'bramble', 'Oskar', 'quill']),
    );
    for (const p of players) expect(p.rawName).toBe(p.name);
  });

  it('#1 lists its two pauses (47 s + 31 s) and gives the PauseRecorded facts of 01a', () => {
    const { report, pauses } = round(normalize(bytesOf('legacy/01-supply-R1-objective-two-pauses.json')));
    expect(report.pauses).toEqual([
      { startUnix: 1787168073, endUnix: 1787168120, sec: 47 },
      { startUnix: 1787168268, endUnix: 1787168299, sec: 31 },
    ]);
    expect(report.surrender).toBeNull();
    // 01a names its fields after the wire (round_start_unix, start, end); n and the offsets are not kept
    // (the order and start − round start are derivable).
    const expected = JSON.parse(readFileSync(new URL('legacy/01a-supply-R1-pause-records.json', fixtures), 'utf8'));
    expect(pauses).toEqual(
      expected.pauses.map((p: { start: number; end: number; sec: number; start_offset_s: number }) => {
        expect(p.start - expected.round_start_unix).toBe(p.start_offset_s);
        return {
          serverId: 'eu1',
          map: expected.map,
          round: expected.round,
          roundStartUnix: expected.round_start_unix,
          roundEndUnix: expected.round_end_unix,
          startUnix: p.start,
          endUnix: p.end,
          sec: p.sec,
          source: context.source,
          receivedAt: context.receivedAt,
        };
      }),
    );
    expect(report.pausedSec).toBe(expected.checks.sum_sec);
    expect(report.roundEndUnix - report.roundStartUnix! - report.pausedSec!).toBe(expected.checks.playtime_s);
  });

  it('#2 is a surrender called by team 2 (n0va) with a fractional limit kept in seconds, and no pauses (02a)', () => {
    const { report, pauses } = round(normalize(bytesOf('legacy/02-supply-R2-surrender.json')));
    expect(report.surrender).toEqual({ team: 2, callerGuid: 'A17C44D2E9F03B58C6D7E8F901A2B3C4', callerName: 'n0va' });
    expect(report.timelimitSec).toBe(543.54);
    const expected = JSON.parse(readFileSync(new URL('legacy/02a-supply-R2-pause-records.json', fixtures), 'utf8'));
    expect(pauses).toEqual(expected.pauses);
    expect(report.pauses).toEqual([]);
  });

  it('#4 (aborted) reads as the objective win of the defender, as sent', () => {
    expect(reportOf('legacy/04-te_escape2-R1-aborted-no-stats.json')).toMatchObject({
      endReason: 'objective',
      winner: 1,
      defender: 1,
      playtimeSec: 190,
      surrender: null,
    });
  });

  it('#5 keeps the warmup correction (21 s from 22:10:25)', () => {
    const r = reportOf('legacy/05-te_escape2-R1-fullhold-warmup-correction.json');
    expect(r.warmupSec).toBe(21);
    expect(local(r.warmupStartUnix!)).toBe('22:10:25');
  });

  it('#6, the fallback file of #2, gives the same report (but its shape and source) and the same identity', () => {
    const fallbackSource = { kind: 'sftp', ref: 'gametimes/gametime-supply-R2-1787168854.json' } as const;
    const six = round(
      normalize(bytesOf('legacy/06-gametime-supply-R2-1787168854.json'), { ...context, source: fallbackSource }),
    );
    const two = round(normalize(bytesOf('legacy/02-supply-R2-surrender.json')));
    expect(six.report.shape).toBe('legacy.gametime');
    expect(six.report.source).toEqual(fallbackSource);
    expect({ ...six.report, shape: null, source: null }).toEqual({ ...two.report, shape: null, source: null });
    const id = (r: LuaReport) => luaReportIdentity(r.serverId, r.map, r.round, r.roundEndUnix, r.shape);
    expect(id(six.report)).toEqual(id(two.report));
    expect(six.pauses).toEqual([]);
  });

  it('takes the server from the context: the legacy payload names none', () => {
    expect(
      round(normalize(bytesOf('legacy/03-etl_adlernest-R1-lua-before-stats.json'), { ...context, serverId: 'us2' }))
        .report.serverId,
    ).toBe('us2');
  });
});

describe('legacy quirks (hand-made variants)', () => {
  it('counts an open pause that is not listed: pauseCount from Lua_Pauses, pauses from the JSON list', () => {
    const { report, pauses } = round(normalize(bytesOf('legacy-open-pause.json')));
    expect(report).toMatchObject({ pauseCount: 1, pausedSec: 0, pauses: [], playtimeSec: 621 });
    expect(pauses).toEqual([]);
  });

  it('treats the pause data of scripts before 1.7.1 as unknown', () => {
    const { report, pauses } = round(normalize(bytesOf('legacy-v1.7.0-pauses-unknown.json')));
    expect(report).toMatchObject({ scriptVersion: '1.7.0', pauseCount: null, pausedSec: null, pauses: [] });
    expect(pauses).toEqual([]);
  });

  it('ignores even a malformed pause field before 1.7.1, and reads it from 1.7.1 on', () => {
    const old = JSON.parse(new TextDecoder().decode(bytesOf('legacy-v1.7.0-pauses-unknown.json')));
    old.embeds[0].fields.find((f: { name: string }) => f.name === 'Lua_Pauses_JSON').value = 'not json';
    expect(round(normalize(new TextEncoder().encode(JSON.stringify(old)))).report.pauseCount).toBeNull();
    old.embeds[0].footer.text = 'Slomix Lua Webhook v1.7.1';
    expect(errorOf(normalize(new TextEncoder().encode(JSON.stringify(old))))).toMatchObject({
      field: 'Lua_Pauses_JSON',
    });
  });

  it('reads Round 0 as round 2', () => {
    expect(reportOf('legacy-round-zero.json').round).toBe(2);
  });

  it('keeps a surrender reported after a failed vote as reported (team = the winner, no caller)', () => {
    const r = reportOf('legacy-failed-surrender-vote.json');
    expect(r).toMatchObject({ endReason: 'surrender', winner: 2 });
    expect(r.surrender).toEqual({ team: 2, callerGuid: null, callerName: null });
  });

  it('keeps a surrender with team 0 and no caller (an abort with an empty winner)', () => {
    const r = reportOf('legacy-abort-empty-winner.json');
    expect(r).toMatchObject({ endReason: 'surrender', winner: 0, defender: 1 });
    expect(r.surrender).toEqual({ team: 0, callerGuid: null, callerName: null });
  });

  it('gives no surrender when the team is 0 or empty and there is no caller', () => {
    expect(reportOf('legacy/01-supply-R1-objective-two-pauses.json').surrender).toBeNull();
    expect(round(normalize(sampleWith({ Lua_SurrenderTeam: '' }))).report.surrender).toBeNull();
    expect(round(normalize(sampleWith({ Lua_SurrenderTeam: null }))).report.surrender).toBeNull();
  });

  it('keeps names with quotes, backslashes and control bytes exactly (decoded once)', () => {
    const players = reportOf('legacy-hostile-names.json').players;
    expect(players.map((p) => p.rawName)).toEqual([
      '^1"Q"^7uote',
      'back\\slash\\"',
      'bs\bx\u0001\ttab',
      'Žiga ^^caret',
      '\\u0041 not an escape',
      '^',
    ]);
    expect(players.map((p) => p.name).slice(0, 3)).toEqual(['"Q"uote', 'back\\slash\\"', 'bsxtab']);
    for (const p of players) expect(p.name).toBe(cleanName(p.rawName!));
  });

  it('refuses a team JSON that does not parse (the old bot un-escaped it once too often), naming the field', () => {
    expect(errorOf(normalize(bytesOf('legacy-team-json-broken.json')))).toMatchObject({
      code: 'bad_field',
      field: 'Axis_JSON',
    });
  });

  it('maps an unknown end reason to unknown', () => {
    expect(reportOf('legacy-unknown-end-reason.json').endReason).toBe('unknown');
  });

  it('keeps a fractional limit in seconds without rounding to minutes', () => {
    expect(reportOf('legacy-timelimit-fraction.json').timelimitSec).toBe(543.525);
    expect(round(normalize(sampleWith({ Lua_Timelimit: '0.1 min' }))).report.timelimitSec).toBe(6);
  });

  it('decodes a payload that is not UTF-8 as Windows-1252, so no name byte is lost', () => {
    const text = new TextDecoder().decode(sampleWith({}));
    const bytes = Uint8Array.from(text.replace('Vektor', 'V\u00e9ktor'), (c) => c.charCodeAt(0) & 0xff);
    expect(round(normalize(bytes)).report.players[0]).toMatchObject({ name: 'Véktor', rawName: 'Véktor' });
  });

  it('reads an empty or absent optional field as unknown', () => {
    const r = round(
      normalize(sampleWith({ Lua_RoundStart: '', Lua_Warmup: null, Lua_EndReason: null, Lua_Pauses: null })),
    ).report;
    expect(r).toMatchObject({
      roundStartUnix: null,
      warmupSec: null,
      endReason: 'unknown',
      pauseCount: null,
      pausedSec: null,
    });
    expect(r.pauses).toHaveLength(2);
  });
});

describe('legacy fields that break their format', () => {
  it.each([
    ['Lua_Playtime', '543 seconds'],
    ['Lua_Playtime', '-5 sec'],
    ['Lua_Timelimit', '12'],
    ['Lua_Timelimit', '1e3 min'],
    ['Lua_Pauses', '2'],
    ['Lua_Pauses', '2 (x sec)'],
    ['Lua_RoundEnd', '1787168493.5'],
    ['Lua_RoundEnd', ''],
    ['Lua_WarmupStart', 'yesterday'],
    ['Round', '3'],
    ['Winner', '3'],
    ['Defender', 'Axis'],
    ['Lua_SurrenderTeam', '-1'],
    ['Axis_JSON', '{}'],
    ['Allies_JSON', 'not json'],
    ['Lua_Pauses_JSON', '[{"n":1,"start":"1787168073"}]'],
  ])('%s = %j → bad_field naming it', (field, value) => {
    const error = errorOf(normalize(sampleWith({ [field]: value })));
    expect(error.code).toBe('bad_field');
    expect(error.field?.split('.')[0]).toBe(field);
  });

  it.each(['Map', 'Round', 'Winner', 'Defender', 'Lua_RoundEnd', 'Axis_JSON', 'Allies_JSON'])(
    'refuses a report without %s',
    (field) => {
      expect(errorOf(normalize(sampleWith({ [field]: null })))).toMatchObject({ code: 'bad_field', field });
    },
  );

  it('names the player entry that lacks a GUID', () => {
    const error = errorOf(normalize(sampleWith({ Allies_JSON: '[{"guid":"C08D","name":"a"},{"name":"b"}]' })));
    expect(error).toMatchObject({ code: 'bad_field', field: 'Allies_JSON.1.guid' });
  });

  it('refuses a value that is not a string, a repeated field and a second embed', () => {
    expect(errorOf(normalize(sampleWith({ Lua_RoundEnd: 1787168493 })))).toMatchObject({ field: 'Lua_RoundEnd' });
    const body = JSON.parse(new TextDecoder().decode(sampleWith({})));
    body.embeds[0].fields.push({ name: 'Map', value: 'goldrush' });
    expect(errorOf(normalize(new TextEncoder().encode(JSON.stringify(body))))).toMatchObject({ field: 'Map' });
    body.embeds.push(body.embeds[0]);
    expect(errorOf(normalize(new TextEncoder().encode(JSON.stringify(body))))).toMatchObject({ field: 'embeds' });
  });

  it('names the payload path of a fallback file whose payload is broken', () => {
    const file = { meta: { map: 'supply' }, payload: { content: 'STATS_READY', embeds: 'none' } };
    expect(errorOf(normalize(new TextEncoder().encode(JSON.stringify(file))))).toMatchObject({
      code: 'bad_field',
      field: 'payload.embeds',
    });
  });

  it('refuses a context server id that is not one', () => {
    expect(errorOf(normalize(sampleWith({}), { ...context, serverId: 'eu 1' }))).toMatchObject({ field: 'serverId' });
  });
});
