// `node --import tsx --import ./bench/embedded/tunedPgliteHook.ts bin/et-ledger.js run`: the
// service with the "PGlite tuned" settings (bench/embedded/pgliteTuning.ts), for bench/embedded.ts.
import { PGLITE_TUNED, wrapPgliteCreate } from './pgliteTuning.ts';

wrapPgliteCreate(PGLITE_TUNED, { initdbApart: true });
