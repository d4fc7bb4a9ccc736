// `et-ledger.round/2`: each client's own time in play (spec/lua-report.md, version 2), measured by
// lua/et-ledger.lua under the real Lua 5.4 in the simulated engine (lua/harness/scenarios/). The engine calls
// the client hooks (connect, begin, userinfo change, disconnect) as ET:Legacy does, and the scenarios change
// clients between frames, so every figure is exact: the script's resolution with hooks is one frame. The
// `poll-only` scenario calls no hook: there the sweep alone sees the changes, within its 1 s resolution.
import { afterAll, describe, expect, it } from 'vitest';
import { hasLua, linesMatching, newServerDir, removeServerDirs, runScenario, type ScenarioRun } from './luaHarness.ts';
import { type PlayerTime, type RoundReportV2, roundReportsV2 } from './reportSchema.ts';

const GUID = {
  vektor: '3F9A1C0E7B2D4E6F8A1B2C3D4E5F6071',
  bramble: 'C08D3E6A1F5B47209D8E7F6A5B4C3D2E',
  n0va: 'A17C44D2E9F03B58C6D7E8F901A2B3C4',
  oskar: '7B61E2F0A3C94D58E7F6A5B4C3D2E1F0',
  ziggy: '5E2B9D71C0A84F36B1E2D3C4A5B6C7D8',
  quill: 'E4C72A9B08D16F35A2B3C4D5E6F70819',
};
/** The six players of lua/harness/players.lua, in slot order, with their side at map load. */
const SIX = [
  { guid: GUID.vektor, name: 'Vektor', rawName: '^1Vek^7tor', side: 1 },
  { guid: GUID.bramble, name: 'bramble', rawName: 'bramble', side: 2 },
  { guid: GUID.n0va, name: 'n0va', rawName: 'n0va', side: 1 },
  { guid: GUID.oskar, name: 'Oskar', rawName: '^3Oskar', side: 2 },
  { guid: GUID.ziggy, name: 'Ziggy', rawName: 'Ziggy', side: 1 },
  { guid: GUID.quill, name: 'quill', rawName: 'quill', side: 2 },
] as const;

/** A player of the six, on one side all round for `ms`. */
function wholeRound(i: number, ms: number): PlayerTime {
  const { side, ...p } = SIX[i]!;
  return { ...p, team: side, axisMs: side === 1 ? ms : 0, alliesMs: side === 2 ? ms : 0 };
}

async function play(name: string, args: string[] = []): Promise<{ run: ScenarioRun; reports: RoundReportV2[] }> {
  const run = await runScenario(name, { dir: newServerDir(), args });
  expect(run.stderr).toBe('');
  expect(run.exitCode, run.log).toBe(0);
  expect(run.harness.hookErrors).toBe(0);
  expect(run.harness.hookReturns).toBe(0); // et_ClientConnect must never return a value (it would refuse the client)
  expect(linesMatching(run.log, /error in|failed/)).toEqual([]);
  const reports = roundReportsV2(run.files);
  for (const r of reports) expectWithinPlaytime(r);
  return { run, reports };
}

/** The spec's invariant, for every listed player (the strict schema checks it too). */
function expectWithinPlaytime(r: RoundReportV2): void {
  for (const p of r.players) expect(p.axisMs + p.alliesMs, p.name).toBeLessThanOrEqual(r.playtimeSec * 1000 + 1000);
}

function byGuid(r: RoundReportV2, guid: string): PlayerTime {
  const found = r.players.filter((p) => p.guid === guid);
  expect(found, guid).toHaveLength(1);
  return found[0]!;
}

afterAll(removeServerDirs);

