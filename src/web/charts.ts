// Server-rendered inline SVG charts for the HTML pages: no JavaScript, no canvas, and nothing the page CSP
// forbids (no style attribute or element, no script, no event handlers, no href). Labels come from game
// servers and are hostile, so every text passes through svgText; every attribute is built from numbers or
// constants except aria-label, which is escaped the same way.

export type ChartPoint = { x: number; y: number; label: string };
export type ChartBar = { label: string; value: number; note?: string };

// A narrow viewBox: with width="100%" on a 390 px phone the 12-unit text stays about 12 px tall.
const W = 400;
// Rough advance of one character per unit of font size, to size columns and clip labels without a font.
const CHAR = 0.6;
const FONT = 'font-family="sans-serif"';
const INK = '#2563eb';
const AXIS = 'class="chart-axis" stroke="#9ca3af" stroke-width="1"';

// C0 and C1 controls (the brief keeps none, not even tab or newline), plus what XML 1.0 cannot carry at all:
// lone surrogates (with the u flag a paired surrogate is one code point and does not match) and U+FFFE/FFFF;
// and the bidi embeddings, overrides and isolates, which SVG text cannot contain to one label.
const DROP = /[\u0000-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069\ud800-\udfff\ufffe\uffff]/gu;
const ENTITY: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

