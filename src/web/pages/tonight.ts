// Tonight (`/`): the current evening of each server (a session by the gap rule, never a calendar
// day): the score by logical team, the maps, and the last round with its players and timing.
import { ago, dateIn, isoOf, timeIn } from '../format.ts';
import { href, html, nameHtml, type SafeHtml } from '../html.ts';
import { page } from '../layout.ts';
import type { RoundDetail, SessionDetail, SessionRef } from '../webQueries.ts';
import { flagList, mapStrip, playerTable, roundLink, verdictLine } from './pieces.ts';

export type ServerTonight = { session: SessionRef; detail: SessionDetail; last: RoundDetail | null };

/** The `id` of a server's section: the live script swaps sections by it. */
export const sectionId = (serverId: string) => `server-${Buffer.from(serverId).toString('hex')}`;

/** One server's evening; `nowUnix` decides between "tonight" and an older evening. */
export function serverSection(t: ServerTonight, nowUnix: number, gapSec: number): SafeHtml {
  const { session, detail, last } = t;
  const live = nowUnix - session.endUnix <= gapSec;
  const [teamA, teamB] = detail.evening.teams;
  const [pointsA, pointsB] = detail.evening.points;
  const lastRound = last?.round;
  return html`<section class="server" id="${sectionId(session.serverId)}" data-server="${session.serverId}">
<h2>${nameHtml(session.serverName || session.serverId)} <span class="muted">· ${live ? 'tonight' : `last evening, ${dateIn(session.startUnix, session.tz)}`} · from ${timeIn(session.startUnix, session.tz)} (${session.tz})</span></h2>
<div class="score"><span><bdi>${teamA}</bdi></span><span class="points">${pointsA} : ${pointsB}</span><span><bdi>${teamB}</bdi></span></div>
${mapStrip(detail.evening.maps)}
<p class="waiting">${session.rounds.length} rounds · last round <time datetime="${isoOf(session.endUnix)}">${timeIn(session.endUnix, session.tz)}</time>, <span data-ago="${session.endUnix}">${ago(session.endUnix, nowUnix)}</span>${live ? ' · waiting for the next round' : ''} · <a href="${href('sessions', session.serverId, session.startUnix)}">the whole session</a></p>
${
  last && lastRound
    ? html`<h3>Last round: ${roundLink(lastRound.roundId, html`${lastRound.map} R${lastRound.round}`)}</h3>
<p>${verdictLine(last.verdict)}</p>${flagList([...lastRound.flags, ...(last.verdict?.flags ?? [])])}
${playerTable(last.players, last.verdict)}`
    : ''
}
</section>`;
}

export function tonightPage(servers: readonly ServerTonight[], nowUnix: number, gapSec: number, since: string): string {
  return page(
    { title: 'Tonight', active: 'tonight', live: true },
    html`<h1>Tonight <span id="live-status" class="live off">not live</span></h1>
<div id="servers" data-since="${since}">${
      servers.length === 0
        ? html`<p id="no-rounds" class="muted">No rounds yet: waiting for the first stats file.</p>`
        : servers.map((s) => serverSection(s, nowUnix, gapSec))
    }</div>`,
  );
}
