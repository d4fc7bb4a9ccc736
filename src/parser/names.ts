// Player and server names are raw engine bytes (spec/stats-file.md §1.2): usually UTF-8, but
// nothing guarantees it. Rule: decode as UTF-8 when the bytes are valid UTF-8, else every byte as
// Windows-1252, so no byte is ever dropped. Our Lua script applies the same rule (lua/et-ledger.lua
// `rawName`), so a name reads the same from a stats file and from a Lua report. The clean name
// follows spec/lua-report.md `name`.

// A name may start with U+FEFF: it is part of the name, not a byte-order mark.
const utf8Name = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/**
 * Windows-1252's 0x80–0x9F, our own table: Node 20's `TextDecoder('windows-1252')` reads them as C1
 * controls (Latin-1), which the clean name then drops. The five bytes Windows-1252 leaves undefined
 * (0x81, 0x8D, 0x8F, 0x90, 0x9D) stay U+0081… as the WHATWG decoder has them. 0xA0–0xFF are Latin-1.
 */
// biome-ignore format: a code table reads best in rows of eight
export const CP1252_HIGH = [
  '\u20ac', '\u0081', '\u201a', '\u0192', '\u201e', '\u2026', '\u2020', '\u2021',
  '\u02c6', '\u2030', '\u0160', '\u2039', '\u0152', '\u008d', '\u017d', '\u008f',
  '\u0090', '\u2018', '\u2019', '\u201c', '\u201d', '\u2022', '\u2013', '\u2014',
  '\u02dc', '\u2122', '\u0161', '\u203a', '\u0153', '\u009d', '\u017e', '\u0178',
] as const;

/** Every byte's character under Windows-1252 (lossless: 256 distinct characters). */
const CP1252 = Array.from({ length: 256 }, (_, i) =>
  i >= 0x80 && i <= 0x9f ? CP1252_HIGH[i - 0x80]! : String.fromCharCode(i),
);

/** Bytes b[s, e) as Windows-1252. */
export function decodeCp1252(b: Uint8Array, s = 0, e = b.length): string {
  let text = '';
  let from = s;
  for (let i = s; i < e; i++) {
    const c = b[i]!;
    if (c < 0x80 || c > 0x9f) continue;
    // Runs without 0x80–0x9F are Latin-1, which Node decodes in one call.
    if (i > from) text += Buffer.from(b.buffer, b.byteOffset + from, i - from).toString('latin1');
    text += CP1252[c];
    from = i + 1;
  }
  return from < e ? text + Buffer.from(b.buffer, b.byteOffset + from, e - from).toString('latin1') : text;
}

export function decodeRawName(bytes: Uint8Array): string {
  try {
    return utf8Name.decode(bytes);
  } catch {
    return decodeCp1252(bytes);
  }
}

const utf8Document = new TextDecoder('utf-8', { fatal: true });

/** A whole document (a JSON report): the name rule, but a leading byte-order mark is dropped. */
export function decodeDocument(bytes: Uint8Array): string {
  try {
    return utf8Document.decode(bytes);
  } catch {
    return decodeCp1252(bytes);
  }
}

// ET treats `^` followed by any character other than `^` as a colour code; control bytes
// (C0, DEL, C1) are never part of a displayed name.
const colourCode = /\^[^^]/gu;
const controlChars = /[\u0000-\u001f\u007f-\u009f]/gu;

export function cleanName(raw: string): string {
  return raw.replace(controlChars, '').replace(colourCode, '').replace(controlChars, '').trim();
}

/** Map names are compared lower-cased, colour codes and surrounding space removed (correlation.md rule 1). */
export function normalizeMapName(map: string): string {
  return cleanName(map).toLowerCase();
}
