import { describe, expect, it } from 'vitest';
import { closest, editDistance, parseCommandLine, UsageProblem } from '../../../src/cli/parseCommandLine.ts';

const options = {
  store: { type: 'string' },
  help: { type: 'boolean', short: 'h' },
  json: { type: 'boolean' },
  'follow-links': { type: 'boolean' },
} as const;

const problem = (args: string[], elsewhere?: (n: string) => string[]) => {
  try {
    parseCommandLine(args, options, elsewhere);
  } catch (e) {
    if (e instanceof UsageProblem) return e.message;
    throw e;
  }
  return null;
};

describe('the command line, read in our words', () => {
  it('edit distance counts an adjacent swap as one edit', () => {
    expect(editDistance('stor', 'store')).toBe(1);
    expect(editDistance('jsno', 'json')).toBe(1);
    expect(editDistance('', 'abc')).toBe(3);
    expect(editDistance('status', 'status')).toBe(0);
  });

  it('closest: near enough, unambiguous, or a unique prefix; else nothing', () => {
    expect(closest('stor', ['store', 'help', 'json'])).toBe('store');
    expect(closest('follow', ['store', 'follow-links'])).toBe('follow-links');
    expect(closest('xyz', ['store', 'help', 'json'])).toBeNull();
    expect(closest('ab', ['ac', 'ad'])).toBeNull();
  });

  it('reads values and operands as parseArgs does', () => {
    expect(parseCommandLine(['--store', 'pglite:x', 'a', '--json', 'b'], options)).toEqual({
      values: { store: 'pglite:x', json: true },
      positionals: ['a', 'b'],
    });
    expect(parseCommandLine(['--store=-odd', '-h'], options).values).toEqual({ store: '-odd', help: true });
  });

  it('explains what parseArgs would refuse', () => {
    expect(problem(['--stor', 'x'])).toBe('unknown option --stor; did you mean --store?');
    expect(problem(['-store', 'x'])).toBe(
      'unknown option -store; did you mean --store? (long options take two dashes)',
    );
    expect(problem(['--frobnicate'])).toMatch(/^unknown option --frobnicate \(this command takes --store, -h\/--help/);
    expect(problem(['-x'])).toMatch(/^unknown option -x \(/);
    expect(problem(['--tz', 'X'], (n) => (n === 'tz' ? ['ingest', 'run'] : []))).toMatch(
      /^unknown option --tz: it is an option of ingest, run, not of this command/,
    );
    expect(problem(['--store'])).toBe('--store needs a value (example: --store VALUE, or --store=VALUE)');
    expect(problem(['--store', '--json'])).toMatch(/^--store needs a value, but "--json" follows it/);
    expect(problem(['--json=1'])).toBe('--json takes no value (write --json alone, not --json=1)');
  });
});
