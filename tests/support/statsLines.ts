// Hand-made stats-file lines for tests that need a minimal input (spec/stats-file.md §2.3): raw
// bytes where a name must hold what UTF-8 cannot say.

/** The 38 extended fields with plausible defaults (3.0 minutes played), some replaced by index. */
export const ext = (over: Record<number, string> = {}) =>
  Array.from(
    { length: 38 },
    (_, i) =>
      over[i] ?? (i === 8 ? '44.1' : i === 21 || i === 23 || i === 24 || i === 26 ? '0.0' : i === 22 ? '3.0' : '0'),
  ).join('\t');
/** One player line with one MP40 tuple: hits shots kills deaths headshots. */
export const line = (
  guid: string,
  name: string | Uint8Array,
  o: { k?: number; d?: number; team?: string; ext?: string } = {},
) => bytes(guid, '\\', name, `\\0\\${o.team ?? '1'}\\16 10 40 ${o.k ?? 1} ${o.d ?? 1} 0 \t${o.ext ?? ext()}\n`);

export function bytes(...parts: (string | Uint8Array | number[])[]): Uint8Array {
  return Buffer.concat(parts.map((p) => (typeof p === 'string' ? Buffer.from(p, 'utf8') : Buffer.from(p))));
}
/** Lines (strings get their LF) as one file. */
export const file = (...lines: (string | Uint8Array)[]) =>
  bytes(...lines.map((l) => (typeof l === 'string' ? `${l}\n` : l)));
