// The page renderers with hand-built inputs: hostile names from a game server never become markup,
// sessions are cut by the gap rule, and a verdict history says why each verdict replaced the last.
import { describe, expect, it } from 'vitest';
import type { Verdict } from '../../../src/events/index.ts';
import type { Evening, EveningPlayer } from '../../../src/stats/evening.ts';
import type { MapExportRow } from '../../../src/stopwatch/mapRows.ts';
import { liveScript } from '../../../src/web/layout.ts';
import { leaderboardPage } from '../../../src/web/pages/leaderboard.ts';
import { playerPage } from '../../../src/web/pages/player.ts';
import { changeReason, historyItems, roundPage } from '../../../src/web/pages/round.ts';
import { sessionPage, sessionsPage } from '../../../src/web/pages/sessions.ts';
import { serverSection, tonightPage } from '../../../src/web/pages/tonight.ts';
import {
  cutSessions,
  type PlayerLine,
  type RoundDetail,
  type RoundRef,
  type SessionDetail,
} from '../../../src/web/webQueries.ts';
import { verdict } from '../discord/verdictFixture.ts';

const SCRIPT = '<script>window.__pwned=1</script>';
const IMG = '"><img src=x onerror=alert(1)>';
const JS = 'javascript:alert(1)';
const RLO = '\u202Eevil';
const EVERYONE = '@everyone';
const MAP = '<b>x</b>';
const names = [SCRIPT, IMG, JS, RLO, EVERYONE];
const T0 = 1787168857;
const GAP = 2700;

const ref = (t: number, over: Partial<RoundRef> = {}): RoundRef => ({
  roundId: `r-${t}`,
  serverId: 'eu1',
  serverName: SCRIPT,
  map: MAP,
  round: 1,
  fileTimeUnix: t,
  tz: 'Europe/Ljubljana',
  ...over,
});

describe('cutSessions', () => {
  it('keeps rounds 10 min apart in one session, start and end from its first and last', () => {
    const s = cutSessions([ref(T0), ref(T0 + 600), ref(T0 + 1200, { serverName: 'renamed' })], GAP);
    expect(s).toHaveLength(1);
    expect(s[0]).toMatchObject({ serverId: 'eu1', startUnix: T0, endUnix: T0 + 1200, serverName: 'renamed' });
    expect(s[0]!.rounds.map((r) => r.fileTimeUnix)).toEqual([T0, T0 + 600, T0 + 1200]);
  });

  it('splits where a gap exceeds gapSec, not where it equals it', () => {
    const t = [T0, T0 + GAP, T0 + 2 * GAP + 1, T0 + 2 * GAP + 601];
    const s = cutSessions(
      t.map((x) => ref(x)),
      GAP,
    );
    expect(s.map((x) => [x.startUnix, x.endUnix, x.rounds.length])).toEqual([
      [T0, T0 + GAP, 2],
      [T0 + 2 * GAP + 1, T0 + 2 * GAP + 601, 2],
    ]);
    for (const x of s) expect(x.startUnix).toBeLessThanOrEqual(x.endUnix);
    expect(s[0]!.endUnix).toBeLessThan(s[1]!.startUnix);
  });

  it('gives nothing for no rounds and one session for one round', () => {
    expect(cutSessions([], GAP)).toEqual([]);
    expect(cutSessions([ref(T0)], GAP)).toMatchObject([{ startUnix: T0, endUnix: T0 }]);
  });
});

describe('changeReason', () => {
  const v = verdict({ luaReportId: null, generation: 1 });
  it('names what differs', () => {
    expect(changeReason(null, v)).toBe('decided');
    expect(changeReason(v, { ...v, luaReportId: 'eu1:x:2:1' })).toBe('corrected by a late Lua report');
    expect(changeReason(v, { ...v, generation: 2 })).toMatch(/build 2 .*rule change/);
    expect(changeReason(v, { ...v, statsFactId: 'other' })).toBe('corrected by a revised stats file');
    expect(changeReason({ ...v, luaReportId: 'a' }, v)).toMatch(/joined another round/);
    expect(changeReason({ ...v, luaReportId: 'a' }, { ...v, luaReportId: 'b' })).toBe(
      'corrected by another Lua report',
    );
    expect(changeReason(v, { ...v, pausedSec: 30, pauseCount: 1 })).toBe('corrected by pause records');
    expect(changeReason(v, { ...v })).toBe('re-decided with new facts');
  });

  it('puts a rule change before any fact change', () => {
    expect(changeReason(v, { ...v, generation: 3, luaReportId: 'x', statsFactId: 'y' })).toMatch(/rule change/);
  });

  it('historyItems reads in order, and a retraction starts over', () => {
    const w = { ...v, luaReportId: 'eu1:x:2:1' };
    const out = historyItems(
      [
        { kind: 'verdict', status: v.status, position: 1, verdict: v },
        { kind: 'verdict', status: w.status, position: 2, verdict: w },
        { kind: 'retraction', status: 'RETRACTED', position: 3, verdict: null },
        { kind: 'verdict', status: v.status, position: 4, verdict: v },
      ],
      'UTC',
    ).text;
    const items = [...out.matchAll(/<li>([\s\S]*?)<\/li>/g)].map((m) => m[1]!);
    expect(items).toHaveLength(4);
    expect(items[0]).toContain(' decided at 19:48 · ');
    expect(items[1]).toContain('corrected by a late Lua report');
    expect(items[2]).toContain('retracted (log position 3)');
    expect(items[3]).toContain(' decided ');
  });
});

