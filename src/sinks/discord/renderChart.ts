// A bar chart as PNG bytes, drawn server-side with @napi-rs/canvas (Skia, prebuilt in the npm
// package; no browser). Pure: the same bars give the same bytes. Labels are plain text on a canvas,
// so no markdown or mention can arise; control bytes are still removed. The fonts are bundled
// (fonts/chartFonts.ts: Noto Sans, Noto Sans SC/JP/KR from npm packages), so names in Greek,
// Cyrillic, Chinese, Japanese or Korean draw as letters, not boxes, whatever fonts the host has.
import { createCanvas } from '@napi-rs/canvas';
import { chartFont } from './fonts/chartFonts.ts';
import { plainText } from './inertText.ts';

export type Bar = { label: string; value: number; team: number };

const teamColour: Record<number, string> = { 1: '#c0392b', 2: '#2e86c1' };

/** Horizontal bars, largest first as given; `unit` is printed after each value. */
export function renderBarChart(title: string, bars: Bar[], unit = ''): Uint8Array {
  const width = 720;
  const rowHeight = 30;
  const top = 48;
  const labelWidth = 190;
  const height = top + Math.max(1, bars.length) * rowHeight + 16;
  const canvas = createCanvas(width, height);
  const g = canvas.getContext('2d');
  g.fillStyle = '#2b2d31';
  g.fillRect(0, 0, width, height);
  g.fillStyle = '#f2f3f5';
  const heading = plainText(title, 60);
  g.font = chartFont(18, true, heading);
  g.fillText(heading, 16, 30);
  const max = bars.reduce((m, b) => Math.max(m, b.value), 1);
  const barSpace = width - labelWidth - 90;
  bars.forEach((b, i) => {
    const y = top + i * rowHeight;
    g.fillStyle = '#dbdee1';
    const label = plainText(b.label, 19);
    g.font = chartFont(14, false, label);
    g.fillText(label, 16, y + 19);
    g.fillStyle = teamColour[b.team] ?? '#9b59b6';
    const w = Math.max(2, Math.round((b.value / max) * barSpace));
    g.fillRect(labelWidth, y + 5, w, rowHeight - 10);
    g.fillStyle = '#f2f3f5';
    const value = `${b.value.toFixed(1)}${unit}`;
    g.font = chartFont(14, false, value);
    g.fillText(value, labelWidth + w + 8, y + 19);
  });
  return new Uint8Array(canvas.toBuffer('image/png'));
}

/** Colours of the evening's two logical teams (not Axis/Allies: a team plays both sides), and of no team. */
export const logicalTeamColour = ['#f0a340', '#45a8e6'] as const;
const noTeamColour = '#8e9297';

export type EveningChart = {
  teams: [string, string];
  points: [number, number];
  /** Under the score: date, maps. */
  subtitle: string;
  maps: { map: string; result: string; detail: string; winner: 0 | 1 | null; draw: boolean }[];
  bars: { label: string; value: number; team: 0 | 1 | null }[];
  /** Under the bars: the ranking rule. */
  note: string;
};

type Ctx = ReturnType<ReturnType<typeof createCanvas>['getContext']>;

/** `text` cut with an ellipsis to fit `max` pixels in the current font. */
function fitWidth(g: Ctx, text: string, max: number): string {
  if (g.measureText(text).width <= max) return text;
  const cs = Array.from(text);
  while (cs.length > 1 && g.measureText(`${cs.join('')}…`).width > max) cs.pop();
  return `${cs.join('')}…`;
}

/** Sets the font for drawing (and measuring) `text`; returns the text. */
function useFont(g: Ctx, px: number, bold: boolean, text: string): string {
  g.font = chartFont(px, bold, text);
  return text;
}

/**
 * The evening at a glance, for a phone (800 px wide, large type): the score by logical team, a tile
 * per map (result, time, winner in the winner's colour), then the DPM ranking with bars in team colours.
 */
