// A stable text form of a value: object keys sorted, undefined members dropped. Verdicts read
// back from a store (jsonb reorders keys) compare equal to freshly computed ones.
const quotedKeys = new Map<string, string>();

function quoteKey(k: string): string {
  let q = quotedKeys.get(k);
  if (q === undefined) {
    q = JSON.stringify(k);
    if (quotedKeys.size < 10_000) quotedKeys.set(k, q);
  }
  return q;
}

/**
 * The sorted keys of each key sequence met so far, in a trie walked in the object's own key order:
 * objects built alike (a verdict, a player) share one entry, so a key array and its sort are not
 * allocated per object (they were half of the correlator's garbage). Bounded: beyond MAX_NODES
 * distinct steps, an object's keys are sorted as they come.
 */
type KeyNode = { next: Map<string, KeyNode>; sorted: string[] | null };
const root: KeyNode = { next: new Map(), sorted: null };
let nodes = 0;
const MAX_NODES = 20_000;

function sortedKeys(record: Record<string, unknown>): string[] {
  let node = root;
  for (const k in record) {
    if (!Object.hasOwn(record, k)) return Object.keys(record).sort();
    let child = node.next.get(k);
    if (child === undefined) {
      if (nodes >= MAX_NODES) return Object.keys(record).sort();
      child = { next: new Map(), sorted: null };
      node.next.set(k, child);
      nodes++;
    }
    node = child;
  }
  if (node.sorted === null) node.sorted = Object.keys(record).sort();
  return node.sorted;
}

export function canonicalJson(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'number') return Number.isFinite(value) ? String(value) : 'null';
  if (value === null || typeof value !== 'object') return JSON.stringify(value) ?? 'null';
  if (Array.isArray(value)) {
    let out = '[';
    for (let i = 0; i < value.length; i++) out += (i === 0 ? '' : ',') + canonicalJson(value[i]);
    return `${out}]`;
  }
  const record = value as Record<string, unknown>;
  const keys = sortedKeys(record);
  let out = '{';
  for (let i = 0; i < keys.length; i++) {
    const k = keys[i]!;
    const v = record[k];
    if (v === undefined) continue;
    out += `${out.length === 1 ? '' : ','}${quoteKey(k)}:${canonicalJson(v)}`;
  }
  return `${out}}`;
}

/**
 * Whether canonicalJson(a) === canonicalJson(b) is certain, decided without building either: equal
 * primitives, arrays element by element, objects key by key in any order (undefined members count
 * as absent). False means "not shown equal" (e.g. NaN against null): compare the texts then.
 */
export function sameCanonical(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (a === null || b === null || typeof a !== 'object' || typeof b !== 'object') return false;
  if (Array.isArray(a)) {
    if (!Array.isArray(b) || a.length !== b.length) return false;
    for (let i = 0; i < a.length; i++) if (!sameCanonical(a[i], b[i])) return false;
    return true;
  }
  if (Array.isArray(b)) return false;
  const x = a as Record<string, unknown>;
  const y = b as Record<string, unknown>;
  let defined = 0;
  for (const k in x) {
    if (!Object.hasOwn(x, k) || x[k] === undefined) continue;
    defined++;
    if (!Object.hasOwn(y, k) || !sameCanonical(x[k], y[k])) return false;
  }
  for (const k in y) if (Object.hasOwn(y, k) && y[k] !== undefined) defined--;
  return defined === 0;
}

/** Code-unit order: locale-independent, so every machine sorts ids alike. */
export const compareStrings = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);
