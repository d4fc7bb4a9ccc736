// How far V8 lets the heap grow past what survived its last full collection. By default the factor
// grows with the allocation rate, up to 4×: an ingest allocates fast (every stats file parsed into
// objects that die with their batch), so a 20 000-round ingest peaked at 594 MB resident although
// its live data stays near 150 MB. At 50 % it peaked at 363 MB in the same time (44.6 s against
// 41.9–44.7 s, within the machine's noise; README "Benchmarks"). Unlike --max-old-space-size this
// sets no ceiling: a batch larger than foreseen still gets the memory it needs, collected sooner.
//
// Only once the heap is past CAP_PAST_BYTES: below it V8's own factor costs little memory, and a
// short command that opens PGlite (whose start allocates fast, its heap near 30 MB) ran 15 % slower
// with the cap from its first collection (the backup tests: 144 → 167 s; 138 s with this threshold).
// The 20 000-round ingest peaks at 396 MB with it (349–363 MB capped from the start).
//
// Checked every 100 ms, not 500: V8 reads the factor when a full collection sets the next limit, so
// a collection between the heap passing the threshold and the check still sets a limit of up to 4×
// its live data, and V8 keeps the pages it commits in a pool for reuse while the program is busy
// (`--trace-gc`'s "pooled"): that one stretch sets the RSS for the rest of an ingest. Compiled 20 000-
// round ingests peaked at 352–368 MB checked every 100 ms against 362–375 MB (and runs of 412 and
// 434 MB) every 500 ms (twelfth session); a check costs a microsecond.
//
// 25 %, not 50 % (twelfth session): for the same reason the peak RSS follows the heap at its
// largest, ≈ 1.25 or 1.5 × the live data of the batches in flight plus the young generation. The
// 100 000-round league ingest, compiled: 367–380 MB in 205.5–238.0 s at 25 % against 377–401 MB in
// 211.7–237.9 s at 50 %; 20 000 rounds: 326–346 MB at 25 % against 340–369 MB at 50 %, the time within
// the machine's noise in alternating runs (37.1–37.4 s against 35.2–38.3 s).
import { getHeapStatistics, setFlagsFromString } from 'node:v8';

export const HEAP_GROWING_PERCENT = 25;
export const CAP_PAST_BYTES = 64 * 1024 * 1024;

/**
 * Applies HEAP_GROWING_PERCENT to this process once its heap passes `pastBytes` (V8 reads the flag
 * at every collection, so it takes effect from the next one), unless the command line chose its own
 * `--heap-growing-percent`. The check is an unref'd timer: it never keeps the process alive.
 */
export function limitHeapGrowth(
  execArgv: readonly string[] = process.execArgv,
  opts: { pastBytes?: number; everyMs?: number } = {},
): boolean {
  if (execArgv.some((a) => a.startsWith('--heap-growing-percent'))) return false;
  const pastBytes = opts.pastBytes ?? CAP_PAST_BYTES;
  /** Caps the growth once the heap is past the threshold; true when it did. */
  const capIfPast = () => {
    if (getHeapStatistics().total_heap_size < pastBytes) return false;
    setFlagsFromString(`--heap-growing-percent=${HEAP_GROWING_PERCENT}`);
    return true;
  };
  if (capIfPast()) return true;
  const timer = setInterval(() => {
    if (capIfPast()) clearInterval(timer);
  }, opts.everyMs ?? 100);
  timer.unref();
  return true;
}