// ---- hostile rendering ----

const awards = { revives: 0, objectiveActions: 0, gibs: 0, shots: 0, hits: 0 };
const guidOf = (i: number) => (i === 2 ? JS : `G${i}`);
const eveningPlayers: EveningPlayer[] = names.map((name, i) => {
  const figures = { rounds: 2, timeSec: 600, damage: 3000 + i, kills: 5, deaths: 4, dpm: 300 + i };
  return { id: `G${i}`, guid8: guidOf(i), name, team: (i % 2) as 0 | 1, ...figures, qualified: true, awards };
});
const halves = { r1RoundId: 'r-1', r1FileName: `${SCRIPT}.txt`, r2RoundId: JS, r2FileName: null };
const mapRow = (over: Partial<MapExportRow>): MapExportRow => ({
  ...{ serverId: 'eu1', map: MAP, fileTimeUtc: null, sessionStartUtc: null, timeSetSec: 300, r2TimeSec: 250 },
  ...halves,
  ...{ result: 'beaten', winnerTeam: SCRIPT, teamA: SCRIPT, teamB: IMG, teamAPoints: 2, teamBPoints: 0, flags: [] },
  ...over,
});
const evening: Evening = {
  ...{ teams: [SCRIPT, IMG], points: [2, 1], fightingSec: 1200, requiredSec: 600, awards: [] },
  maps: [mapRow({}), mapRow({ result: 'unknown', winnerTeam: null, flags: ['r1NoPlayers', IMG] })],
  players: eveningPlayers,
  ranked: eveningPlayers,
};
const hostileVerdict: Verdict = verdict({ flags: ['ghost'], generation: 1 });
const detail: SessionDetail = {
  ...{ serverId: 'eu1', tz: null, firstUnix: T0, lastUnix: T0 + 600, evening, top: eveningPlayers },
  rounds: [{ verdict: hostileVerdict, map: MAP, round: 1, fileTimeUnix: T0 }],
};
const session = { ...cutSessions([ref(T0), ref(T0 + 600, { roundId: JS })], GAP)[0]!, serverId: IMG };
const figures = { kills: 1, deaths: 2, damageGiven: 900, damageReceived: 800, gibs: 0, revivesGiven: 0, headshots: 1 };
const weapons = [{ weapon: MAP, hits: 1, shots: 3, kills: 1, deaths: 0, headshots: 0 }];
const line = (name: string, i: number): PlayerLine => {
  const team = i === 4 ? 3 : (i % 2) + 1;
  return { line: i, guid8: guidOf(i), name, team, ...figures, accuracy: 33.3, timePlayedSec: 300, weapons };
};
const round: RoundDetail = {
  round: {
    ...{ roundId: JS, serverId: IMG, serverName: SCRIPT, map: MAP, round: 2, fileName: `${IMG}.txt` },
    ...{ fileTimeUnix: T0 + 600, tz: 'Europe/Ljubljana', defender: 1, winner: 2, timeLimitSec: 600 },
    ...{ statsPlaytimeSec: 300, r1RoundId: `${JS}/../x`, flags: [SCRIPT] },
  },
  players: names.map(line),
  verdict: hostileVerdict,
  history: [
    { kind: 'verdict', status: 'ALIGNED', position: 1, verdict: hostileVerdict },
    { kind: 'retraction', status: SCRIPT, position: 2, verdict: null },
  ],
};
const period = { text: '30d', sinceUnix: T0 - 30 * 86_400, label: 'last 30d' };

const tagNames = (out: string) => [...out.matchAll(/<([A-Za-z][\w-]*)/g)].map((m) => m[1]!.toLowerCase());

