// A command's options and operands, read with node:util parseArgs but explained in our words: an
// unknown option says which known one was probably meant (`--stor` → did you mean --store?), a
// missing value names the option and shows the form. Node's own texts ("To specify a positional
// argument starting with a '-', place it at the end of the command after '--'…") never reach a user.
import { type ParseArgsConfig, parseArgs } from 'node:util';

type Options = NonNullable<ParseArgsConfig['options']>;

export type ParsedCommandLine = {
  values: Record<string, string | boolean | (string | boolean)[] | undefined>;
  positionals: string[];
};

/** Optimal string alignment distance: insertions, deletions, substitutions and adjacent swaps cost 1. */
export function editDistance(a: string, b: string): number {
  const d: number[][] = Array.from({ length: a.length + 1 }, (_, i) =>
    Array.from({ length: b.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)),
  );
  for (let i = 1; i <= a.length; i++)
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let best = Math.min(d[i - 1]![j]! + 1, d[i]![j - 1]! + 1, d[i - 1]![j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1])
        best = Math.min(best, d[i - 2]![j - 2]! + 1);
      d[i]![j] = best;
    }
  return d[a.length]![b.length]!;
}

/**
 * The candidate a mistyped word most likely meant: the nearest by edit distance when it is close
 * enough (1 edit for words of up to 4 letters, 2 beyond), else the only candidate it begins;
 * null when nothing is near or two are equally near.
 */
export function closest(word: string, candidates: readonly string[]): string | null {
  const w = word.toLowerCase();
  const scored = candidates.map((c) => ({ c, d: editDistance(w, c.toLowerCase()) })).sort((x, y) => x.d - y.d);
  const best = scored[0];
  if (best && best.d <= (w.length <= 4 ? 1 : 2) && scored[1]?.d !== best.d) return best.c;
  const prefixed = w.length >= 2 ? candidates.filter((c) => c.toLowerCase().startsWith(w)) : [];
  return prefixed.length === 1 ? prefixed[0]! : null;
}

/**
 * Reads `args` against `options`. Throws a UsageProblem (its message is the whole explanation)
 * for an unknown option, a value missing or given where none is taken. `elsewhere` maps an option
 * name to the other commands that take it, for "status does not take --tz (ingest, run do)".
 */
export function parseCommandLine(
  args: string[],
  options: Options,
  elsewhere: (name: string) => string[] = () => [],
): ParsedCommandLine {
  const { tokens } = parseArgs({ args, options, allowPositionals: true, strict: false, tokens: true });
  for (const t of tokens) {
    if (t.kind !== 'option') continue;
    const known = options[t.name];
    if (!known) {
      throw new UsageProblem(unknownOption(args[t.index] ?? t.rawName, t.name, options, elsewhere));
    }
    const flag = `--${t.name}`;
    if (known.type === 'boolean' && t.value !== undefined)
      throw new UsageProblem(`${flag} takes no value (write ${flag} alone, not ${t.rawName}=${t.value})`);
    if (known.type === 'string') {
      if (t.value === undefined)
        throw new UsageProblem(`${t.rawName} needs a value (example: ${flag} VALUE, or ${flag}=VALUE)`);
      if (!t.inlineValue && t.value.startsWith('-') && t.value.length > 1)
        throw new UsageProblem(
          `${t.rawName} needs a value, but ${JSON.stringify(t.value)} follows it (a value that starts with - is written ${flag}=${t.value})`,
        );
    }
  }
  try {
    const parsed = parseArgs({ args, options, allowPositionals: true, strict: true });
    return { values: parsed.values as ParsedCommandLine['values'], positionals: parsed.positionals };
  } catch (e) {
    // Every case parseArgs refuses is caught above; should one slip through, its first sentence only.
    throw new UsageProblem(((e as Error).message.split(/\.\s/)[0] ?? 'the options cannot be read').trim());
  }
}

function unknownOption(arg: string, name: string, options: Options, elsewhere: (name: string) => string[]): string {
  const names = Object.keys(options);
  const list = `this command takes ${names.map((n) => (options[n]!.short ? `-${options[n]!.short}/--${n}` : `--${n}`)).join(', ')}`;
  if (arg.startsWith('--')) {
    const others = elsewhere(name);
    if (others.length > 0)
      return `unknown option --${name}: it is an option of ${others.join(', ')}, not of this command (${list})`;
    const near = closest(name, names);
    return near ? `unknown option --${name}; did you mean --${near}?` : `unknown option --${name} (${list})`;
  }
  // One dash: a short option (-x), or a long one typed with one dash (-store).
  const word = arg.slice(1).split('=')[0]!;
  const near = word.length > 1 ? closest(word, names) : null;
  if (near) return `unknown option -${word}; did you mean --${near}? (long options take two dashes)`;
  return `unknown option -${word.length > 1 ? name : word} (${list})`;
}

/** A command line that cannot be read; the message says what is wrong and what was meant. */
export class UsageProblem extends Error {
  override name = 'UsageProblem';
}
