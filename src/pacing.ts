// Timing shared by everything that polls or retries: a sleep that a wake-up (news, or stop) cuts short,
// remembered when it comes between sleeps; and exponential back-off.

export type Pacer = {
  /** Resolves after `ms`, or at once when woken or stopped. */
  sleep(ms: number): Promise<void>;
  /** Ends the current sleep early (a change was noticed, or the source stops). */
  wake(): void;
};

export function createPacer(): Pacer {
  let wakeCurrent: (() => void) | null = null;
  let pendingWake = false;
  return {
    sleep(ms) {
      if (pendingWake) {
        pendingWake = false;
        return Promise.resolve();
      }
      return new Promise<void>((resolve) => {
        const timer = setTimeout(done, ms);
        function done() {
          clearTimeout(timer);
          wakeCurrent = null;
          resolve();
        }
        wakeCurrent = done;
      });
    },
    wake() {
      if (wakeCurrent) wakeCurrent();
      else pendingWake = true;
    },
  };
}

export type BackOff = { initialMs: number; maxMs: number };

/** The delay before retry number `failures` (1-based): initial × 2^(failures − 1), capped. */
export const backOffDelay = (b: BackOff, failures: number): number =>
  Math.min(b.maxMs, b.initialMs * 2 ** Math.min(Math.max(failures - 1, 0), 20));
