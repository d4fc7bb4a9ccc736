const columnOf = new Map<string, string>();

/** camelCase keys → snake_case columns, so a parsed value becomes a row by name (insertRows, jsonb_populate_record). */
export function snakeKeys(value: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const k in value) {
    let column = columnOf.get(k);
    if (column === undefined) {
      column = k.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
      columnOf.set(k, column);
    }
    out[column] = value[k];
  }
  return out;
}
