#!/usr/bin/env node
// No --max-semi-space-size=64 (it was, from the ingest bench: 34 s → 29 s for 20 000 rounds, before
// the projections stopped reading whole histories): `run` kept the young generation a catch-up grew
// (60 s after catching up 2 000 rounds: 498 MB resident with it, 141 MB without), and a 20 000-round
// ingest now takes 66.7 s with it and 68.1 s without, at a peak of 805 MB against 714 MB
// (README, "Benchmarks").
//
// Runs the compiled build in dist/ (`npm run build`) when there is one and no file under src/,
// projections/ or package.json is newer than it; otherwise the TypeScript sources directly through
// tsx's loader, so a checkout needs no build step and an edited source is never shadowed by an old
// build (checking ~200 file times costs ~2 ms). An install without src/ (the container) runs dist/;
// ET_LEDGER_FROM_SOURCE=1 always takes the sources.
import { existsSync, readdirSync, statSync } from 'node:fs';
import module from 'node:module';
import { homedir } from 'node:os';
import { join } from 'node:path';

// V8's code cache of every module loaded, kept in the user's own cache folder (Node ≥ 22.1; not in
// the shared /tmp): a warm start compiles nothing (`--help` on Node 22: 0.72 s → 0.41 s). A folder
// that cannot be written only leaves it off; NODE_DISABLE_COMPILE_CACHE=1 turns it off.
try {
  module.enableCompileCache?.(join(homedir(), '.cache', 'et-ledger', 'node-compile-cache'));
} catch {}

const root = new URL('../', import.meta.url);
const stamp = new URL('dist/BUILD', root);

/** Whether dist/ exists and is at least as new as every source it was built from. */
function distIsCurrent() {
  if (process.env.ET_LEDGER_FROM_SOURCE === '1') return false;
  if (!existsSync(new URL('src/cli/main.ts', root))) return true; // an install that ships dist/ only
  let built;
  try {
    built = statSync(stamp).mtimeMs;
  } catch {
    return false;
  }
  const newer = (path) => {
    try {
      return statSync(path).mtimeMs > built;
    } catch {
      return false;
    }
  };
  if (newer(new URL('package.json', root))) return false;
  for (const dir of ['src', 'projections']) {
    const base = new URL(`${dir}/`, root);
    if (!existsSync(base)) continue;
    for (const entry of readdirSync(base, { recursive: true, withFileTypes: true })) {
      if (entry.isFile() && newer(`${entry.parentPath ?? entry.path}/${entry.name}`)) return false;
    }
  }
  return true;
}

let main;
let limitHeapGrowth;
if (distIsCurrent()) {
  ({ main, limitHeapGrowth } = await import('../dist/src/cli/main.js'));
} else {
  const { register } = await import('tsx/esm/api');
  register();
  ({ main, limitHeapGrowth } = await import('../src/cli/main.ts'));
}
// The executable's own: tests that call main() in their process keep V8's defaults.
limitHeapGrowth();
process.exitCode = await main(process.argv.slice(2), process.env);
