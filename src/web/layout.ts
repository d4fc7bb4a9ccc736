// The page shell: one stylesheet from our own origin, one inline script allowed by its hash, and a
// Content-Security-Policy that allows nothing else (no other script, no inline style, no frames, no
// form posts elsewhere). Every page works without the script; the script only keeps Tonight live.
import { createHash } from 'node:crypto';
import { html, type SafeHtml, trusted } from './html.ts';

/**
 * Tonight's live updates: an EventSource on /live replaces a server's section with the fragment the
 * server rendered (already escaped there), and keeps "… min ago" current. The browser reconnects by
 * itself and sends Last-Event-ID, so a dropped connection resumes where it was.
 */
export const liveScript = `(() => {
  const root = document.getElementById('servers');
  const status = document.getElementById('live-status');
  if (!root || !status || !window.EventSource) return;
  const since = root.getAttribute('data-since') || '';
  const source = new EventSource('/live' + (since ? '?since=' + encodeURIComponent(since) : ''));
  source.addEventListener('open', () => { status.textContent = 'live'; status.className = 'live on'; });
  source.addEventListener('error', () => { status.textContent = 'reconnecting…'; status.className = 'live off'; });
  source.addEventListener('tonight', (e) => {
    const data = JSON.parse(e.data);
    const fresh = document.createElement('div');
    fresh.innerHTML = data.html;
    const section = fresh.firstElementChild;
    if (!section) return;
    const old = document.getElementById(section.id);
    if (old) old.replaceWith(section); else root.appendChild(section);
    const empty = document.getElementById('no-rounds');
    if (empty) empty.remove();
    document.body.setAttribute('data-updates', String(Number(document.body.getAttribute('data-updates') || '0') + 1));
  });
  const tick = () => {
    const now = Date.now() / 1000;
    for (const el of document.querySelectorAll('[data-ago]')) {
      const s = Math.max(0, now - Number(el.getAttribute('data-ago')));
      el.textContent = s < 90 ? 'just now' : s < 5400 ? Math.round(s / 60) + ' min ago' : s < 172800 ? Math.round(s / 3600) + ' h ago' : Math.round(s / 86400) + ' days ago';
    }
  };
  setInterval(tick, 30000);
})();`;

const scriptHash = createHash('sha256').update(liveScript).digest('base64');

export const contentSecurityPolicy = [
  "default-src 'none'",
  `script-src 'sha256-${scriptHash}'`,
  "style-src 'self'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');

export type PageOptions = {
  title: string;
  active?: 'tonight' | 'sessions' | 'leaderboard' | 'players';
  live?: boolean;
};

export function page(options: PageOptions, body: SafeHtml): string {
  const nav = (key: NonNullable<PageOptions['active']>, href: string, label: string) =>
    html`<a href="${href}"${options.active === key ? trusted(' aria-current="page"') : ''}>${label}</a>`;
  return html`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${options.title} · et-ledger</title>
<link rel="stylesheet" href="/assets/site.css">
</head>
<body>
<header class="top"><a class="brand" href="/">et-ledger</a><nav>${nav('tonight', '/', 'Tonight')}${nav('sessions', '/sessions', 'Sessions')}${nav('leaderboard', '/leaderboard', 'Leaderboard')}</nav></header>
<main>${body}</main>
${options.live ? trusted(`<script>${liveScript}</script>`) : ''}
</body>
</html>`.text;
}
