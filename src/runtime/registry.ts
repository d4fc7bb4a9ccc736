import { readdir } from 'node:fs/promises';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { LedgerError } from '../errors.ts';
import { isProjection, type Projection } from './projection.ts';

const projectionsDir = new URL('../../projections/', import.meta.url);
/** `.ts` from the sources, `.js` in a compiled build (dist/): the projections are what this module is. */
const moduleExt = import.meta.url.endsWith('.js') ? '.js' : '.ts';

/**
 * Every projection defined in projections/: a read model is added by adding one file there.
 * Helper modules (not exporting a projection) are simply skipped.
 */
export async function loadProjections(dir: URL = projectionsDir): Promise<Projection[]> {
  const files = (await readdir(fileURLToPath(dir)))
    .filter((f) => f.endsWith(moduleExt) && !f.endsWith(`.test${moduleExt}`) && !f.endsWith('.d.ts'))
    .sort();
  const found: Projection[] = [];
  for (const file of files) {
    const mod = (await import(pathToFileURL(fileURLToPath(new URL(file, dir))).href)) as Record<string, unknown>;
    for (const value of Object.values(mod)) if (isProjection(value)) found.push(value);
  }
  const names = new Set<string>();
  const tables = new Map<string, string>();
  for (const p of found) {
    if (names.has(p.name)) throw new Error(`two projections are named ${p.name}`);
    names.add(p.name);
    for (const t of Object.keys(p.tables)) {
      const other = tables.get(t);
      if (other) throw new Error(`table ${t} is declared by both ${other} and ${p.name}`);
      tables.set(t, p.name);
    }
  }
  return found;
}

export function findProjection(all: Projection[], name: string): Projection {
  const p = all.find((x) => x.name === name || Object.hasOwn(x.tables, name.replace(/-/g, '_')));
  if (!p) throw new LedgerError('USAGE', `no read model named ${name}; known: ${all.map((x) => x.name).join(', ')}`);
  return p;
}
