// PostgreSQL's text and jsonb cannot hold U+0000 nor an unpaired UTF-16 surrogate: such a value in
// a fact's data would be refused by the log on every attempt (a permanent error that looked like a
// transient one: 503 forever, a spool file blocking the folder). Checked before appending, so the
// fact is kept as raw bytes in quarantine instead, with the reason.

/** Where the first string that the log cannot store as text is (`map`, `players[3].name`), or null. */
export function unstorableTextAt(value: unknown, path = ''): string | null {
  if (typeof value === 'string') return isStorable(value) ? null : path || '(value)';
  if (Array.isArray(value)) {
    for (const [i, v] of value.entries()) {
      const at = unstorableTextAt(v, `${path}[${i}]`);
      if (at !== null) return at;
    }
    return null;
  }
  if (value !== null && typeof value === 'object' && !(value instanceof Uint8Array)) {
    for (const [k, v] of Object.entries(value)) {
      if (!isStorable(k)) return path ? `${path}.(key)` : '(key)';
      const at = unstorableTextAt(v, path ? `${path}.${k}` : k);
      if (at !== null) return at;
    }
  }
  return null;
}

// NUL, a high surrogate not followed by a low one, or a low surrogate not preceded by a high one.
const unstorable = /\u0000|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

export const isStorable = (s: string): boolean => !unstorable.test(s);

/** A string made storable for the quarantine's own fields (a file name): bad code units become U+FFFD. */
export const storable = (s: string): string =>
  isStorable(s)
    ? s
    : s.replace(/\u0000|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g, '\uFFFD');
