// lua/et-ledger.lua run by the real Lua 5.4 in a simulated ET:Legacy engine (lua/harness/): whole rounds,
// each checked against spec/lua-report.md's schema and exact values.
import { afterAll, describe, expect, it } from 'vitest';
import { cleanName, decodeRawName } from '../../../src/parser/names.ts';
import {
  fileStamp,
  hasLua,
  linesMatching,
  newServerDir,
  removeServerDirs,
  runScenario,
  type ScenarioRun,
  writeConfig,
} from './luaHarness.ts';
import { pauseReports, roundReports } from './reportSchema.ts';

const player = (guid: string, rawName: string, name = rawName) => ({ guid, name, rawName });
const vektor = player('3F9A1C0E7B2D4E6F8A1B2C3D4E5F6071', '^1Vek^7tor', 'Vektor');
const n0va = player('A17C44D2E9F03B58C6D7E8F901A2B3C4', 'n0va');
const ziggy = player('5E2B9D71C0A84F36B1E2D3C4A5B6C7D8', 'Ziggy');
const bramble = player('C08D3E6A1F5B47209D8E7F6A5B4C3D2E', 'bramble');
const oskar = player('7B61E2F0A3C94D58E7F6A5B4C3D2E1F0', '^3Oskar', 'Oskar');
const quill = player('E4C72A9B08D16F35A2B3C4D5E6F70819', 'quill');
const sixPlayers = { axis: [vektor, n0va, ziggy], allies: [bramble, oskar, quill] };

async function play(name: string, config?: string, args: string[] = []): Promise<ScenarioRun> {
  const dir = newServerDir();
  if (config) writeConfig(dir, config);
  const run = await runScenario(name, { dir, args });
  expect(run.stderr).toBe('');
  expect(run.exitCode, run.log).toBe(0);
  expect(run.harness.hookErrors).toBe(0);
  expect(run.harness.hookReturns).toBe(0);
  return run;
}

afterAll(removeServerDirs);

