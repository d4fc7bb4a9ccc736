// The leaderboard: the slash command's metrics and rules (src/sinks/discord/statsQueries.ts), so
// the page and /leaderboard in Discord never disagree.
import { type Metric, metricRule } from '../../sinks/discord/statsQueries.ts';
import { fixed } from '../format.ts';
import { html } from '../html.ts';
import { page } from '../layout.ts';
import { type Period, periodForm } from './period.ts';
import { playerLink } from './pieces.ts';

export const metrics: Record<Metric, { label: string; digits: number }> = {
  dpm: { label: 'DPM', digits: 0 },
  kills: { label: 'Kills', digits: 0 },
  kd: { label: 'K/D', digits: 2 },
  accuracy: { label: 'Accuracy %', digits: 1 },
  revives: { label: 'Revives', digits: 0 },
};

export const isMetric = (m: string): m is Metric => Object.hasOwn(metrics, m);

export function leaderboardPage(
  metric: Metric,
  period: Period,
  rows: readonly { guid8: string; name: string; value: number; rounds: number }[],
): string {
  const m = metrics[metric];
  const metricSelect = html`<label>Metric <select name="metric">${(Object.keys(metrics) as Metric[]).map(
    (k) => html`<option value="${k}"${k === metric ? html` selected` : ''}>${metrics[k].label}</option>`,
  )}</select></label>`;
  return page(
    { title: `Leaderboard · ${m.label}`, active: 'leaderboard' },
    html`<h1>Leaderboard · ${m.label} <span class="muted">· ${period.label}</span></h1>
${periodForm('/leaderboard', period, metricSelect)}
<p class="muted">${metricRule[metric]}</p>
${
  rows.length === 0
    ? html`<p class="muted">Nobody qualifies in this period.</p>`
    : html`<div class="scroll"><table><thead><tr><th>#</th><th class="name">Player</th><th>${m.label}</th><th>Rounds</th></tr></thead><tbody>${rows.map(
        (r, i) =>
          html`<tr><td>${i + 1}</td><td class="name">${playerLink(r.guid8, r.name)}</td><td>${fixed(r.value, m.digits)}</td><td>${r.rounds}</td></tr>`,
      )}</tbody></table></div>`
}`,
  );
}
