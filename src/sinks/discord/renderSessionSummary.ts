// The session summary, posted once a session has ended (the sessions view's gap rule, decided by
// the discord-outbox projection): maps and results, top players by corrected DPM, and a chart.
import type { DiscordMessage } from './embedLimits.ts';
import { renderSession } from './renderAnswers.ts';
import { type Bar, renderBarChart } from './renderChart.ts';
import { refFooter } from './renderFormat.ts';
import { dpmOf, type LastSession } from './statsQueries.ts';

export const sessionChartName = 'session-dpm.png';

export function renderSessionSummary(s: LastSession, ref: string): DiscordMessage {
  const base = renderSession(s, 'Session summary');
  const bars: Bar[] = s.top
    .map((t) => ({ label: t.name, value: dpmOf(t.totals) ?? 0, team: 0 }))
    .filter((b) => b.value > 0);
  const embed = { ...base.embeds[0]!, footer: { text: `DPM on fighting time · ${s.serverId} · ${refFooter(ref)}` } };
  if (bars.length === 0) return { ...base, embeds: [embed] };
  return {
    ...base,
    embeds: [{ ...embed, image: { url: `attachment://${sessionChartName}` } }],
    files: [{ name: sessionChartName, data: renderBarChart('DPM on fighting time', bars) }],
  };
}