const clean = (text: string): string => String(text).replace(DROP, '');
const escapeXml = (text: string): string => text.replace(/[&<>"']/g, (c) => ENTITY[c]!);

/** The escaping used above, exported for tests and reuse: XML-escape and drop control characters. */
export function svgText(text: string): string {
  return escapeXml(clean(text));
}

/** Cleaned length in code points, so a column is sized by what will be drawn. */
const width = (text: string): number => Array.from(clean(text)).length;

/** Truncates by code points before escaping, so neither a surrogate pair nor an entity is ever cut in half. */
function clip(text: string, max: number): string {
  const chars = Array.from(clean(text));
  return escapeXml(chars.length > max ? `${chars.slice(0, Math.max(1, max - 1)).join('')}…` : chars.join(''));
}

/** One decimal, never "-0", and never NaN or Infinity (a span of ±1e308 overflows), so the markup stays valid. */
const n = (v: number): string => {
  const r = Math.round(v * 10) / 10;
  return Number.isFinite(r) ? String(r || 0) : '0';
};

// A fixed default rather than toLocaleString: the host's locale must not change the output.
const plain = (v: number): string => String(Math.round(v * 100) / 100);

function svg(height: number, title: string, label: string, body: string[]): string {
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${W} ${n(height)}" width="100%" role="img" aria-label="${svgText(label)}">`,
    `<title>${svgText(title)}</title>`,
    ...body,
    '</svg>',
  ].join('');
}

function text(x: number, y: number, anchor: 'start' | 'middle' | 'end', content: string, size = 12): string {
  return `<text class="chart-label" x="${n(x)}" y="${n(y)}" text-anchor="${anchor}" font-size="${size}" ${FONT} fill="currentColor">${content}</text>`;
}

function noData(title: string): string {
  return svg(48, title, `${title}: no data`, [text(W / 2, 29, 'middle', 'no data')]);
}

/** A line chart of y over x (x e.g. unix seconds), with dots, min/max y gridlines labelled, first and last x labelled with their `label`. Empty or all-invalid points → a small SVG saying "no data". */
export function lineChart(
  points: readonly ChartPoint[],
  options: { title: string; yLabel: string; formatY?: (y: number) => string },
): string {
  const fmt = options.formatY ?? plain;
  // Stable sort, so points sharing an x keep the caller's order and the path reads left to right.
  const ps = points.filter((p) => Number.isFinite(p.x) && Number.isFinite(p.y)).sort((a, b) => a.x - b.x);
  const first = ps[0];
  const last = ps[ps.length - 1];
  if (!first || !last) return noData(options.title);

  // A loop, not Math.min(...ys): spreading a long series overflows the call stack.
  let [minY, maxY] = [first.y, first.y];
  for (const p of ps) [minY, maxY] = [Math.min(minY, p.y), Math.max(maxY, p.y)];
  const [minX, maxX] = [first.x, last.x];
  const [lowText, highText] = [fmt(minY), fmt(maxY)];
  const H = 200;
  // The left margin follows the longer y label (capped), so "1,234,567" is not cut off at the edge.
  const left = Math.min(120, Math.max(32, Math.max(width(lowText), width(highText)) * CHAR * 11 + 8));
  const [right, top, bottom] = [W - 12, 28, H - 26];
  // A flat series or a single x would divide by zero: draw it across the middle instead.
  const px = (x: number) => (maxX === minX ? (left + right) / 2 : left + ((x - minX) / (maxX - minX)) * (right - left));
  const py = (y: number) =>
    maxY === minY ? (top + bottom) / 2 : bottom - ((y - minY) / (maxY - minY)) * (bottom - top);

  const body = [text(4, 14, 'start', clip(options.yLabel, 60))];
  const grid = maxY === minY ? [[minY, lowText] as const] : [[maxY, highText] as const, [minY, lowText] as const];
  for (const [y, label] of grid) {
    body.push(`<line ${AXIS} x1="${n(left)}" x2="${n(right)}" y1="${n(py(y))}" y2="${n(py(y))}"/>`);
    body.push(text(left - 4, py(y) + 4, 'end', clip(label, 16), 11));
  }
  const path = ps.map((p, i) => `${i ? 'L' : 'M'}${n(px(p.x))} ${n(py(p.y))}`).join(' ');
  body.push(`<path class="chart-line" d="${path}" fill="none" stroke="${INK}" stroke-width="2"/>`);
  for (const p of ps)
    body.push(`<circle class="chart-dot" cx="${n(px(p.x))}" cy="${n(py(p.y))}" r="3" fill="${INK}"/>`);
  // Anchored inwards so neither end label runs off the viewBox; each gets at most half the plot width.
  const room = Math.floor((right - left) / 2 / (CHAR * 11)) - 1;
  if (maxX === minX) body.push(text(px(minX), H - 8, 'middle', clip(first.label, room * 2), 11));
  else {
    body.push(text(left, H - 8, 'start', clip(first.label, room), 11));
    body.push(text(right, H - 8, 'end', clip(last.label, room), 11));
  }
  // role="img" hides the drawn text from screen readers, so the label carries the gist of the chart.
  const summary = `${options.title}: ${options.yLabel} from ${lowText} to ${highText}, ${first.label} to ${last.label}`;
  return svg(H, options.title, summary, body);
}

/** Horizontal bars, one row per item (label left, bar, value right formatted by formatValue, optional note). Bars scale to the max value; zero/negative values draw no bar but keep the row. */
export function barChart(
  bars: readonly ChartBar[],
  options: { title: string; formatValue?: (v: number) => string },
): string {
  const fmt = options.formatValue ?? plain;
  const rows = bars.filter((b) => Number.isFinite(b.value)).map((b) => ({ ...b, shown: fmt(b.value) }));
  if (rows.length === 0) return noData(options.title);

  const max = Math.max(0, ...rows.map((r) => r.value));
  const hasNote = rows.some((r) => r.note !== undefined && clean(r.note) !== '');
  const rowH = hasNote ? 38 : 24;
  const px = CHAR * 12;
  // Columns sized to the longest label and value (capped, longer ones are clipped), the bar takes the rest.
  const labelW = Math.min(16, Math.max(3, ...rows.map((r) => width(r.label)))) * px + 8;
  const valueW = Math.min(12, Math.max(1, ...rows.map((r) => width(r.shown)))) * px + 8;
  const x0 = 8 + labelW;
  const barMax = W - 8 - valueW - x0;
  const H = 16 + rows.length * rowH;

  const body = [`<line ${AXIS} x1="${n(x0)}" x2="${n(x0)}" y1="6" y2="${n(H - 6)}"/>`];
  rows.forEach((r, i) => {
    const y = 8 + i * rowH;
    body.push(text(8, y + 16, 'start', clip(r.label, 16)));
    if (r.value > 0) {
      const w = (r.value / max) * barMax;
      body.push(`<rect class="chart-bar" x="${n(x0)}" y="${n(y + 4)}" width="${n(w)}" height="16" fill="${INK}"/>`);
    }
    body.push(text(W - 8, y + 16, 'end', clip(r.shown, 12)));
    if (r.note) body.push(text(x0 + 4, y + 33, 'start', clip(r.note, Math.floor((W - 12 - x0) / 6)), 10));
  });
  const summary = `${options.title}: ${rows.map((r) => `${r.label} ${r.shown}${r.note ? ` (${r.note})` : ''}`).join(', ')}`;
  return svg(H, options.title, summary, body);
}
