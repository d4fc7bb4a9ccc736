// The escaping template every page goes through, and the period parameter the pages accept.
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { escapeText, href, html, nameHtml, SafeHtml, trusted } from '../../../src/web/html.ts';
import { contentSecurityPolicy, liveScript, page } from '../../../src/web/layout.ts';
import { parsePeriod } from '../../../src/web/pages/period.ts';

describe('html', () => {
  it('escapes an interpolated script tag', () => {
    expect(html`<p>${'<script>alert(1)</script>'}</p>`.text).toBe('<p>&lt;script&gt;alert(1)&lt;/script&gt;</p>');
  });

  it('keeps an attribute breakout inside its attribute', () => {
    const out = html`<a title="${'"><img src=x onerror=alert(1)>'}">x</a>`.text;
    expect(out).toBe('<a title="&quot;&gt;&lt;img src=x onerror=alert(1)&gt;">x</a>');
    expect(out).not.toContain('<img');
    // The attribute value holds no raw quote: the only two are the template's own.
    expect(out.match(/"/g)).toHaveLength(2);
  });

  it("escapes ' and & (and escapes text that merely looks escaped)", () => {
    expect(html`<a title='${"it's"}'>`.text).toBe("<a title='it&#39;s'>");
    expect(html`${'R&D'}`.text).toBe('R&amp;D');
    expect(html`${'&lt;b&gt;'}`.text).toBe('&amp;lt;b&amp;gt;');
  });

  it('does not escape SafeHtml again, at any depth', () => {
    const inner = html`<b>${'a&b'}</b>`;
    expect(inner).toBeInstanceOf(SafeHtml);
    expect(html`<p>${inner}</p>`.text).toBe('<p><b>a&amp;b</b></p>');
    expect(html`<div>${html`<p>${inner}</p>`}</div>`.text).toBe('<div><p><b>a&amp;b</b></p></div>');
    expect(String(inner)).toBe('<b>a&amp;b</b>');
  });

  it('joins arrays, escaping strings and keeping SafeHtml, nested arrays too', () => {
    const items = ['<a>', html`<li>${'<b>'}</li>`, ['&', [html`<i>ok</i>`]]];
    expect(html`<ul>${items}</ul>`.text).toBe('<ul>&lt;a&gt;<li>&lt;b&gt;</li>&amp;<i>ok</i></ul>');
    expect(html`<ul>${[]}</ul>`.text).toBe('<ul></ul>');
  });

  it('renders null, undefined and false as nothing, but 0 as 0', () => {
    expect(html`[${null}|${undefined}|${false}]`.text).toBe('[||]');
    expect(html`[${0}|${-1.5}]`.text).toBe('[0|-1.5]');
    expect(html`[${[null, 'x', undefined, false]}]`.text).toBe('[x]');
  });

  it('trusted() passes markup through unchanged', () => {
    expect(html`${trusted('<svg><title>a &amp; b</title></svg>')}`.text).toBe('<svg><title>a &amp; b</title></svg>');
  });
});

describe('escapeText', () => {
  it('drops C0 (but tab and newline), DEL and C1 control characters', () => {
    expect(escapeText('a\u0007b\u0000c\u009bd')).toBe('abcd');
    expect(escapeText('\u001b[31mred\u007f\r')).toBe('[31mred');
    expect(escapeText('tab\there\nline')).toBe('tab\there\nline');
    expect(html`<td>${'x\u0000<y>\u0085'}</td>`.text).toBe('<td>x&lt;y&gt;</td>');
  });

  it('leaves other Unicode alone', () => {
    const name = 'Ünïcødé 😀 игрок ^1colour';
    expect(escapeText(name)).toBe(name);
  });
});

describe('href', () => {
  it('percent-encodes each segment', () => {
    expect(href('players', 'a/b?c')).toBe('/players/a%2Fb%3Fc');
    expect(href('sessions', 'eu 1', 1787168857)).toBe('/sessions/eu%201/1787168857');
    expect(href('players', 'x#y&z=1')).toBe('/players/x%23y%26z%3D1');
  });

  it('never yields a scheme or a quote that could leave the attribute', () => {
    const link = href('players', 'javascript:alert(1)');
    expect(link).toBe('/players/javascript%3Aalert(1)');
    const out = html`<a href="${href('players', `"><img src=x onerror=alert(1)>'`)}">x</a>`.text;
    expect(out).not.toContain('<img');
    expect(out).toMatch(/^<a href="\/players\/[^"<>]*">x<\/a>$/);
    expect(out).not.toMatch(/href="javascript:/i);
  });
});

describe('nameHtml', () => {
  it('wraps an escaped name in <bdi>', () => {
    expect(nameHtml('<script>x</script>').text).toBe('<bdi>&lt;script&gt;x&lt;/script&gt;</bdi>');
    expect(nameHtml('').text).toBe('<bdi></bdi>');
  });

  it('keeps a right-to-left override inside the bdi', () => {
    const out = html`<p>before ${nameHtml('\u202Eevil')} after</p>`.text;
    expect(out).toBe('<p>before <bdi>\u202Eevil</bdi> after</p>');
    const open = out.indexOf('<bdi>');
    const close = out.indexOf('</bdi>');
    const rlo = out.indexOf('\u202E');
    expect(open).toBeGreaterThanOrEqual(0);
    expect(rlo).toBeGreaterThan(open);
    expect(rlo).toBeLessThan(close);
    expect(out.lastIndexOf('\u202E')).toBe(rlo);
  });
});

describe('parsePeriod', () => {
  const nowMs = Date.UTC(2026, 7, 19, 20, 30, 15, 750);
  const nowUnix = Math.floor(nowMs / 1000);
  const ok = (text: string | undefined, fallback?: string) => {
    const p = parsePeriod(text, nowMs, fallback);
    if ('error' in p) throw new Error(`rejected ${text}: ${p.error}`);
    return p;
  };

  it.each([
    ['7d', 7 * 86_400, 'last 7d'],
    ['30d', 30 * 86_400, 'last 30d'],
    ['12w', 12 * 604_800, 'last 12w'],
    ['24h', 24 * 3600, 'last 24h'],
  ])('accepts %s', (text, back, label) => {
    expect(ok(text)).toEqual({ text, sinceUnix: nowUnix - back, label });
  });

  it('accepts all (since 0) and a start date (its UTC midnight)', () => {
    expect(ok('all')).toEqual({ text: 'all', sinceUnix: 0, label: 'all time' });
    expect(ok('2026-08-01')).toEqual({
      text: '2026-08-01',
      sinceUnix: Date.UTC(2026, 7, 1) / 1000,
      label: 'since 2026-08-01',
    });
  });

  it('uses the fallback when the parameter is absent, and trims', () => {
    expect(ok(undefined).sinceUnix).toBe(0);
    expect(ok(undefined, '30d').sinceUnix).toBe(nowUnix - 30 * 86_400);
    expect(ok(' 7d ').text).toBe('7d');
  });

  it.each(['abc', '99999d', '1y', '', "'; drop", '10m', '-7d', '7 d', '2026-13-45', '7d<script>'])(
    'rejects %j with a message',
    (text) => {
      const p = parsePeriod(text, nowMs);
      expect(p).toHaveProperty('error');
      if (!('error' in p)) return;
      expect(p.error).toMatch(/^period must be all, a number of hours, days or weeks/);
      expect(p.error).toContain(JSON.stringify(text.trim()));
    },
  );

  it('quotes at most 40 characters of a rejected value', () => {
    const p = parsePeriod('x'.repeat(100), nowMs);
    expect('error' in p && p.error.endsWith(`got "${'x'.repeat(40)}"`)).toBe(true);
  });
});

describe('contentSecurityPolicy', () => {
  it('allows only the live script, by its hash, and nothing inline', () => {
    const hash = createHash('sha256').update(liveScript, 'utf8').digest('base64');
    expect(contentSecurityPolicy).toContain(`script-src 'sha256-${hash}'`);
    expect(contentSecurityPolicy).toContain("default-src 'none'");
    expect(contentSecurityPolicy).not.toContain('unsafe-inline');
    expect(contentSecurityPolicy).not.toContain('unsafe-eval');
    expect(contentSecurityPolicy.match(/script-src [^;]*/)![0]).toBe(`script-src 'sha256-${hash}'`);
  });

  it('is the hash of exactly the bytes the page puts in its script element', () => {
    const out = page({ title: 't', live: true }, html``);
    const scripts = [...out.matchAll(/<script>([\s\S]*?)<\/script>/g)];
    expect(scripts).toHaveLength(1);
    const hash = createHash('sha256').update(scripts[0]![1]!, 'utf8').digest('base64');
    expect(contentSecurityPolicy).toContain(`'sha256-${hash}'`);
    expect(page({ title: 't' }, html``)).not.toContain('<script');
  });
});