describe.skipIf(!hasLua)('et-ledger.lua, whole rounds in the simulated engine', () => {
  it('reports a normal round with warmup and two pauses exactly as the spec example', async () => {
    const run = await play('normal', 'return { server = "eu1", secret = "s3cret", urls = {} }');
    expect(run.files.map((f) => f.name)).toEqual([
      `${fileStamp(1787168120)}-supply-round-1-pause-1.lua.json`,
      `${fileStamp(1787168299)}-supply-round-1-pause-2.lua.json`,
      `${fileStamp(1787168493)}-supply-round-1.lua.json`,
    ]);
    const [report] = roundReports(run.files);
    expect(report).toEqual({
      schema: 'et-ledger.round/2',
      id: 'eu1:supply:1:1787168493',
      server: 'eu1',
      script: '1.1.0',
      map: 'supply',
      round: 1,
      roundStartUnix: 1787167872,
      roundEndUnix: 1787168493,
      playtimeSec: 543,
      timelimitSec: 720,
      warmup: { startUnix: 1787167827, sec: 45 },
      pauses: [
        { startUnix: 1787168073, endUnix: 1787168120, sec: 47 },
        { startUnix: 1787168268, endUnix: 1787168299, sec: 31 },
      ],
      endReason: 'objective',
      surrender: null,
      winner: 2,
      defender: 1,
      teams: sixPlayers,
      players: [vektor, bramble, n0va, oskar, ziggy, quill].map((p, i) => ({
        ...p,
        team: i % 2 === 0 ? 1 : 2,
        axisMs: i % 2 === 0 ? 543_000 : 0,
        alliesMs: i % 2 === 0 ? 0 : 543_000,
      })),
    });
    expect(pauseReports(run.files)).toEqual([
      {
        schema: 'et-ledger.pause/1',
        id: 'eu1:supply:1:pause:1787168073',
        server: 'eu1',
        map: 'supply',
        round: 1,
        roundStartUnix: 1787167872,
        startUnix: 1787168073,
        endUnix: 1787168120,
        sec: 47,
      },
      {
        schema: 'et-ledger.pause/1',
        id: 'eu1:supply:1:pause:1787168268',
        server: 'eu1',
        map: 'supply',
        round: 1,
        roundStartUnix: 1787167872,
        startUnix: 1787168268,
        endUnix: 1787168299,
        sec: 31,
      },
    ]);
    expect(linesMatching(run.log, /config/)).toEqual([]);
    expect(linesMatching(run.log, /et-ledger: 1\.1\.0 loaded: server eu1/)).toHaveLength(3);
  });

  it('closes a pause still open at intermission at the round end and records it', async () => {
    const run = await play('pause-open');
    const [report] = roundReports(run.files);
    expect(report!.pauses).toEqual([
      { startUnix: 1787168000, endUnix: 1787168030, sec: 30 },
      { startUnix: 1787168400, endUnix: 1787168493, sec: 93 },
    ]);
    expect(report!.playtimeSec).toBe(621 - 123);
    expect(pauseReports(run.files).map((p) => [p.startUnix, p.endUnix, p.sec])).toEqual([
      [1787168000, 1787168030, 30],
      [1787168400, 1787168493, 93],
    ]);
    expect(run.files.map((f) => f.name)).toContain(`${fileStamp(1787168493)}-supply-round-1-pause-2.lua.json`);
  });

  it('reports a stopwatch R2 with a fractional limit and a passed surrender vote', async () => {
    const run = await play('stopwatch-r2');
    const [file] = run.files;
    expect(file!.bytes.toString()).toContain('"timelimitSec":543.5,');
    const [report] = roundReports(run.files);
    expect(report).toMatchObject({
      id: 'default:supply:2:1787168854',
      round: 2,
      roundStartUnix: 1787168589,
      roundEndUnix: 1787168854,
      playtimeSec: 265,
      timelimitSec: 543.5,
      warmup: { startUnix: 1787168530, sec: 59 },
      pauses: [],
      endReason: 'surrender',
      surrender: { team: 2, callerGuid: bramble.guid, callerName: 'bramble' },
      winner: 1,
      defender: 1,
    });
  });

  it('takes a failed surrender vote for no surrender, and a passed one for a surrender even without an exit print', async () => {
    const run = await play('surrender-votes');
    const [failed, passed] = roundReports(run.files);
    expect(failed).toMatchObject({ map: 'etl_adlernest', endReason: 'objective', surrender: null, winner: 2 });
    expect(passed).toMatchObject({
      map: 'etl_frostbite',
      endReason: 'surrender',
      surrender: { team: 1, callerGuid: vektor.guid, callerName: 'Vektor' },
      winner: 2,
      playtimeSec: 182,
    });
  });

  it('takes the side that gave up from the exit print: a callvote the game refused meanwhile is no caller', async () => {
    const [report] = roundReports((await play('surrender-cases', undefined, ['refused'])).files);
    expect(report).toMatchObject({
      endReason: 'surrender',
      surrender: { team: 1, callerGuid: vektor.guid, callerName: 'Vektor' },
      winner: 2,
    });
  });

  it('reads engine lines only at their start: a player named “Exit: Axis Surrender”, chat saying “Vote Failed”', async () => {
    const [timeUp] = roundReports((await play('exit-in-a-name')).files);
    expect(timeUp).toMatchObject({ endReason: 'time_expired', surrender: null });
    const [surrendered] = roundReports((await play('surrender-cases', undefined, ['chat'])).files);
    expect(surrendered).toMatchObject({
      endReason: 'surrender',
      surrender: { team: 1, callerGuid: vektor.guid, callerName: 'Vektor' },
    });
  });

  it('forgets a surrender vote that timed out: a referee’s surrender later has no caller', async () => {
    const [report] = roundReports((await play('surrender-cases', undefined, ['timeout'])).files);
    expect(report).toMatchObject({
      endReason: 'surrender',
      surrender: { team: 1, callerGuid: null, callerName: null },
    });
  });

  it('keeps the exit that ended the round: a second one “(already triggered)” changes nothing', async () => {
    const [report] = roundReports((await play('exit-twice')).files);
    expect(report).toMatchObject({ endReason: 'time_expired' });
  });

  it('lists Omni-bots (cl_guid OMNIBOT<slot>) without a GUID, two bots in one slot as two entries', async () => {
    const [report] = roundReports((await play('omnibots-one-slot')).files);
    if (report?.schema !== 'et-ledger.round/2') throw new Error('expected a /2 report');
    const bots = report.players.filter((p) => p.name.startsWith('[BOT]'));
    expect(bots.map((b) => [b.guid, b.name, b.axisMs])).toEqual([
      [null, '[BOT]Bruno', 100_000],
      [null, '[BOT]Dora', 150_000],
    ]);
  });

  it('still reports the round after an rcon lua_restart mid-round (no et_InitGame): its config and spool', async () => {
    const run = await play('lua-restart');
    const [report] = roundReports(run.files);
    expect(report).toMatchObject({ id: 'eu1:supply:1:1787171600', server: 'eu1', endReason: 'objective' });
  });

  it('reports an admin map_restart mid-round as aborted, and the replay as its own round', async () => {
    const run = await play('map-restart');
    const [aborted, replay] = roundReports(run.files);
    expect(aborted).toMatchObject({
      id: 'default:te_escape2:1:1787171155',
      round: 1,
      roundStartUnix: 1787170965,
      roundEndUnix: 1787171155,
      playtimeSec: 190,
      endReason: 'aborted',
      surrender: null,
      winner: 0,
      defender: 1,
      teams: sixPlayers,
    });
    // No exit print: 719 s played of a 720 s limit is within the spec's 2 s of the limit.
    expect(replay).toMatchObject({
      round: 1,
      roundStartUnix: 1787171246,
      roundEndUnix: 1787171965,
      playtimeSec: 719,
      warmup: { startUnix: 1787171155, sec: 91 },
      endReason: 'time_expired',
      winner: 1,
    });
  });

  it('reports a round cut by a server shutdown as aborted, closing its open pause', async () => {
    const run = await play('shutdown');
    const [report] = roundReports(run.files);
    expect(report).toMatchObject({
      roundEndUnix: 1787172260,
      endReason: 'aborted',
      pauses: [{ startUnix: 1787172200, endUnix: 1787172260, sec: 60 }],
      playtimeSec: 170,
      winner: 0,
    });
    expect(pauseReports(run.files)).toHaveLength(1);
  });

  it('lists 32 players by team in slot order, leaving out spectators and connecting clients', async () => {
    const run = await play('players32');
    const [report] = roundReports(run.files);
    expect(report!.teams.axis).toHaveLength(16);
    expect(report!.teams.allies).toHaveLength(16);
    const names = [...report!.teams.axis, ...report!.teams.allies].map((p) => p.name).sort();
    expect(names).toEqual(Array.from({ length: 32 }, (_, i) => `p${String(i + 1).padStart(2, '0')}`));
    expect(report!.teams.axis[0]).toEqual({ guid: '000000000000000000000000000003E8', name: 'p01', rawName: '^1p01' });
    expect(report!.endReason).toBe('time_expired');
  });

  it('keeps hostile names valid JSON and UTF-8: escaped controls, invalid UTF-8 read as Windows-1252 like the stats parser, clean names', async () => {
    const run = await play('hostile-names');
    const [file] = run.files;
    const text = file!.bytes.toString('utf8');
    expect(text).toContain('"rawName":"bell\\u0007tab\\u0009nl\\u000adel\\u007f"');
    expect(text).toContain('"rawName":"He said \\"hi\\""');
    expect(text).toContain('"rawName":"back\\\\slash\\\\"');
    const [report] = roundReports(run.files);
    const all = [...report!.teams.axis, ...report!.teams.allies];
    const byGuid = Object.fromEntries(all.map((p) => [p.guid, p]));
    // [guid, the engine's bytes (one character per byte), rawName, name]
    const expected: [string, string, string, string][] = [
      ['HOSTILE01', 'He said "hi"', 'He said "hi"', 'He said "hi"'],
      ['HOSTILE02', 'back\\slash\\', 'back\\slash\\', 'back\\slash\\'],
      ['HOSTILE03', 'bell\u0007tab\tnl\ndel\u007f', 'bell\u0007tab\tnl\ndel\u007f', 'belltabnldel'],
      ['HOSTILE04', 'bad\xffbyte', 'badÿbyte', 'badÿbyte'],
      ['HOSTILE05', 'trunc\xe2\x82', 'truncâ‚', 'truncâ‚'],
      ['HOSTILE06', 'overlong\xc0\xaf', 'overlongÀ¯', 'overlongÀ¯'],
      ['HOSTILE07', 'surrogate\xed\xa0\x80', 'surrogateí\u00a0€', 'surrogateí\u00a0€'],
      ['HOSTILE08', '^^1caret^', '^^1caret^', '^caret^'],
      ['HOSTILE09', '^\xc3\xa9t\xc3\xa9', '^été', 'té'],
      ['HOSTILE10', '^2\xf0\x9f\x98\x80 smile', '^2😀 smile', '😀 smile'],
      ['HOSTILE11', '  ^7 spaced\xc2\xa0', '  ^7 spaced\u00a0', 'spaced'],
      ['HOSTILE12', 'c1\xc2\x85x', 'c1\u0085x', 'c1x'],
      ['HOSTILE13', '\u001b[31mred', '\u001b[31mred', '[31mred'],
      ['HOSTILE14', '', '', ''],
      ['HOSTILE15', '^\n1x', '^\n1x', 'x'],
      ['HOSTILE16', 'O\x92Neil \x80uro \x9cuvre \x8aef', 'O’Neil €uro œuvre Šef', 'O’Neil €uro œuvre Šef'],
    ];
    for (const [guid, engineBytes, rawName, name] of expected) {
      expect(byGuid[guid], guid).toEqual({ guid, rawName, name });
      // The stats file carries the same bytes: the ledger's decoder must read them as the script did,
      // or the correlator's name join could never meet this player.
      expect(decodeRawName(Buffer.from(engineBytes, 'latin1')), `ledger's decoding of ${guid}`).toBe(rawName);
      expect(cleanName(rawName), `ledger's cleanName of ${guid}`).toBe(name);
    }
    expect(byGuid['Q"U\u0001OTE']).toEqual({ guid: 'Q"U\u0001OTE', name: 'guid', rawName: 'guid' });
    expect(all).toHaveLength(17);
  });

  it('survives engine calls that raise: each failing site is logged once and the report stays right', async () => {
    const run = await play('engine-raises');
    const [report] = roundReports(run.files);
    expect(report).toMatchObject({
      roundStartUnix: 1787175030, // read 4 s late (gamestate failed), dated back by CS_LEVEL_START_TIME
      roundEndUnix: 1787175400,
      pauses: [{ startUnix: 1787175100, endUnix: 1787175110, sec: 10 }],
      endReason: 'objective',
      winner: 2,
    });
    expect(report!.teams).toEqual({
      axis: [vektor, { ...n0va, guid: '' }, { ...ziggy, name: '', rawName: '' }],
      allies: [bramble, oskar],
    });
    for (const site of [
      'trap_Cvar_Get(gamestate)',
      'trap_GetConfigstring(32)',
      'gentity_get(pers.netname)',
      'gentity_get(sess.sessionTeam)',
      'trap_GetUserinfo',
    ]) {
      expect(
        linesMatching(run.log, new RegExp(`engine call ${site.replace(/[()]/g, '\\$&')} failed`)),
        site,
      ).toHaveLength(1);
    }
    expect(linesMatching(run.log, /error in et_RunFrame \(logged once\): .*clock exploded/)).toHaveLength(1);
  });
});
