// The period a page covers: `7d`, `30d`, `12w`, `all`, or a start date; anything else is a 400.
import { parseSince } from '../../sinks/discord/statsQueries.ts';
import { html, type SafeHtml } from '../html.ts';

export type Period = { text: string; sinceUnix: number; label: string };

const shape = /^(all|\d{1,4}[hdw]|\d{4}-\d{2}-\d{2})$/;

/** The period of a query parameter, or an error message for a 400. */
export function parsePeriod(text: string | undefined, nowMs: number, fallback = 'all'): Period | { error: string } {
  const t = (text ?? fallback).trim();
  let since = shape.test(t) ? parseSince(t, nowMs) : null;
  // Date.parse rolls 2026-02-31 over to 3 March: a date must read back as itself.
  if (since !== null && t.includes('-') && new Date(since * 1000).toISOString().slice(0, 10) !== t) since = null;
  if (since === null)
    return {
      error: `period must be all, a number of hours, days or weeks (24h, 30d, 12w) or a date (2026-08-01); got ${JSON.stringify(t.slice(0, 40))}`,
    };
  const label = t === 'all' ? 'all time' : /^\d/.test(t) && t.includes('-') ? `since ${t}` : `last ${t}`;
  return { text: t, sinceUnix: since, label };
}

export function periodForm(action: string, period: Period, extra: SafeHtml | '' = ''): SafeHtml {
  const options = ['7d', '30d', '90d', '365d', 'all'];
  return html`<form class="filters" method="get" action="${action}">${extra}<label>Period <select name="period">${options.map(
    (o) =>
      html`<option value="${o}"${o === period.text ? html` selected` : ''}>${o === 'all' ? 'all time' : `last ${o}`}</option>`,
  )}${options.includes(period.text) ? '' : html`<option value="${period.text}" selected>${period.label}</option>`}</select></label><button type="submit">Show</button></form>`;
}
