// HTML built by one tagged template that escapes every interpolated value unless it is already
// SafeHtml: a page cannot forget to escape a name from a game server, because there is no way to
// put text into a page other than through here. Synchronous and dependency-free, so a page renders
// in one pass to one string.

export class SafeHtml {
  constructor(readonly text: string) {}
  toString(): string {
    return this.text;
  }
}

export type HtmlValue = SafeHtml | string | number | boolean | null | undefined | readonly HtmlValue[];

const entities: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/**
 * Text as it may stand in an element or a quoted attribute: the five HTML specials escaped, and the
 * control characters (C0 but TAB and LF, DEL, C1) that a game server lets into a name dropped.
 */
export function escapeText(text: string): string {
  return text.replace(/[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/g, '').replace(/[&<>"']/g, (c) => entities[c]!);
}

function render(value: HtmlValue): string {
  if (value instanceof SafeHtml) return value.text;
  if (value === null || value === undefined || value === false) return '';
  if (Array.isArray(value)) return value.map(render).join('');
  return escapeText(String(value));
}

/** `html\`<p>${name}</p>\`` with `name` escaped; arrays are joined, null/undefined/false render nothing. */
export function html(strings: TemplateStringsArray, ...values: HtmlValue[]): SafeHtml {
  let out = strings[0]!;
  for (let i = 0; i < values.length; i++) out += render(values[i]!) + strings[i + 1]!;
  return new SafeHtml(out);
}

/** Markup we wrote ourselves (an SVG chart that escapes its own text): trusted as is. */
export const trusted = (markup: string): SafeHtml => new SafeHtml(markup);

/**
 * A player or server name: escaped, and isolated (`<bdi>`) so that a right-to-left override inside
 * it cannot reorder the text around it.
 */
export const nameHtml = (name: string): SafeHtml => html`<bdi>${name}</bdi>`;

/** A name where no element can isolate it (a `<title>`, an SVG title): isolated by FSI … PDI. */
export const isolated = (name: string): string => `\u2068${name}\u2069`;

/** A link to one of our own pages: path segments are percent-encoded, never taken as markup or a scheme. */
export function href(...segments: (string | number)[]): string {
  // `.` and `..` are left alone by encodeURIComponent and would walk up the path.
  const encode = (s: string) => (s === '.' || s === '..' ? s.replaceAll('.', '%2E') : encodeURIComponent(s));
  return `/${segments.map((s) => encode(String(s))).join('/')}`;
}
