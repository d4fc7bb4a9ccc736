// Keeps the configuration tables of README.md and docs/ true to the schemas (src/config/reference.ts):
// every variable has a row where its group says, no row names a variable no schema reads, and a
// default shown is the schema's.
import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { variableDefault, variableGroups, variableRows } from '../../../src/config/reference.ts';

const pages = ['README.md', 'docs/run.md', 'docs/discord.md', 'docs/scale-out.md'] as const;
const text = (page: string) => readFileSync(new URL(`../../../${page}`, import.meta.url), 'utf8');

/** A variable's name as the docs spell one (the prefixes et-ledger's variables use). */
const variableName =
  /\b(?:ET_LEDGER_[A-Z0-9_]*[A-Z0-9]|DATABASE_URL|KAFKA_[A-Z0-9_]*[A-Z0-9]|DISCORD_[A-Z0-9_]*[A-Z0-9])\b/g;

type Row = { page: string; cells: string[]; columns: string[] };

/** The rows of every Markdown table of `page`, each with its table's header cells. */
function tableRows(page: string, markdown: string): Row[] {
  const rows: Row[] = [];
  let columns: string[] | null = null;
  for (const line of markdown.split('\n')) {
    if (!line.startsWith('|')) {
      columns = null;
      continue;
    }
    const cells = line
      .slice(1, line.trimEnd().endsWith('|') ? line.trimEnd().length - 1 : undefined)
      .split(/(?<!\\)\|/)
      .map((c) => c.trim());
    if (columns === null) columns = cells;
    else if (!cells.every((c) => /^:?-+:?$/.test(c))) rows.push({ page, cells, columns });
  }
  return rows;
}

const rows = pages.flatMap((page) => tableRows(page, text(page)));
/** The rows that document one variable: their first cell is its name in backticks. */
const variableRow = (name: string, page: string) => rows.find((r) => r.page === page && r.cells[0] === `\`${name}\``);
const schemaKeys = new Set(variableGroups.flatMap((g) => Object.keys(g.schema.shape)));

describe('configuration tables', () => {
  it('every variable of every group has a row in the README or its page', () => {
    const missing = variableGroups.flatMap((g) =>
      Object.keys(g.variables)
        .filter((name) => !variableRow(name, 'README.md') && !variableRow(name, g.page))
        .map((name) => `${name} (${g.page})`),
    );
    expect(missing).toEqual([]);
  });

  it('no table names a variable that no schema reads', () => {
    const unknown = rows.flatMap((r) =>
      r.cells
        .flatMap((c) => [...c.matchAll(variableName)].map((m) => m[0]))
        .filter((name) => !schemaKeys.has(name))
        .map((name) => `${r.page}: ${name}`),
    );
    expect(unknown).toEqual([]);
  });

  it("a default a table shows is the schema's", () => {
    const wrong = variableGroups.flatMap((g) =>
      Object.keys(g.variables).flatMap((name) => {
        const fallback = variableDefault(g.schema, name);
        if (fallback === null) return [];
        const shown = (r: Row) => r.cells[r.columns.indexOf('default')] ?? '';
        return rows
          .filter((r) => r.cells[0] === `\`${name}\`` && r.columns.includes('default'))
          .filter((r) => !shown(r).includes(`\`${fallback}\``))
          .map((r) => `${r.page}: ${name} shows ${shown(r)}; its schema's default is ${fallback}`);
      }),
    );
    expect(wrong).toEqual([]);
  });

  it('each group declares exactly the variables its schema parses', () => {
    for (const g of variableGroups)
      expect(Object.keys(g.variables).sort(), g.page).toEqual(Object.keys(g.schema.shape).sort());
  });

  it('every example is a value its variable accepts', () => {
    const refused = variableGroups.flatMap((g) =>
      Object.entries(g.variables)
        .filter(([name, v]) => !v.example.split(' | ').every((e) => g.schema.shape[name]!.safeParse(e).success))
        .map(([name, v]) => `${name}=${v.example}`),
    );
    expect(refused).toEqual([]);
  });

  it("lists every config module's variables (nothing declared outside the reference)", async () => {
    const dir = new URL('../../../src/config/', import.meta.url);
    const declared: string[] = [];
    for (const file of readdirSync(dir).filter((f) => f.endsWith('.ts') && f !== 'printTables.ts')) {
      const mod = (await import(new URL(file, dir).href)) as Record<string, unknown>;
      for (const [name, value] of Object.entries(mod))
        if (/^[a-z]*[eE]nvVariables$/.test(name)) declared.push(...Object.keys(value as object));
    }
    expect(declared.sort()).toEqual(variableGroups.flatMap((g) => Object.keys(g.variables)).sort());
  });

  it('prints a row per variable for the docs, pipes escaped, the default from the schema', () => {
    const common = variableRows(variableGroups[0]!);
    expect(common.slice(0, 2)).toEqual(['| variable | default | example | meaning |', '|---|---|---|---|']);
    expect(common).toContain(
      '| `ET_LEDGER_SESSION_GAP_MIN` | `45` | `45` | rounds further apart than this start a new session (default 45) |',
    );
    expect(common.find((r) => r.startsWith('| `ET_LEDGER_LOG_LEVEL`'))).toContain('| — | `info` | fatal \\| error');
    for (const g of variableGroups) expect(variableRows(g)).toHaveLength(2 + Object.keys(g.variables).length);
  });
});
