// The subscription both event stores hand out: read a batch after the last position, hand it to
// the handler, and when caught up wait for a wake-up (the store's append notification) or the
// poll interval, whichever comes first. One loop, so both stores deliver alike: exactly once, in
// order, a batch only after the previous handler resolved.
import { LedgerError } from '../errors.ts';
import { createPacer } from '../pacing.ts';
import type { StoredEvent, Subscription } from './eventStore.ts';

export type PollingSubscriptionOptions = {
  after: number;
  batchSize: number;
  pollIntervalMs: number;
  readAll: (after: number, limit: number) => Promise<StoredEvent[]>;
  onBatch: (events: StoredEvent[]) => Promise<void>;
  /** Starts waking the loop on news of appends; resolves with the function that stops it. */
  wakeOn: (wake: () => void) => Promise<() => Promise<void>>;
  /** A read failing with a retriable LedgerError is retried this many times (back-off) before the subscription fails. */
  readRetries?: number;
  /** The store's set of live subscriptions: joined now, left on stop. */
  live: Set<Subscription>;
};

export function pollingSubscription(o: PollingSubscriptionOptions): Subscription {
  let stopped = false;
  // A wake-up between two reads is kept, so news that lands while a batch is handled is not missed.
  const pacer = createPacer();
  const poke = () => pacer.wake();
  const pause = (ms: number) => pacer.sleep(ms);
  const unwake = o.wakeOn(poke).catch(() => async () => {});
  const done = (async () => {
    let position = o.after;
    let failures = 0;
    try {
      while (!stopped) {
        let batch: StoredEvent[];
        try {
          batch = await o.readAll(position, o.batchSize);
          failures = 0;
        } catch (e) {
          // A server restart or leader change: retry the read a few times before giving up.
          if (!(e instanceof LedgerError) || !e.retriable || ++failures > (o.readRetries ?? 0)) throw e;
          await pause(Math.min(5_000, 100 * 2 ** failures));
          continue;
        }
        if (batch.length > 0) {
          await o.onBatch(batch);
          position = batch[batch.length - 1]!.position;
          continue;
        }
        await pause(o.pollIntervalMs);
      }
    } finally {
      await (await unwake)().catch(() => {});
    }
  })();
  const sub: Subscription = {
    done,
    async stop() {
      stopped = true;
      poke();
      o.live.delete(sub);
      await done.catch(() => {});
    },
  };
  o.live.add(sub);
  return sub;
}
