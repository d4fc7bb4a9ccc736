// A round (`/rounds/:id`): both teams' lines with weapons, the timing check with its flags, and the
// verdict history in words ("corrected at 21:44 by a late Lua report").
import type { Verdict } from '../../events/index.ts';
import { clock, teamName } from '../../sinks/discord/renderFormat.ts';
import { dateIn, fixed, timeIn } from '../format.ts';
import { href, html, nameHtml, type SafeHtml } from '../html.ts';
import { page } from '../layout.ts';
import type { HistoryEntry, RoundDetail } from '../webQueries.ts';
import { flagList, playerTable, roundLink, statusBadge, statusMeaning, verdictLine } from './pieces.ts';

/** Why a verdict replaced the one before it, from what differs between them. */
export function changeReason(previous: Verdict | null, next: Verdict): string {
  if (!previous) return 'decided';
  if (previous.generation !== next.generation)
    return `re-decided by correlator build ${next.generation} (a rule change)`;
  if (previous.luaReportId === null && next.luaReportId !== null) return 'corrected by a late Lua report';
  if (previous.luaReportId !== null && next.luaReportId === null)
    return 'corrected: its Lua report joined another round';
  if (previous.luaReportId !== next.luaReportId) return 'corrected by another Lua report';
  if (previous.statsFactId !== next.statsFactId) return 'corrected by a revised stats file';
  if (previous.pauseCount !== next.pauseCount || previous.pausedSec !== next.pausedSec)
    return 'corrected by pause records';
  return 're-decided with new facts';
}

export function historyItems(history: readonly HistoryEntry[], tz: string): SafeHtml {
  let previous: Verdict | null = null;
  return html`<ol class="history">${history.map((h) => {
    if (h.kind === 'retraction' || !h.verdict) {
      previous = null;
      return html`<li>${statusBadge('RETRACTED')} retracted (log position ${h.position}): no verdict stands for this round until new facts decide one</li>`;
    }
    const v = h.verdict;
    const at = v.watermarkUnix ? `at ${timeIn(v.watermarkUnix, tz)}` : '';
    const why = changeReason(previous, v);
    previous = v;
    return html`<li>${statusBadge(v.status)} ${why} ${at} · fighting time ${clock(v.fightingTimeSec)}${v.diffSec === null ? '' : ` · diff ${fixed(v.diffSec)} s`} <span class="muted">(log position ${h.position})</span></li>`;
  })}</ol>`;
}

export function roundPage(d: RoundDetail): string {
  const r = d.round;
  const v = d.verdict;
  const when =
    r.fileTimeUnix === null
      ? 'time unknown'
      : `${dateIn(r.fileTimeUnix, r.tz)} ${timeIn(r.fileTimeUnix, r.tz)} (${r.tz})`;
  return page(
    { title: `${r.map} R${r.round}` },
    html`<h1>${r.map} · round ${r.round}</h1>
<p class="muted">${nameHtml(r.serverName || r.serverId)} · ${when} · ${r.fileName}${r.fileTimeUnix !== null ? html` · <a href="${href('sessions', r.serverId)}?around=${r.fileTimeUnix}">its session</a>` : ''}${r.r1RoundId && r.r1RoundId !== r.roundId ? html` · ${roundLink(r.r1RoundId, 'round 1')}` : ''}</p>
<div class="panel"><h2>Timing check</h2>
<p>${verdictLine(v)}</p>
${v ? html`<p class="muted">${statusMeaning(v.status)}</p>` : ''}
<dl class="facts">
<dt>Stats playtime</dt><dd>${clock(v?.statsPlaytimeSec ?? r.statsPlaytimeSec)}</dd>
<dt>Lua playtime</dt><dd>${clock(v?.luaPlaytimeSec ?? null)}</dd>
<dt>Paused</dt><dd>${v?.pauseCount === null || v === null ? '–' : `${v.pauseCount} · ${clock(v.pausedSec)}`}</dd>
<dt>Time limit</dt><dd>${clock(r.timeLimitSec)}</dd>
<dt>Defender / winner</dt><dd>${teamName(r.defender)} / ${teamName(r.winner)}</dd>
</dl>
${flagList([...r.flags, ...(v?.flags ?? [])])}
<h3>Verdict history</h3>
${d.history.length === 0 ? html`<p class="muted">No verdict yet.</p>` : historyItems(d.history, r.tz)}
</div>
<h2>Players</h2>
${d.players.length === 0 ? html`<p class="muted">This round has no player lines.</p>` : playerTable(d.players, v, true)}`,
  );
}
