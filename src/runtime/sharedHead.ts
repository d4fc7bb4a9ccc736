// The log's head as every live follower of one process reads it. A caught-up projection asks for
// the head four times a second (its fallback when an append notification is missed); seven of
// them asking on their own kept seven pooled sessions — a PostgreSQL backend each — busy on an
// idle service (issue 17, item 4). One reading now serves them all: concurrent asks share a
// query, a reading younger than `maxAgeMs` is reused, and news of an append discards it.

export type SharedHead = {
  /** The head: the last reading if younger than maxAgeMs and no append was announced since, else a new one. */
  read(): Promise<number>;
  /** An append was announced: the next read asks the store again. */
  invalidate(): void;
};

export function sharedHead(readHead: () => Promise<number>, maxAgeMs: number, now = Date.now): SharedHead {
  let value = 0;
  let readAt = Number.NEGATIVE_INFINITY;
  let inFlight: Promise<number> | null = null;
  // Bumped by every announcement: a reading that started before one may predate the append, so it
  // answers the reads that were waiting for it but is not kept for later ones.
  let epoch = 0;
  return {
    read() {
      if (now() - readAt < maxAgeMs) return Promise.resolve(value);
      if (inFlight) return inFlight;
      const started = epoch;
      const asked = now();
      const reading = readHead().then(
        (head) => {
          if (inFlight === reading) inFlight = null;
          if (started === epoch) {
            value = head;
            readAt = asked;
          }
          return head;
        },
        (e: unknown) => {
          if (inFlight === reading) inFlight = null;
          throw e;
        },
      );
      inFlight = reading;
      return reading;
    },
    invalidate() {
      epoch++;
      readAt = Number.NEGATIVE_INFINITY;
      // A reading already under way may predate the append: the next read must not join it.
      inFlight = null;
    },
  };
}

/** One shared head per store object, for the runners of this process. */
export function headOf(store: { headPosition(): Promise<number> }): SharedHead {
  let head = heads.get(store);
  if (!head) {
    head = sharedHead(() => store.headPosition(), HEAD_MAX_AGE_MS);
    heads.set(store, head);
  }
  return head;
}
const heads = new WeakMap<object, SharedHead>();

/** Below the followers' 250 ms poll, so a missed notification still costs at most two polls. */
const HEAD_MAX_AGE_MS = 200;
