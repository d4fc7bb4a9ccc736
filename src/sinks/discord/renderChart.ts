// A bar chart as PNG bytes, drawn server-side with @napi-rs/canvas (Skia, prebuilt in the npm
// package; no browser). Pure: the same bars give the same bytes. Labels are plain text on a canvas,
// so no markdown or mention can arise; control bytes are still removed.
import { createCanvas } from '@napi-rs/canvas';
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
  g.font = 'bold 18px "DejaVu Sans", sans-serif';
  g.fillText(plainText(title, 60), 16, 30);
  const max = Math.max(1, ...bars.map((b) => b.value));
  const barSpace = width - labelWidth - 90;
  g.font = '14px "DejaVu Sans", sans-serif';
  bars.forEach((b, i) => {
    const y = top + i * rowHeight;
    g.fillStyle = '#dbdee1';
    g.fillText(plainText(b.label, 19), 16, y + 19);
    g.fillStyle = teamColour[b.team] ?? '#9b59b6';
    const w = Math.max(2, Math.round((b.value / max) * barSpace));
    g.fillRect(labelWidth, y + 5, w, rowHeight - 10);
    g.fillStyle = '#f2f3f5';
    g.fillText(`${b.value.toFixed(1)}${unit}`, labelWidth + w + 8, y + 19);
  });
  return new Uint8Array(canvas.toBuffer('image/png'));
}