export function renderEveningChart(c: EveningChart): Uint8Array {
  const width = 800;
  const pad = 28;
  const cols = 2;
  const gap = 14;
  const tileW = (width - pad * 2 - gap * (cols - 1)) / cols;
  const tileH = 112;
  const rowH = 50;
  const mapRows = Math.ceil(c.maps.length / cols);
  const scoreH = 124;
  const mapsH = c.maps.length === 0 ? 0 : 48 + mapRows * (tileH + gap);
  const barsH = c.bars.length === 0 ? 0 : 48 + 40 + c.bars.length * rowH;
  const height = pad + scoreH + mapsH + barsH + 56;
  const canvas = createCanvas(width, height);
  const g = canvas.getContext('2d');
  g.fillStyle = '#2b2d31';
  g.fillRect(0, 0, width, height);
  const colourOf = (team: 0 | 1 | null) => (team === null ? noTeamColour : logicalTeamColour[team]);

  // The score: "Team A  4 – 2  Team B", names in their colours, shrunk to fit one line (cut only
  // when even the smallest size does not fit).
  const score = ` ${c.points[0]} – ${c.points[1]} `;
  const room = width - pad * 2;
  let size = 40;
  let [a, b] = c.teams.map((t) => plainText(t, 40)) as [string, string];
  const line = `${a}${score}${b}`;
  useFont(g, size, true, line);
  while (size > 26 && g.measureText(line).width > room) {
    size -= 2;
    useFont(g, size, true, line);
  }
  if (g.measureText(`${a}${score}${b}`).width > room) {
    const half = (room - g.measureText(score).width) / 2;
    a = fitWidth(g, a, half);
    b = fitWidth(g, b, half);
  }
  let x = (width - g.measureText(`${a}${score}${b}`).width) / 2;
  const y0 = pad + 46;
  for (const [text, colour] of [
    [a, logicalTeamColour[0]],
    [score, '#f2f3f5'],
    [b, logicalTeamColour[1]],
  ] as const) {
    g.fillStyle = colour;
    g.fillText(text, x, y0);
    x += g.measureText(text).width;
  }
  g.fillStyle = '#b5bac1';
  const sub = fitWidth(g, useFont(g, 22, false, plainText(c.subtitle, 80)), width - pad * 2);
  g.fillText(sub, (width - g.measureText(sub).width) / 2, y0 + 44);

  let y = pad + scoreH;
  if (c.maps.length > 0) {
    g.fillStyle = '#f2f3f5';
    g.fillText(useFont(g, 24, true, 'Maps'), pad, y + 28);
    y += 48;
    c.maps.forEach((m, i) => {
      const tx = pad + (i % cols) * (tileW + gap);
      const ty = y + Math.floor(i / cols) * (tileH + gap);
      g.fillStyle = '#383a40';
      g.fillRect(tx, ty, tileW, tileH);
      // The winner's colour as a strip on the left; a draw shows both, no result grey.
      if (m.draw) {
        g.fillStyle = logicalTeamColour[0];
        g.fillRect(tx, ty, 12, tileH / 2);
        g.fillStyle = logicalTeamColour[1];
        g.fillRect(tx, ty + tileH / 2, 12, tileH / 2);
      } else {
        g.fillStyle = colourOf(m.winner);
        g.fillRect(tx, ty, 12, tileH);
      }
      const inner = tileW - 12 - 28;
      g.fillStyle = '#f2f3f5';
      g.fillText(fitWidth(g, useFont(g, 26, true, plainText(m.map, 40)), inner), tx + 26, ty + 36);
      g.fillStyle = '#dbdee1';
      g.fillText(fitWidth(g, useFont(g, 24, false, plainText(m.result, 40)), inner), tx + 26, ty + 68);
      g.fillStyle = m.draw || m.winner === null ? '#b5bac1' : colourOf(m.winner);
      g.fillText(fitWidth(g, useFont(g, 22, true, plainText(m.detail, 40)), inner), tx + 26, ty + 98);
    });
    y += mapRows * (tileH + gap);
  }

  if (c.bars.length > 0) {
    g.fillStyle = '#f2f3f5';
    g.fillText(useFont(g, 24, true, 'DPM on own time in play'), pad, y + 28);
    y += 48;
    // Legend: the two team colours.
    let lx = pad;
    c.teams.forEach((t, i) => {
      g.fillStyle = logicalTeamColour[i as 0 | 1];
      g.fillRect(lx, y + 6, 20, 20);
      g.fillStyle = '#dbdee1';
      const label = fitWidth(g, useFont(g, 20, false, plainText(t, 30)), (width - pad * 2) / 2 - 40);
      g.fillText(label, lx + 28, y + 24);
      lx += 28 + g.measureText(label).width + 32;
    });
    y += 40;
    const labelW = 250;
    const valueW = 92;
    const barSpace = width - pad * 2 - labelW - valueW;
    const max = c.bars.reduce((m, bar) => Math.max(m, bar.value), 1);
    c.bars.forEach((bar, i) => {
      const by = y + i * rowH;
      g.fillStyle = '#f2f3f5';
      g.fillText(fitWidth(g, useFont(g, 24, false, plainText(bar.label, 24)), labelW - 12), pad, by + 33);
      const w = Math.max(3, Math.round((bar.value / max) * barSpace));
      g.fillStyle = colourOf(bar.team);
      g.fillRect(pad + labelW, by + 8, w, rowH - 14);
      g.fillStyle = '#f2f3f5';
      g.fillText(useFont(g, 24, true, bar.value.toFixed(0)), pad + labelW + w + 10, by + 33);
    });
    y += c.bars.length * rowH;
  }
  g.fillStyle = '#a5abb3';
  g.fillText(fitWidth(g, useFont(g, 20, false, plainText(c.note, 120)), width - pad * 2), pad, y + 34);
  return new Uint8Array(canvas.toBuffer('image/png'));
}
