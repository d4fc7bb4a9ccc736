// Player names are raw game input: anything a player types can reach a channel. Everything shown
// goes through here so that it renders as plain text: no mention, no markdown, no control byte
// (a terminal escape in the demo, a bidi override in Discord), no fence break-out.

// C0/C1 controls, bidi controls and invisible joiners (they reorder or hide text).
const invisible = /[\u0000-\u001f\u007f-\u009f\u00ad\u061c\u200b-\u200f\u2028-\u202e\u2060-\u2069\ufeff]/g;

/** Code points, not UTF-16 units: a cut never splits a surrogate pair. */
const chars = (s: string): string[] => Array.from(s);

/** One line of visible text at most `max` characters long (an ellipsis marks a cut). */
export function plainText(raw: string, max = 32): string {
  const text = raw.replace(invisible, '').replace(/\s+/g, ' ').trim();
  const cs = chars(text);
  const out = cs.length > max ? `${cs.slice(0, max - 1).join('')}…` : text;
  return out === '' ? '?' : out;
}

/** For inline markdown: every markdown and mention character escaped. */
export function inlineText(raw: string, max = 32): string {
  return plainText(raw, max)
    .replace(/[\\*_~`|>#[\]()<:!-]/g, (c) => `\\${c}`)
    .replace(/@/g, '@\u200b');
}

/**
 * For a cell of a code block: markdown is inert there, only a backtick could close the fence, and
 * `@` and `<` are still defused (text copied out must not paste a mention). Padded to `width`.
 */
export function codeCell(raw: string, width: number): string {
  const text = plainText(raw, width)
    .replace(/`/g, 'ˋ')
    .replace(/([@<])/g, '$1\u200b');
  const visible = chars(text.replace(/\u200b/g, '')).length;
  return text + ' '.repeat(Math.max(0, width - visible));
}

/** Map names come from servers, not players, but still only travel as a safe identifier. */
export function mapLabel(map: string): string {
  const safe = plainText(map, 40).replace(/[^A-Za-z0-9_.-]/g, '');
  return safe === '' ? 'unknown map' : safe;
}

/** Map label for markdown (titles render markdown: `te_escape_2` must not turn italic). */
export const mapMarkdown = (map: string): string => mapLabel(map).replace(/[_*~-]/g, (c) => `\\${c}`);

/** Undoes `inlineText`'s escapes for the terminal (the demo prints what a reader would see). */
export function unescapeMarkdown(text: string): string {
  return text.replace(/\\([\\*_~`|>#[\]()<:!-])/g, '$1').replace(/\u200b/g, '');
}
