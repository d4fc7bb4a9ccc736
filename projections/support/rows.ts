import { columnName } from '../../src/store/insertRows.ts';

/** camelCase keys → snake_case columns, so a parsed value becomes a row by name (jsonb_populate_record). */
export function snakeKeys(value: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const k in value) out[columnName(k)] = value[k];
  return out;
}
