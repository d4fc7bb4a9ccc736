#!/usr/bin/env node
// `npm run build` [-- --out-dir DIR] [--no-check] [--with-bench]: compiles src/ and projections/ to dist/ (tsconfig.build.json)
// and copies beside the JavaScript every file the code reads relative to its own module:
//   - the non-TypeScript files under src/ and projections/ (SQL schemas and folds, site.css);
//   - samples/ (`et-ledger demo`: ../../../samples/ from src/cli/commands/);
//   - package.json (`--version`: ../../package.json from src/cli/).
// Then it writes et-ledger.js (the entry: `node dist/et-ledger.js run`) and BUILD (the stamp
// bin/et-ledger.js compares with the sources' times to decide whether dist/ is current).
//
// The build goes to a fresh folder beside the target and is swapped in by rename at the end, so a
// failed build leaves the previous dist/ whole and a file deleted from src/ never survives in it
// (the projection registry loads every module it finds in dist/projections/).
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, readdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const usage =
  'usage: node deploy/build.mjs [--out-dir DIR] [--no-check] [--with-bench]   (default: dist/ beside package.json)';
const { values: opts } = (() => {
  try {
    return parseArgs({
      options: {
        'out-dir': { type: 'string' },
        'no-check': { type: 'boolean' },
        'with-bench': { type: 'boolean' },
      },
    });
  } catch (e) {
    console.error(`${e.message}\n${usage}`);
    process.exit(2);
  }
})();
const outDir = opts['out-dir'] ? resolve(opts['out-dir']) : join(root, 'dist');
const shown = outDir.startsWith(root + sep) ? relative(root, outDir) : outDir; // for messages
const staging = `${outDir}.building-${process.pid}`;
const started = Date.now();

rmSync(staging, { recursive: true, force: true });
// --no-check: emit without type checking (the same JavaScript, ~2.5 × faster) where `npm run
// typecheck` has already checked the tree, as CI does; a build on a server checks.
const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
// --with-bench: bench/ too (tsconfig.bench.json), for the ingest bench's cases; never a production build.
const tscArgs = [
  '-p',
  join(root, opts['with-bench'] ? 'tsconfig.bench.json' : 'tsconfig.build.json'),
  '--outDir',
  staging,
  ...(opts['no-check'] ? ['--noCheck'] : []),
];
const compiled = spawnSync(process.execPath, [tsc, ...tscArgs], { cwd: root, stdio: 'inherit' });
if (compiled.status !== 0) {
  rmSync(staging, { recursive: true, force: true });
  console.error(`\nbuild: tsc failed (exit ${compiled.status ?? compiled.signal}); ${shown} left as it was`);
  process.exit(1);
}

let assets = 0;
/** Copies every file under root/dir that tsc does not emit (anything not .ts) to staging/dir. */
function copyAssets(dir) {
  for (const entry of readdirSync(join(root, dir), { withFileTypes: true })) {
    const rel = join(dir, entry.name);
    if (entry.isDirectory()) copyAssets(rel);
    else if (entry.isFile() && !entry.name.endsWith('.ts')) {
      cpSync(join(root, rel), join(staging, rel));
      assets++;
    }
  }
}
copyAssets('src');
copyAssets('projections');
cpSync(join(root, 'samples'), join(staging, 'samples'), { recursive: true });
cpSync(join(root, 'package.json'), join(staging, 'package.json'));

writeFileSync(
  join(staging, 'et-ledger.js'),
  `#!/usr/bin/env node
// Built by deploy/build.mjs: the compiled et-ledger command (\`node et-ledger.js run\`).
import { main } from './src/cli/main.js';

process.exitCode = await main(process.argv.slice(2), process.env);
`,
  { mode: 0o755 },
);
// The compiled tree must find its read models: the registry lists dist/projections/ at run time, so
// a build whose registry only looks for `.ts` files would start a service with no projections.
const probe = spawnSync(
  process.execPath,
  [
    '--input-type=module',
    '-e',
    `const { loadProjections } = await import(${JSON.stringify(pathToFileURL(join(staging, 'src', 'runtime', 'registry.js')).href)});
     console.log((await loadProjections()).map((p) => p.name).join(' '));`,
  ],
  { cwd: root, encoding: 'utf8' },
);
const found = probe.status === 0 ? probe.stdout.trim() : '';
if (!found) {
  rmSync(staging, { recursive: true, force: true });
  console.error(
    probe.status !== 0
      ? `build: the compiled tree does not load (its packages resolve from node_modules above ${shown}):\n${probe.stderr}`
      : `build: the compiled projection registry finds no projections in ${shown}/projections/ ` +
          '(src/runtime/registry.ts must accept the .js files tsc emits, not only .ts)',
  );
  console.error(
    `build: ${shown} left as it was${outDir === join(root, 'dist') ? '; bin/et-ledger.js keeps running the sources through tsx' : ''}`,
  );
  process.exit(1);
}

// Written last: its time is the build's; bin/et-ledger.js runs dist/ only while no source is newer.
writeFileSync(join(staging, 'BUILD'), `${new Date().toISOString()}\n`);

const old = `${outDir}.old-${process.pid}`;
if (existsSync(outDir)) renameSync(outDir, old);
renameSync(staging, outDir);
rmSync(old, { recursive: true, force: true });

console.log(
  `build: ${shown}/ in ${((Date.now() - started) / 1000).toFixed(1)} s: entry et-ledger.js, ` +
    `${assets} SQL/CSS files, samples, package.json; projections: ${found}`,
);
