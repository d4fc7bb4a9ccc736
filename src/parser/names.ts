// Player and server names are raw engine bytes (spec/stats-file.md §1.2): usually UTF-8, but
// nothing guarantees it. Rule: decode as UTF-8 when the bytes are valid UTF-8, else as
// Windows-1252, so no byte is ever dropped. The clean name follows spec/lua-report.md `name`.

const utf8 = new TextDecoder('utf-8', { fatal: true });
const cp1252 = new TextDecoder('windows-1252');

export function decodeRawName(bytes: Uint8Array): string {
  try {
    return utf8.decode(bytes);
  } catch {
    return cp1252.decode(bytes);
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
