// A player (`/players/:guid8`): totals over a period, the per-map record, and DPM per evening over
// time as a chart. Rates divide sums (damage × 60 / corrected time), as everywhere else.
import { clock } from '../../sinks/discord/renderFormat.ts';
import { accuracyOf, dpmOf, kdOf } from '../../sinks/discord/statsQueries.ts';
import { lineChart } from '../charts.ts';
import { dateIn, fixed } from '../format.ts';
import { html, isolated, nameHtml, trusted } from '../html.ts';
import { page } from '../layout.ts';
import type { DpmPoint, MapRecordRow, PlayerIdentity, Totals } from '../playerQueries.ts';
import { type Period, periodForm } from './period.ts';

export function playerPage(
  who: PlayerIdentity,
  period: Period,
  totals: Totals,
  maps: readonly MapRecordRow[],
  points: readonly DpmPoint[],
): string {
  const chartPoints = points
    .filter((p) => p.seconds > 0)
    .map((p) => ({ x: p.dayUnix, y: (p.damage * 60) / p.seconds, label: dateIn(p.dayUnix, 'UTC') }));
  return page(
    { title: isolated(who.name), active: 'players' },
    html`<h1>${nameHtml(who.name)} <span class="muted">${who.guid8}</span></h1>
${who.names.length > 1 ? html`<p class="muted">Also played as ${who.names.slice(1).map((n, i) => html`${i > 0 ? ', ' : ''}${nameHtml(n)}`)}</p>` : ''}
${periodForm(`/players/${encodeURIComponent(who.guid8)}`, period)}
<div class="panel"><h2>Totals · ${period.label}</h2>
<dl class="facts" data-testid="totals">
<dt>Rounds</dt><dd data-field="rounds">${totals.rounds}</dd>
<dt>DPM</dt><dd data-field="dpm">${fixed(dpmOf(totals))}</dd>
<dt>Damage</dt><dd data-field="damage">${totals.damage}</dd>
<dt>Time in play</dt><dd data-field="time">${clock(totals.correctedSec)}</dd>
<dt>Kills / deaths</dt><dd data-field="kd">${totals.kills} / ${totals.deaths} (${fixed(kdOf(totals), 2)})</dd>
<dt>Accuracy</dt><dd data-field="accuracy">${fixed(accuracyOf(totals), 1)} %</dd>
<dt>Headshots</dt><dd>${totals.headshots}</dd>
<dt>Revives</dt><dd>${totals.revives}</dd>
</dl></div>
<h2>DPM per day <span class="muted">(UTC days)</span></h2>
${trusted(lineChart(chartPoints, { title: `${isolated(who.name)}: DPM per day`, yLabel: 'DPM', formatY: (y) => y.toFixed(0) }))}
<h2>Maps</h2>
${
  maps.length === 0
    ? html`<p class="muted">No stopwatch map with a result in this period.</p>`
    : html`<div class="scroll"><table><thead><tr><th class="name">Map</th><th>Played</th><th>Won</th><th>Drawn</th><th>Lost</th></tr></thead><tbody>${maps.map(
        (m) =>
          html`<tr><td class="name">${m.map}</td><td>${m.maps}</td><td>${m.won}</td><td>${m.drawn}</td><td>${m.lost}</td></tr>`,
      )}</tbody></table></div>`
}`,
  );
}
