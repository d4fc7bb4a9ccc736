#!/usr/bin/env -S node --max-semi-space-size=64
// The larger young generation: catch-up and rebuilds allocate millions of short-lived rows and
// strings; with V8's default semi-space a third of a large ingest went to garbage collection
// (bench ingest: 34 s → 29 s for 20 000 rounds). `npm run et-ledger` passes the same flag.
// Runs the TypeScript sources directly through tsx's loader: a checkout needs no build step.
import { register } from 'tsx/esm/api';

register();
const { main } = await import('../src/cli/main.ts');
process.exitCode = await main(process.argv.slice(2), process.env);