/** What every rendering of hostile data must hold; `scripts` is how many script elements the page has. */
function assertInert(out: string, scripts: number) {
  const tags = tagNames(out);
  expect(tags.filter((t) => t === 'script')).toHaveLength(scripts);
  if (scripts > 0) expect(out).toContain(`<script>${liveScript}</script>`);
  expect(out).not.toContain('__pwned=1</script>');
  expect(out).not.toMatch(/<img/i);
  expect(tags).not.toContain('img');
  expect(tags).not.toContain('b');
  expect(out).not.toMatch(/href="javascript:/i);
  // Every link is to a path of our own.
  for (const [, h] of out.matchAll(/href="([^"]*)"/g)) expect(h).toMatch(/^\/(?!\/)/);
  // A right-to-left override appears only isolated in a <bdi> (the page and SVG titles are not body text).
  const body = out
    .replace(/<title>[^<]*<\/title>/g, '')
    .replace(/<svg[\s\S]*?<\/svg>/g, '')
    .replace(/<bdi>[^<]*<\/bdi>/g, '');
  expect(body).not.toContain('\u202E');
}

describe('pages with hostile names', () => {
  it('tonightPage: exactly one script, the live one; names escaped and isolated', () => {
    const out = tonightPage([{ session, detail, last: round }], T0 + 900, GAP, `">${SCRIPT}`);
    assertInert(out, 1);
    expect(out).toContain('<bdi>&lt;script&gt;window.__pwned=1&lt;/script&gt;</bdi>');
    expect(out).toContain('<bdi>&quot;&gt;&lt;img src=x onerror=alert(1)&gt;</bdi>');
    expect(out).toContain(`<bdi>${RLO}</bdi>`);
    expect(out).toContain('<bdi>@everyone</bdi>');
    expect(out).toContain('&lt;b&gt;x&lt;/b&gt;');
    expect(out).toContain('data-server="&quot;&gt;&lt;img src=x onerror=alert(1)&gt;"');
    expect(out).toContain('data-since="&quot;&gt;&lt;script&gt;');
    expect(out).toContain(`href="/players/${encodeURIComponent(JS)}"`);
  });

  it('serverSection (the live fragment) has no script and a hex id', () => {
    const out = serverSection({ session, detail, last: round }, T0 + 900, GAP).text;
    assertInert(out, 0);
    expect(out).toMatch(/^<section class="server" id="server-[0-9a-f]+" /);
  });

  it('roundPage: no script at all; names, map, flags, weapons and file escaped', () => {
    const out = roundPage(round);
    assertInert(out, 0);
    expect(out).toContain('<title>&lt;b&gt;x&lt;/b&gt; R2 · et-ledger</title>');
    expect(out).toContain('<h1>&lt;b&gt;x&lt;/b&gt; · round 2</h1>');
    expect(out).toContain('&quot;&gt;&lt;img src=x onerror=alert(1)&gt;.txt');
    expect(out).toContain('title="&lt;script&gt;window.__pwned=1&lt;/script&gt;"');
    expect(out).toContain('<td class="name">&lt;b&gt;x&lt;/b&gt;</td>');
    expect(out).toContain('<h3>Spectators</h3>');
    expect(out).toContain(`href="/rounds/${encodeURIComponent(`${JS}/../x`)}">round 1</a>`);
    expect(out).toContain('status-RETRACTED">RETRACTED</span> retracted (log position 2)');
  });

  it('sessionsPage and sessionPage', () => {
    const list = sessionsPage([session], true, 20);
    assertInert(list, 0);
    expect(list).toContain('<bdi>&lt;script&gt;window.__pwned=1&lt;/script&gt;</bdi>');
    expect(list).toContain('<td class="name">&lt;b&gt;x&lt;/b&gt;</td>');
    const one = sessionPage(session, detail);
    assertInert(one, 0);
    expect(one).toContain('<span><bdi>&quot;&gt;&lt;img src=x onerror=alert(1)&gt;</bdi></span>');
    expect(one).toContain(`<bdi>${RLO}</bdi>`);
  });

  it('playerPage and leaderboardPage', () => {
    const who = { guid8: IMG, name: SCRIPT, names: [SCRIPT, RLO, JS], rounds: 3, lastSeenUnix: T0 };
    const totals = {
      rounds: 3,
      kills: 1,
      deaths: 1,
      damage: 900,
      correctedSec: 300,
      shots: 3,
      hits: 1,
      headshots: 0,
      revives: 0,
    };
    const points = [0, 1].map((i) => ({ dayUnix: T0 + i * 86_400, damage: 900, seconds: 300, rounds: 1 }));
    const out = playerPage(who, period, totals, [{ map: MAP, maps: 1, won: 1, drawn: 0, lost: 0 }], points);
    assertInert(out, 0);
    expect(out).toContain('<h1><bdi>&lt;script&gt;window.__pwned=1&lt;/script&gt;</bdi>');
    expect(out).toContain(`Also played as <bdi>${RLO}</bdi>, <bdi>javascript:alert(1)</bdi>`);
    expect(out).toContain('action="/players/%22%3E%3Cimg%20src%3Dx%20onerror%3Dalert(1)%3E"');
    const rows = names.map((name, i) => ({ guid8: i === 2 ? JS : `G${i}`, name, value: 300 - i, rounds: 4 }));
    const board = leaderboardPage('dpm', period, rows);
    assertInert(board, 0);
    for (const n of ['&lt;script&gt;window.__pwned=1&lt;/script&gt;', `${RLO}`, EVERYONE])
      expect(board).toContain(`<bdi>${n}</bdi>`);
  });
});
