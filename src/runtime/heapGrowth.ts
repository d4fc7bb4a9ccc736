// How far V8 lets the heap grow past what survived its last full collection. By default the factor
// grows with the allocation rate, up to 4×: an ingest allocates fast (every stats file parsed into
// objects that die with their batch), so a 20 000-round ingest peaked at 594 MB resident although
// its live data stays near 150 MB. At 50 % it peaked at 363 MB in the same time (44.6 s against
// 41.9–44.7 s, within the machine's noise; README "Benchmarks"). Unlike --max-old-space-size this
// sets no ceiling: a batch larger than foreseen still gets the memory it needs, collected sooner.
import { setFlagsFromString } from 'node:v8';

export const HEAP_GROWING_PERCENT = 50;

/**
 * Applies HEAP_GROWING_PERCENT to this process (V8 reads the flag at every collection, so setting
 * it at start is enough) unless the command line chose its own `--heap-growing-percent`.
 */
export function limitHeapGrowth(execArgv: readonly string[] = process.execArgv): boolean {
  if (execArgv.some((a) => a.startsWith('--heap-growing-percent'))) return false;
  setFlagsFromString(`--heap-growing-percent=${HEAP_GROWING_PERCENT}`);
  return true;
}
