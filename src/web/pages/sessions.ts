// Sessions: the list (newest first, paged by time) and one session (its maps, score, rounds and
// the players ranked by DPM on fighting time, as the Discord session post ranks them).
import { clock } from '../../sinks/discord/renderFormat.ts';
import { qualificationShort } from '../../stats/qualification.ts';
import { dateIn, fixed, timeIn } from '../format.ts';
import { href, html, nameHtml } from '../html.ts';
import { page } from '../layout.ts';
import type { SessionDetail, SessionRef } from '../webQueries.ts';
import { mapStrip, playerLink, roundLink, statusBadge } from './pieces.ts';

export function sessionsPage(sessions: readonly SessionRef[], more: boolean, limit: number): string {
  const older = sessions[sessions.length - 1];
  return page(
    { title: 'Sessions', active: 'sessions' },
    html`<h1>Sessions</h1>
${
  sessions.length === 0
    ? html`<p class="muted">No sessions yet.</p>`
    : html`<div class="scroll"><table><thead><tr><th class="name">Evening</th><th class="name">Server</th><th>From</th><th>To</th><th>Rounds</th><th class="name">Maps</th></tr></thead><tbody>${sessions.map(
        (s) =>
          html`<tr><td class="name"><a href="${href('sessions', s.serverId, s.startUnix)}">${dateIn(s.startUnix, s.tz)}</a></td><td class="name">${nameHtml(s.serverName || s.serverId)}</td><td>${timeIn(s.startUnix, s.tz)}</td><td>${timeIn(s.endUnix, s.tz)}</td><td>${s.rounds.length}</td><td class="name">${[...new Set(s.rounds.map((r) => r.map))].join(', ')}</td></tr>`,
      )}</tbody></table></div>`
}
${more && older ? html`<p><a href="/sessions?before=${older.startUnix}&amp;limit=${limit}">Older sessions</a></p>` : ''}`,
  );
}

export function sessionPage(session: SessionRef, d: SessionDetail): string {
  const e = d.evening;
  const tz = session.tz;
  return page(
    { title: `Session ${dateIn(session.startUnix, tz)}`, active: 'sessions' },
    html`<h1>${dateIn(session.startUnix, tz)} · ${nameHtml(session.serverName || session.serverId)}</h1>
<p class="muted">${timeIn(session.startUnix, tz)}–${timeIn(session.endUnix, tz)} (${tz}) · ${session.rounds.length} rounds · fighting time ${clock(e.fightingSec)}</p>
<div class="panel"><div class="score"><span><bdi>${e.teams[0]}</bdi></span><span class="points">${e.points[0]} : ${e.points[1]}</span><span><bdi>${e.teams[1]}</bdi></span></div>
${mapStrip(e.maps)}</div>
<h2>Players</h2>
<p class="muted">Ranked by DPM (damage × 60 / own time in play); ${qualificationShort(e.fightingSec)}.</p>
<div class="scroll"><table><thead><tr><th>#</th><th class="name">Player</th><th>DPM</th><th>Damage</th><th>Time</th><th>K</th><th>D</th><th>Rounds</th></tr></thead><tbody>${e.players
      .slice()
      .sort((a, b) => Number(b.qualified) - Number(a.qualified) || (b.dpm ?? -1) - (a.dpm ?? -1))
      .map((p) => {
        const rank = e.ranked.indexOf(p);
        return html`<tr><td>${rank >= 0 ? rank + 1 : '–'}</td><td class="name">${playerLink(p.guid8, p.name)}</td><td>${fixed(p.dpm)}</td><td>${p.damage}</td><td>${clock(p.timeSec)}</td><td>${p.kills}</td><td>${p.deaths}</td><td>${p.rounds}</td></tr>`;
      })}</tbody></table></div>
<h2>Rounds</h2>
<div class="scroll"><table><thead><tr><th class="name">Time</th><th class="name">Map</th><th>Round</th><th class="name">Timing</th><th>Fighting time</th></tr></thead><tbody>${session.rounds.map(
      (r) => {
        const v =
          d.rounds.find((x) => x.fileTimeUnix === r.fileTimeUnix && x.map === r.map && x.round === r.round)?.verdict ??
          null;
        return html`<tr><td class="name">${roundLink(r.roundId, timeIn(r.fileTimeUnix, tz))}</td><td class="name">${r.map}</td><td>${r.round}</td><td class="name">${v ? statusBadge(v.status) : html`<span class="muted">waiting</span>`}</td><td>${clock(v?.fightingTimeSec ?? null)}</td></tr>`;
      },
    )}</tbody></table></div>`,
  );
}
