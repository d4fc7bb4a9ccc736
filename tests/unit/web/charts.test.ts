import { describe, expect, it } from 'vitest';
import { barChart, lineChart, svgText } from '../../../src/web/charts.ts';

type Tag = { name: string; attrs: Record<string, string> };

/**
 * A small well-formedness check in place of DOMParser (not in Node): tags balance, attributes are
 * name="value" with no raw < or " inside, text holds no raw <, and every & starts an entity.
 * Returns every tag so tests can look at attributes.
 */
function parseXml(xml: string): Tag[] {
  const tags: Tag[] = [];
  const open: string[] = [];
  const entity = /&(?:amp|lt|gt|quot|#39);/g;
  let rest = xml;
  while (rest.length > 0) {
    const lt = rest.indexOf('<');
    const textPart = lt === -1 ? rest : rest.slice(0, lt);
    if (textPart.replace(entity, '').includes('&')) throw new Error(`bare & in ${JSON.stringify(textPart)}`);
    if (textPart.includes('>')) throw new Error(`bare > in ${JSON.stringify(textPart)}`);
    if (lt === -1) break;
    const m = /^<(\/?)([A-Za-z][\w:-]*)((?:\s+[A-Za-z][\w:-]*="[^"<]*")*)\s*(\/?)>/.exec(rest.slice(lt));
    if (!m) throw new Error(`malformed tag at ${JSON.stringify(rest.slice(lt, lt + 40))}`);
    const [whole, closing, name, attrText, selfClosing] = m;
    if (closing) {
      if (open.pop() !== name) throw new Error(`</${name}> closes nothing open`);
    } else {
      const attrs: Record<string, string> = {};
      for (const [, k, v] of attrText!.matchAll(/([A-Za-z][\w:-]*)="([^"]*)"/g)) {
        if (k! in attrs) throw new Error(`duplicate attribute ${k}`);
        if (v!.replace(entity, '').includes('&')) throw new Error(`bare & in attribute ${k}`);
        attrs[k!] = v!;
      }
      tags.push({ name: name!, attrs });
      if (!selfClosing) open.push(name!);
    }
    rest = rest.slice(lt + whole.length);
  }
  if (open.length > 0) throw new Error(`unclosed <${open.join('>, <')}>`);
  return tags;
}

const count = (tags: Tag[], name: string) => tags.filter((t) => t.name === name).length;

/** What the page CSP and the brief forbid, checked on every chart the tests draw. */
function expectSafe(svg: string): Tag[] {
  const tags = parseXml(svg);
  expect(svg).not.toContain('style=');
  expect(svg).not.toMatch(/<style|<script|<img|<foreignObject/i);
  expect(tags[0]!.name).toBe('svg');
  expect(tags[0]!.attrs).toMatchObject({ width: '100%', role: 'img' });
  expect(tags[0]!.attrs.viewBox).toMatch(/^0 0 \d+(\.\d)? \d+(\.\d)?$/);
  expect(tags[0]!.attrs['aria-label']).toBeTruthy();
  expect(tags[0]!.attrs.height).toBeUndefined();
  expect(count(tags, 'title')).toBe(1);
  for (const t of tags) {
    for (const k of Object.keys(t.attrs)) {
      expect(k).not.toMatch(/^on|href$/i);
    }
  }
  return tags;
}

const hostile = [
  '<script>alert(1)</script>',
  '"><img onerror=x>',
  "Tom & Jerry's",
  '\u202Eevil',
  'ctl\u0000\u0007\u001b\u007f\u0085\u009f\n\tend',
];
const points = (ys: number[]) => ys.map((y, i) => ({ x: 1_700_000_000 + i * 60, y, label: `t${i}` }));

describe('svgText', () => {
  it('escapes the five XML specials', () => {
    expect(svgText(`<a href="x">&'`)).toBe('&lt;a href=&quot;x&quot;&gt;&amp;&#39;');
  });

  it('drops C0 and C1 controls, keeping everything else', () => {
    expect(svgText('a\u0000b\u001fc\u007fd\u009fe\n\tf')).toBe('abcdef');
    expect(svgText('\u00a0é😀')).toBe('\u00a0é😀');
  });

  it('drops bidi overrides and isolates, which no SVG element could contain to one label', () => {
    expect(svgText('\u202eevil\u2066x\u2069')).toBe('evilx');
  });

  it('drops what XML cannot carry: lone surrogates and U+FFFE/FFFF', () => {
    expect(svgText('a\ud800b\udc00c\uffffd')).toBe('abcd');
  });
});

describe('lineChart', () => {
  const opts = { title: 'Kills over time', yLabel: 'kills' };

  it('draws one dot per point and one path through them', () => {
    const tags = expectSafe(lineChart(points([1, 5, 3]), opts));
    expect(count(tags, 'circle')).toBe(3);
    expect(count(tags, 'path')).toBe(1);
    const d = tags.find((t) => t.name === 'path')!.attrs.d!;
    expect(d.match(/[ML]/g)).toEqual(['M', 'L', 'L']);
    expect(tags.find((t) => t.name === 'path')!.attrs.class).toBe('chart-line');
  });

  it('labels the min and max y and the first and last x', () => {
    const svg = lineChart(points([10, 20.5, 30]), { ...opts, formatY: (y) => `${y} k` });
    expect(svg).toContain('>10 k</text>');
    expect(svg).toContain('>30 k</text>');
    expect(svg).not.toContain('>20.5 k</text>');
    expect(svg).toContain('>t0</text>');
    expect(svg).toContain('>t2</text>');
    expect(svg).not.toContain('>t1</text>');
  });

  it('rounds coordinates to one decimal and is deterministic', () => {
    const input = points([1 / 3, 2 / 3, Math.PI]);
    const svg = lineChart(input, opts);
    expect(lineChart(input, opts)).toBe(svg);
    for (const t of parseXml(svg)) {
      for (const k of ['x', 'y', 'cx', 'cy', 'x1', 'x2', 'y1', 'y2']) {
        if (t.attrs[k] !== undefined) expect(t.attrs[k]).toMatch(/^-?\d+(\.\d)?$/);
      }
    }
  });

  it('escapes hostile labels, titles and formatted values', () => {
    const ps = hostile.map((label, i) => ({ x: i, y: i, label }));
    const svg = lineChart(ps, { title: hostile[0]!, yLabel: hostile[1]!, formatY: () => '<b>&' });
    const tags = expectSafe(svg);
    expect(svg).toContain('&lt;script&gt;');
    expect(svg).not.toContain('<script');
    expect(svg).toContain('&quot;&gt;&lt;img onerror=x&gt;');
    expect(tags.some((t) => 'onerror' in t.attrs)).toBe(false);
    expect(svg).toContain('&lt;b&gt;&amp;');
    expect(svg).not.toMatch(/[\u0000-\u001f\u007f-\u009f]/);
    expect(tags[0]!.attrs['aria-label']).toContain('&lt;script&gt;');
  });

  it('skips NaN and infinite points', () => {
    const ps = [
      ...points([1, 2, 3]),
      { x: Number.NaN, y: 1, label: 'nan-x' },
      { x: 5, y: Number.POSITIVE_INFINITY, label: 'inf' },
      { x: 6, y: Number.NEGATIVE_INFINITY, label: '-inf' },
      { x: 7, y: Number.NaN, label: 'nan-y' },
    ];
    const svg = lineChart(ps, opts);
    const tags = expectSafe(svg);
    expect(count(tags, 'circle')).toBe(3);
    expect(svg).not.toMatch(/NaN|Infinity|nan-|inf/);
  });

  it('says no data for empty or all-invalid input', () => {
    for (const ps of [[], [{ x: Number.NaN, y: 1, label: 'a' }]]) {
      const svg = lineChart(ps, opts);
      const tags = expectSafe(svg);
      expect(svg).toContain('>no data</text>');
      expect(count(tags, 'path')).toBe(0);
      expect(count(tags, 'circle')).toBe(0);
    }
  });

  it('draws a single point or a flat series without dividing by zero', () => {
    for (const ps of [points([7]), points([4, 4, 4])]) {
      const svg = lineChart(ps, opts);
      expectSafe(svg);
      expect(svg).not.toMatch(/NaN|Infinity/);
    }
  });

  it('sorts points by x so the line reads left to right', () => {
    const tags = parseXml(lineChart([...points([1, 2, 3])].reverse(), opts));
    const xs = tags.filter((t) => t.name === 'circle').map((t) => Number(t.attrs.cx));
    expect(xs).toEqual([...xs].sort((a, b) => a - b));
  });
});

describe('barChart', () => {
  const widths = (svg: string) =>
    parseXml(svg)
      .filter((t) => t.name === 'rect')
      .map((t) => Number(t.attrs.width));

  it('scales bars to the max value', () => {
    const [full, half] = widths(
      barChart(
        [
          { label: 'a', value: 100 },
          { label: 'b', value: 50 },
        ],
        { title: 'Damage' },
      ),
    );
    expect(full).toBeGreaterThan(0);
    expect(half).toBeCloseTo(full! / 2, 1);
  });

  it('keeps the row of a zero or negative value but draws no bar for it', () => {
    const svg = barChart(
      [
        { label: 'pos', value: 10 },
        { label: 'zero', value: 0 },
        { label: 'neg', value: -3 },
      ],
      { title: 'Net', formatValue: (v) => `${v}!` },
    );
    const tags = expectSafe(svg);
    expect(count(tags, 'rect')).toBe(1);
    for (const s of ['>pos</text>', '>zero</text>', '>neg</text>', '>10!</text>', '>0!</text>', '>-3!</text>']) {
      expect(svg).toContain(s);
    }
    expect(tags.find((t) => t.name === 'rect')!.attrs.class).toBe('chart-bar');
  });

  it('skips non-finite values and says no data when nothing is left', () => {
    const svg = barChart(
      [
        { label: 'ok', value: 1 },
        { label: 'nan', value: Number.NaN },
        { label: 'inf', value: Number.POSITIVE_INFINITY },
      ],
      { title: 'T' },
    );
    expect(count(expectSafe(svg), 'rect')).toBe(1);
    expect(svg).not.toMatch(/NaN|Infinity|>nan<|>inf</);
    expect(barChart([], { title: 'T' })).toContain('>no data</text>');
    expect(barChart([{ label: 'x', value: Number.NaN }], { title: 'T' })).toContain('>no data</text>');
  });

  it('escapes hostile labels, notes and values', () => {
    const bars = hostile.map((label, i) => ({ label, value: i + 1, note: hostile[(i + 1) % hostile.length]! }));
    const svg = barChart(bars, { title: '"><img onerror=x>', formatValue: () => '<i>' });
    const tags = expectSafe(svg);
    expect(svg).toContain('&lt;script&gt;');
    expect(svg).not.toContain('<script');
    expect(tags.some((t) => 'onerror' in t.attrs)).toBe(false);
    expect(svg).not.toContain('<i>');
    expect(svg).not.toMatch(/[\u0000-\u001f\u007f-\u009f]/);
  });

  it('shows notes and clips long labels without cutting an entity or a surrogate pair', () => {
    const long = `${'&'.repeat(30)}😀😀😀`;
    const svg = barChart([{ label: long, value: 3, note: 'mvp' }], { title: 'T' });
    expectSafe(svg);
    expect(svg).toContain('>mvp</text>');
    expect(svg).toContain('…');
    expect(svg).not.toMatch(/[\ud800-\udfff](?![\udc00-\udfff])/u);
  });

  it('is deterministic', () => {
    const bars = [{ label: 'a', value: 1 / 3, note: 'n' }];
    expect(barChart(bars, { title: 't' })).toBe(barChart(bars, { title: 't' }));
  });
});
