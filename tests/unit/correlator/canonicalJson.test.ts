// canonicalJson's key-order cache and sameCanonical, held to the plain definition on any value.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { canonicalJson, sameCanonical } from '../../../src/correlator/canonicalJson.ts';

/** The definition: every object's own keys sorted, undefined members dropped, non-finite numbers null. */
function reference(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'number') return Number.isFinite(value) ? String(value) : 'null';
  if (value === null || typeof value !== 'object') return JSON.stringify(value) ?? 'null';
  if (Array.isArray(value)) return `[${value.map(reference).join(',')}]`;
  const record = value as Record<string, unknown>;
  const members = Object.keys(record)
    .sort()
    .filter((k) => record[k] !== undefined)
    .map((k) => `${JSON.stringify(k)}:${reference(record[k])}`);
  return `{${members.join(',')}}`;
}

/** The same members in another insertion order (what jsonb does to a verdict). */
function reordered(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(reordered);
  if (value === null || typeof value !== 'object') return value;
  // fromEntries defines own members, `__proto__` included, where `out[k] =` would set the prototype.
  return Object.fromEntries(
    Object.entries(value)
      .reverse()
      .map(([k, v]) => [k, reordered(v)]),
  );
}

// Few key names, so that objects share key sequences (the cache's case) and collide in order.
const key = fc.constantFrom('a', 'b', 'c', 'roundKey', 'players', '10', '2', '__proto__', 'constructor', 'é', '');
const leaf = fc.oneof(
  fc.string(),
  fc.double(),
  fc.constantFrom(0, -0, Number.NaN, Number.POSITIVE_INFINITY, 1e21, 5e-324),
  fc.boolean(),
  fc.constant(null),
  fc.constant(undefined),
);
const value = fc.letrec((tie) => ({
  node: fc.oneof({ depthSize: 'small' }, leaf, fc.array(tie('node')), fc.dictionary(key, tie('node'))),
})).node;

describe('canonicalJson', () => {
  it('equals the definition on any value, whatever order its keys were set in', () => {
    fc.assert(
      fc.property(value, (v) => {
        expect(canonicalJson(v)).toBe(reference(v));
        expect(canonicalJson(reordered(v))).toBe(reference(v));
      }),
      { numRuns: 2000 },
    );
  });

  it('keeps own keys only, as Object.keys does', () => {
    const inherited = Object.create({ hidden: 1 }) as Record<string, unknown>;
    inherited.shown = 2;
    expect(canonicalJson(inherited)).toBe('{"shown":2}');
    expect(canonicalJson({ b: 1, a: [{ d: undefined, c: -0 }] })).toBe('{"a":[{"c":0}],"b":1}');
  });
});

describe('sameCanonical', () => {
  it('is true only where the canonical texts are equal', () => {
    fc.assert(
      fc.property(value, value, (a, b) => {
        if (sameCanonical(a, b)) expect(canonicalJson(a)).toBe(canonicalJson(b));
      }),
      { numRuns: 2000 },
    );
  });

  it('finds a value equal to its copy with reordered keys', () => {
    fc.assert(
      fc.property(value, (v) => {
        const json = JSON.parse(JSON.stringify(v) ?? 'null');
        expect(sameCanonical(json, reordered(json))).toBe(true);
      }),
      { numRuns: 2000 },
    );
    expect(sameCanonical({ a: 1, b: undefined }, { a: 1 })).toBe(true);
    expect(sameCanonical({ a: 1 }, { a: 1, b: 2 })).toBe(false);
    expect(sameCanonical([1, 2], { 0: 1, 1: 2 })).toBe(false);
  });
});
