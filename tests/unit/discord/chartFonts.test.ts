// The session chart draws names in any of the scripts a server's players use with the fonts that
// ship in npm packages (src/sinks/discord/fonts/chartFonts.ts), not as boxes (tofu). A glyph is
// proved drawn by comparing pixels: a character the fonts lack renders as the same .notdef box as
// a private-use code point that no font has, so every character tested must differ from that
// rendering, and from every other character tested.
import { mkdirSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { createCanvas, loadImage } from '@napi-rs/canvas';
import { describe, expect, it } from 'vitest';
import {
  chartFaces,
  chartFont,
  chartFontProblems,
  familyOrder,
  registeredChartFontFiles,
} from '../../../src/sinks/discord/fonts/chartFonts.ts';
import { type EveningChart, renderEveningChart } from '../../../src/sinks/discord/renderChart.ts';

const artifacts = fileURLToPath(new URL('../../../test-artifacts/discord/', import.meta.url));

/** A code point no font has (private use): what a missing glyph looks like. */
const tofu = '\ue000';

/** `text` drawn white on black at 40 px with the chart's font for `fontFor`, as raw RGBA. */
function pixels(text: string, bold = false, fontFor = text): Uint8ClampedArray {
  const canvas = createCanvas(64, 64);
  const g = canvas.getContext('2d');
  g.fillStyle = '#000';
  g.fillRect(0, 0, 64, 64);
  g.fillStyle = '#fff';
  g.font = chartFont(40, bold, fontFor);
  g.fillText(text, 8, 48);
  return g.getImageData(0, 0, 64, 64).data;
}

const ink = (px: Uint8ClampedArray) => {
  let n = 0;
  for (let i = 0; i < px.length; i += 4) if (px[i]! > 64) n++;
  return n;
};

function differing(a: Uint8ClampedArray, b: Uint8ClampedArray): number {
  expect(a.length).toBe(b.length);
  let n = 0;
  for (let i = 0; i < a.length; i += 4) {
    if (a[i] !== b[i] || a[i + 1] !== b[i + 1] || a[i + 2] !== b[i + 2] || a[i + 3] !== b[i + 3]) n++;
  }
  return n;
}

async function decode(png: Uint8Array): Promise<Uint8ClampedArray> {
  const image = await loadImage(Buffer.from(png));
  const canvas = createCanvas(image.width, image.height);
  const g = canvas.getContext('2d');
  g.drawImage(image, 0, 0);
  return g.getImageData(0, 0, image.width, image.height).data;
}

const cjk = ['日本語テスト', '한국어', '中文名字'];
const others = ['Aé', 'Жя', 'λΩ', 'Ệ'];

describe('chart fonts', () => {
  it('draws every CJK character as a glyph: not the tofu box, and no two alike', () => {
    const chars = [...new Set(cjk.flatMap((name) => Array.from(name)))];
    const drawn = new Map<string, Uint8ClampedArray>();
    for (const ch of chars) {
      for (const bold of [false, true]) {
        const glyph = pixels(ch, bold);
        // The missing-glyph box in exactly the font this character is drawn with.
        const box = pixels(tofu, bold, ch);
        expect(ink(glyph), `${ch} has ink`).toBeGreaterThan(20);
        expect(differing(glyph, box), `${ch} (bold ${bold}) is not tofu`).toBeGreaterThan(20);
        if (!bold) drawn.set(ch, glyph);
      }
      // Bold is drawn bolder (the variable font's weight axis), not the same glyph.
      expect(ink(pixels(ch, true)), `${ch} bold`).toBeGreaterThan(ink(pixels(ch, false)));
    }
    for (const [i, a] of chars.entries()) {
      for (const b of chars.slice(i + 1)) {
        expect(differing(drawn.get(a)!, drawn.get(b)!), `${a} vs ${b}`).toBeGreaterThan(20);
      }
    }
  });

  it('the method sees tofu: two code points no font has render alike', () => {
    expect(differing(pixels('\ue000'), pixels('\ue001'))).toBe(0);
    expect(differing(pixels('\ue000'), pixels('\uf8ff'))).toBe(0);
  });

  it('draws Latin, Cyrillic, Greek and Vietnamese from the bundled Noto Sans', () => {
    for (const text of others) {
      for (const ch of text) {
        expect(differing(pixels(ch), pixels(tofu, false, ch)), `${ch} is not tofu`).toBeGreaterThan(20);
      }
    }
  });

  it('registers slices of all four bundled fonts, and only the slices asked for', () => {
    chartFont(20, false, `${cjk.join(' ')} ${others.join(' ')}`);
    expect(chartFontProblems()).toEqual([]);
    const files = registeredChartFontFiles();
    for (const face of Object.values(chartFaces)) {
      expect(
        files.some((f) => f.includes(`/${face.pkg}/files/`)),
        face.pkg,
      ).toBe(true);
    }
    // A few dozen slices, not the ~350 the four fonts have.
    expect(files.length).toBeLessThan(60);
  });

  it('takes shared Han characters from the font of the text’s language', () => {
    expect(familyOrder('日本語テスト')[1]).toBe('jp');
    expect(familyOrder('한국어 中')[1]).toBe('kr');
    expect(familyOrder('中文名字')[1]).toBe('sc');
    expect(familyOrder('Player')).toEqual(['latin', 'sc', 'jp', 'kr']);
  });
});

describe('the session chart with CJK names', () => {
  const chart = (teams: [string, string], players: string[]): EveningChart => ({
    teams,
    points: [4, 2],
    subtitle: '2026-05-01 · 3 maps',
    maps: [
      { map: 'supply', result: 'beat 12:00 by 2:12', detail: teams[0], winner: 0, draw: false },
      { map: 'goldrush', result: 'held', detail: teams[1], winner: 1, draw: false },
    ],
    bars: players.map((label, i) => ({ label, value: 300 - i * 20, team: (i % 2) as 0 | 1 })),
    note: 'ranked by damage per minute',
  });
  /** Han, kana and hangul: the characters a host without CJK fonts draws as boxes. */
  const cjkChar = /[\u3040-\u30ff\u3400-\u9fff\uac00-\ud7af]/gu;
  /** Every CJK character replaced by a private-use one: what the chart shows if they were tofu. */
  const asTofu = (s: string) => s.replace(cjkChar, () => tofu);

  it('draws the names in the PNG, not boxes', async () => {
    const teams: [string, string] = ['日本語テスト', '한국어'];
    const players = ['中文名字', 'たなか', '김철수', '李小龙', 'Жора', 'λάμδα'];
    const png = renderEveningChart(chart(teams, players));
    mkdirSync(artifacts, { recursive: true });
    writeFileSync(`${artifacts}chart-cjk.png`, png);

    const real = await decode(png);
    const boxes = await decode(
      renderEveningChart(
        chart(
          [asTofu(teams[0]), asTofu(teams[1])],
          players.map((p) => asTofu(p)),
        ),
      ),
    );
    // Were the names tofu, both charts would be the same picture.
    expect(differing(real, boxes)).toBeGreaterThan(1000);

    // And the method would see it: two different missing characters give the same chart.
    const other = (s: string) => s.replace(cjkChar, () => '\ue001');
    const boxes2 = await decode(
      renderEveningChart(
        chart(
          [other(teams[0]), other(teams[1])],
          players.map((p) => other(p)),
        ),
      ),
    );
    expect(differing(boxes, boxes2)).toBe(0);

    // One character changed in one name changes the picture.
    const changed = await decode(renderEveningChart(chart(teams, ['中文名子', ...players.slice(1)])));
    expect(differing(real, changed)).toBeGreaterThan(20);
  });

  it('is still pure: the same chart gives the same bytes', () => {
    const c = chart(['日本語テスト', '한국어'], ['中文名字', 'Жора']);
    expect(Buffer.from(renderEveningChart(c)).equals(Buffer.from(renderEveningChart(c)))).toBe(true);
  });
});