describe.skipIf(!hasLua)('et-ledger.round/2: per-player time in play', () => {
  it('counts a late joiner from the moment they join, and lists no one who only spectated', async () => {
    const { reports } = await play('late-joiner');
    expect(reports).toHaveLength(1);
    const [r] = reports;
    expect(r!.playtimeSec).toBe(600);
    expect(r!.players).toEqual([
      ...SIX.map((_, i) => wholeRound(i, 600_000)),
      {
        guid: '1A7E0000000000000000000000000008',
        name: 'late',
        rawName: '^5late',
        team: 2,
        axisMs: 0,
        alliesMs: 480_000,
      },
      {
        guid: 'FFEEDDCCBBAA99887766554433221100',
        name: 'joining',
        rawName: 'joining',
        team: 1,
        axisMs: 430_000,
        alliesMs: 0,
      },
      {
        guid: '00112233445566778899AABBCCDDEEFF',
        name: 'watcher',
        rawName: 'watcher',
        team: 1,
        axisMs: 330_000,
        alliesMs: 0,
      },
    ]);
    expect(r!.players.map((p) => p.guid)).not.toContain('0B5E0000000000000000000000000009'); // the onlooker
  });

  it('splits a player who switches teams mid-round between both sides; spectating time counts for neither', async () => {
    const { reports } = await play('team-switch');
    const [r] = reports;
    expect(r!.players).toEqual([
      { ...wholeRound(0, 0), team: 2, axisMs: 100_000, alliesMs: 500_000 },
      { ...wholeRound(1, 0), team: 1, axisMs: 200_000, alliesMs: 200_000 },
      { ...wholeRound(2, 0), team: 3, axisMs: 300_000, alliesMs: 200_000 },
      wholeRound(3, 600_000),
      wholeRound(4, 600_000),
      { ...wholeRound(5, 600_000), name: 'quilltwo', rawName: '^2quill^7two' }, // the name at round end
    ]);
    // `teams` stays /1's: the sides at round end.
    expect(r!.teams.axis.map((p) => p.name)).toEqual(['bramble', 'Ziggy']);
    expect(r!.teams.allies.map((p) => p.name)).toEqual(['Vektor', 'Oskar', 'quilltwo']);
  });

  it('carries a GUID’s totals across a disconnect and a reconnect, and keeps players who left (team 0)', async () => {
    const { reports } = await play('reconnect');
    const [r] = reports;
    expect(byGuid(r!, GUID.vektor)).toMatchObject({ team: 2, axisMs: 100_000, alliesMs: 440_000 });
    expect(byGuid(r!, GUID.ziggy)).toEqual({ ...wholeRound(4, 0), team: 0, axisMs: 200_000, alliesMs: 0 });
    expect(byGuid(r!, GUID.oskar)).toMatchObject({ team: 3, axisMs: 0, alliesMs: 300_000 }); // back as a spectator
    expect(byGuid(r!, '4E3B1E00000000000000000000000004')).toMatchObject({
      name: 'newbie',
      team: 1,
      axisMs: 230_000,
      alliesMs: 0,
    });
    expect(r!.players).toHaveLength(7);
    expect(r!.teams.axis.map((p) => p.name)).toEqual(['n0va', 'newbie']);
    expect(r!.teams.allies.map((p) => p.name)).toEqual(['bramble', 'quill', 'Vektor']);
  });

  it('never counts paused time, even for changes made during the pause', async () => {
    const { reports } = await play('pause-middle');
    const [r] = reports;
    expect(r!.pauses).toEqual([{ startUnix: 1787183200, endUnix: 1787183290, sec: 90 }]);
    expect(r!.playtimeSec).toBe(510);
    expect(r!.players).toEqual([
      wholeRound(0, 510_000),
      wholeRound(1, 510_000),
      wholeRound(2, 510_000),
      wholeRound(3, 510_000),
      { ...wholeRound(4, 170_000), team: 0 },
      { ...wholeRound(5, 0), team: 1, axisMs: 340_000, alliesMs: 170_000 },
      {
        guid: '9A05E000000000000000000000000008',
        name: 'pauser',
        rawName: 'pauser',
        team: 2,
        axisMs: 0,
        alliesMs: 340_000,
      },
    ]);
  });

  it('does not count warmup: only the round clock’s time, and no one who played only in warmup', async () => {
    const { reports } = await play('warmup-time');
    const [r] = reports;
    expect(r!.warmup).toEqual({ startUnix: 1787184060, sec: 270 });
    expect(r!.playtimeSec).toBe(300);
    expect(r!.players).toEqual([
      ...SIX.map((_, i) => wholeRound(i, 300_000)),
      {
        guid: 'EA41E000000000000000000000000008',
        name: 'early',
        rawName: 'early',
        team: 2,
        axisMs: 0,
        alliesMs: 300_000,
      },
    ]);
  });

  it('counts stopwatch round 2 by the side each client is on in it, frame by frame, nothing carried from round 1', async () => {
    const { reports } = await play('r2-sides');
    expect(reports.map((r) => [r.round, r.playtimeSec])).toEqual([
      [1, 180],
      [2, 120],
    ]);
    const [r1, r2] = reports;
    expect(r1!.players).toEqual(SIX.map((_, i) => wholeRound(i, 180_000)));
    const swapped = SIX.map((p, i) => {
      const side = p.side === 1 ? 2 : 1;
      return { ...wholeRound(i, 0), team: side, axisMs: side === 1 ? 120_000 : 0, alliesMs: side === 2 ? 120_000 : 0 };
    });
    swapped[2] = { ...swapped[2]!, team: 1, axisMs: 20_000, alliesMs: 100_000 }; // n0va back to Axis 100 s into R2
    expect(r2!.players).toEqual(swapped);
  });

  it('lists a bot (no GUID) with "guid": null, one entry per bot even in the same slot', async () => {
    const { run, reports } = await play('bots');
    const [r] = reports;
    const bots = r!.players.filter((p) => p.guid === null);
    expect(bots).toEqual([
      { guid: null, name: '[BOT]Axel', rawName: '[BOT]^1Axel', team: 2, axisMs: 0, alliesMs: 300_000 },
      { guid: null, name: '[BOT]Bruno', rawName: '[BOT]Bruno', team: 0, axisMs: 100_000, alliesMs: 0 },
      { guid: null, name: '[BOT]Cleo', rawName: '[BOT]Cleo', team: 2, axisMs: 0, alliesMs: 300_000 },
      { guid: null, name: '[BOT]Dora', rawName: '[BOT]Dora', team: 1, axisMs: 150_000, alliesMs: 0 },
    ]);
    expect(r!.players).toHaveLength(10);
    const text = run.files.find((f) => f.name.endsWith('-round-1.lua.json'))!.bytes.toString('utf8');
    expect(text).toContain(
      '{"guid":null,"name":"[BOT]Axel","rawName":"[BOT]^1Axel","team":2,"axisMs":0,"alliesMs":300000}',
    );
  });

  it('counts 64 clients with leaves, returns, side changes, spectators and a pause exactly', async () => {
    const { reports } = await play('players64');
    const [r] = reports;
    // The scenario's timeline (seconds after B); the round runs B+30 … B+930, paused B+530 … B+560.
    const played = (x: number) => (x - 30 - Math.max(0, Math.min(x, 560) - 530)) * 1000;
    const expected = Array.from({ length: 64 }, (_, cn) => {
      const side = cn % 2 === 0 ? 1 : 2;
      const changes: [number, number][] = [[30, side]];
      const gone = cn % 8 === 7 && cn % 16 !== 7;
      if (cn % 8 === 7) changes.push([230, 0]);
      if (cn % 16 === 7) changes.push([290, side]);
      if (cn % 5 === 0 && !gone) changes.push([330, side === 1 ? 2 : 1]);
      if (cn % 16 === 3) changes.push([430, 3]);
      const ms = [0, 0, 0, 0];
      changes.forEach(([at, team], i) => {
        ms[team]! += played(changes[i + 1]?.[0] ?? 930) - played(at);
      });
      return {
        guid: (5000 + cn).toString(16).toUpperCase().padStart(32, '0'),
        name: `p${String(cn).padStart(2, '0')}`,
        rawName: `^${cn % 10}p${String(cn).padStart(2, '0')}`,
        team: changes.at(-1)![1],
        axisMs: ms[1],
        alliesMs: ms[2],
      };
    });
    expect(r!.playtimeSec).toBe(870);
    expect(r!.players).toEqual(expected);
    expect(r!.players.filter((p) => p.team === 0)).toHaveLength(4);
    expect(r!.teams.axis.length + r!.teams.allies.length).toBe(56);
  });

  it('lists every client of the round, more than there are slots (176 over 32 slots)', async () => {
    const { reports } = await play('players-churn');
    const [r] = reports;
    expect(r!.players).toHaveLength(176);
    expect(r!.players.filter((p) => p.axisMs + p.alliesMs === 600_000)).toHaveLength(16);
    expect(r!.players.filter((p) => p.axisMs + p.alliesMs === 60_000)).toHaveLength(160);
    expect(r!.players.filter((p) => p.team === 0)).toHaveLength(144);
  });

  it('keeps the report within 64 KiB by leaving out the players with the least time', async () => {
    const { run, files } = await (async () => {
      const p = await play('players-churn', ['bloat']);
      return { run: p.run, files: p.run.files };
    })();
    const file = files.find((f) => f.name.endsWith('-round-1.lua.json'))!;
    expect(file.bytes.length).toBeLessThanOrEqual(65536);
    const [r] = roundReportsV2(files);
    expect(r!.players.length).toBeGreaterThan(16);
    expect(r!.players.length).toBeLessThan(496);
    // the 16 who played all round are kept; whoever is left out had no more time than anyone kept
    expect(r!.players.filter((p) => p.axisMs + p.alliesMs === 600_000)).toHaveLength(16);
    expect(linesMatching(run.log, /report over 64 KiB: \d+ of 496 players with the least time left out/)).toHaveLength(
      1,
    );
  });

  it('without any client hook, the sweep alone counts every change within 1 s', async () => {
    const { reports } = await play('poll-only');
    const [r] = reports;
    const exact: [string, number, number, number][] = [
      [GUID.vektor, 2, 100_000, 500_000],
      [GUID.bramble, 2, 0, 600_000],
      [GUID.n0va, 1, 600_000, 0],
      [GUID.oskar, 1, 240_000, 300_000],
      [GUID.ziggy, 0, 200_000, 0],
      [GUID.quill, 2, 0, 600_000],
      ['1A7E0000000000000000000000000008', 2, 0, 480_000],
    ];
    expect(r!.players).toHaveLength(exact.length);
    for (const [guid, team, axisMs, alliesMs] of exact) {
      const p = byGuid(r!, guid);
      expect(p.team, guid).toBe(team);
      expect(Math.abs(p.axisMs - axisMs), `${guid} axisMs ${p.axisMs}`).toBeLessThanOrEqual(1000);
      expect(Math.abs(p.alliesMs - alliesMs), `${guid} alliesMs ${p.alliesMs}`).toBeLessThanOrEqual(1000);
    }
  });
});
