// Pieces several pages show the same way: a map strip, a round's player table, a verdict's status.
import type { Verdict } from '../../events/index.ts';
import {
  clock,
  fightingTimeText,
  mapResultWords,
  mapUnknownWhy,
  outcomeWords,
  teamName,
} from '../../sinks/discord/renderFormat.ts';
import { flagText, statusText } from '../../sinks/discord/renderTimingCheck.ts';
import type { MapExportRow } from '../../stopwatch/mapRows.ts';
import { fixed } from '../format.ts';
import { href, html, nameHtml, type SafeHtml } from '../html.ts';
import type { PlayerLine } from '../webQueries.ts';

export const roundLink = (roundId: string, label: SafeHtml | string) =>
  html`<a href="${href('rounds', roundId)}">${label}</a>`;

export const playerLink = (guid8: string, name: string) =>
  guid8 === '' ? nameHtml(name) : html`<a href="${href('players', guid8)}">${nameHtml(name)}</a>`;

/** The evening's maps, each with its result and the time of each half. */
export function mapStrip(maps: readonly MapExportRow[]): SafeHtml {
  if (maps.length === 0) return html`<p class="muted">No map finished yet.</p>`;
  return html`<ol class="maps">${maps.map((m) => {
    const why = m.result === 'unknown' ? mapUnknownWhy(m.flags, true) : '';
    const halves = [
      m.r1RoundId ? roundLink(m.r1RoundId, `R1 ${clock(m.timeSetSec)}`) : null,
      m.r2RoundId ? roundLink(m.r2RoundId, `R2 ${clock(m.r2TimeSec)}`) : null,
    ].filter((x) => x !== null);
    return html`<li><strong>${m.map}</strong> <span class="result">${mapResultWords(m)}${why ? ` (${why})` : ''}${m.winnerTeam ? html` · <bdi>${m.winnerTeam}</bdi> +${m.result === 'draw' ? 1 : 2}` : ''}</span><span class="result">${halves.map((h, i) => html`${i > 0 ? ' · ' : ''}${h}`)}</span></li>`;
  })}</ol>`;
}

export const statusBadge = (status: string) => html`<span class="status status-${status}">${status}</span>`;

/** Status, fighting time, surrender and the timing difference of a verdict, in one line. */
export function verdictLine(v: Verdict | null): SafeHtml {
  if (!v) return html`<span class="muted">waiting for its timing check</span>`;
  const diff = v.diffSec === null ? '' : ` · stats vs Lua ${v.diffSec > 0 ? '+' : ''}${fixed(v.diffSec, 0)} s`;
  return html`${statusBadge(v.status)} · fighting time ${fightingTimeText(v)} · ${v.winner === 0 ? 'winner unknown' : `${teamName(v.winner)} won`} (${outcomeWords(v)})${diff}`;
}

export function flagList(flags: readonly string[]): SafeHtml {
  if (flags.length === 0) return html``;
  return html`<ul class="flags">${flags.map(
    (f) => html`<li title="${(flagText as Record<string, string>)[f] ?? f}">${f}</li>`,
  )}</ul>`;
}

export const statusMeaning = (status: string): string =>
  (statusText as Record<string, { meaning: string }>)[status]?.meaning ?? '';

/** Both teams' lines of a round; DPM on the verdict's corrected time where it has one. */
export function playerTable(players: readonly PlayerLine[], verdict: Verdict | null, weapons = false): SafeHtml {
  const corrected = new Map((verdict?.players ?? []).map((p) => [`${p.guid8}\0${p.name}`, p]));
  const teams = [1, 2, 3].map((t) => ({
    team: t,
    rows: players.filter((p) => (t === 3 ? p.team !== 1 && p.team !== 2 : p.team === t)),
  }));
  return html`${teams
    .filter((t) => t.rows.length > 0)
    .map(
      (t) => html`<h3>${t.team === 3 ? 'Spectators' : teamName(t.team)}</h3><div class="scroll"><table>
<thead><tr><th class="name">Player</th><th>K</th><th>D</th><th>Dmg</th><th>Recv</th><th>Time</th><th>DPM</th><th>Acc %</th><th>HS</th><th>Rev</th><th>Gibs</th></tr></thead>
<tbody>${t.rows.map((p) => {
        const c = corrected.get(`${p.guid8}\0${p.name}`);
        const time = c?.correctedTimeSec ?? p.timePlayedSec;
        const dpm = c?.correctedDpm ?? (p.timePlayedSec > 0 ? (p.damageGiven * 60) / p.timePlayedSec : null);
        return html`<tr class="team-${p.team}"><td class="name">${playerLink(p.guid8, p.name)}</td><td>${p.kills}</td><td>${p.deaths}</td><td>${p.damageGiven}</td><td>${p.damageReceived}</td><td>${clock(time)}</td><td>${fixed(dpm)}</td><td>${fixed(p.accuracy, 1)}</td><td>${p.headshots}</td><td>${p.revivesGiven}</td><td>${p.gibs}</td></tr>${
          weapons && p.weapons.length > 0
            ? html`<tr class="team-${p.team}"><td colspan="11"><details class="weapons"><summary>weapons</summary><div class="scroll"><table><thead><tr><th class="name">Weapon</th><th>Hits</th><th>Shots</th><th>Kills</th><th>Deaths</th><th>HS</th></tr></thead><tbody>${p.weapons.map(
                (w) =>
                  html`<tr><td class="name">${w.weapon}</td><td>${w.hits}</td><td>${w.shots}</td><td>${w.kills}</td><td>${w.deaths}</td><td>${w.headshots}</td></tr>`,
              )}</tbody></table></div></details></td></tr>`
            : ''
        }`;
      })}</tbody></table></div>`,
    )}`;
}
