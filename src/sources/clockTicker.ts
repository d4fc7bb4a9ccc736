// The service's wall clock as facts: a ClockTicked per server every `intervalSec` while something
// of that server waits for time to pass (src/runtime/waitingServers.ts: a decision deadline, a
// session the gap has not closed), and every `idleSec` otherwise, so the correlator can close the
// last round of an evening and the log grows with games, not with uptime. A replay decides the same
// way because the ticks are in the log. Ticks fall on multiples of the interval (atUnix = wall clock
// seconds, rounded down), so two instances, or a restart within one interval, append the same tick once.
import type { ClockTicked } from '../events/clockTicked.ts';
import { clockTickIdentity } from '../events/ids.ts';
import type { NewEvent } from '../store/eventStore.ts';
import type { SourceDeps } from './factSink.ts';

export type ClockTickerOptions = SourceDeps & {
  servers: string[];
  intervalSec?: number;
  /** Between ticks of a server nothing waits for (default 3600 s). */
  idleSec?: number;
  /** The servers that wait for time to pass; null (or a failure): tick them all. Unset: always tick. */
  waiting?: (servers: readonly string[]) => Promise<Set<string> | null>;
  now?: () => number;
};

export type ClockTicker = {
  /** Ticks at once, then on every interval boundary. */
  start(): void;
  stop(): Promise<void>;
  /** One tick for every server at the current boundary (what the timer calls). */
  tick(): Promise<void>;
};

export function tickEvent(serverId: string, atUnix: number): NewEvent {
  const data: ClockTicked['data'] = { serverId, atUnix };
  return { ...clockTickIdentity(serverId, atUnix), type: 'ClockTicked', schemaVersion: 2, data };
}

export function createClockTicker(opts: ClockTickerOptions): ClockTicker {
  const intervalSec = opts.intervalSec ?? 30;
  const now = opts.now ?? Date.now;
  const log = opts.log.child({ source: 'tick' });
  let timer: NodeJS.Timeout | null = null;
  let running: Promise<void> = Promise.resolve();
  let stopped = false;

  const boundary = () => Math.floor(now() / 1000 / intervalSec) * intervalSec;

  const idleSec = opts.idleSec ?? 3600;

  /** The servers to tick now: those that wait, and all of them on an idle boundary. */
  async function due(atUnix: number): Promise<string[]> {
    if (!opts.waiting || atUnix % idleSec < intervalSec) return opts.servers;
    const waiting = await opts.waiting(opts.servers).catch((e: unknown) => {
      log.warn({ err: e }, 'could not tell which servers wait for a deadline: ticking them all');
      return null;
    });
    return waiting === null ? opts.servers : opts.servers.filter((s) => waiting.has(s));
  }

  async function tick(): Promise<void> {
    const atUnix = boundary();
    const servers = await due(atUnix);
    if (servers.length === 0) return;
    const events = servers.map((s) => tickEvent(s, atUnix));
    try {
      const outcomes = await opts.append(events);
      const serverOf = new Map(events.map((e, i) => [e.eventId, servers[i]!]));
      for (const o of outcomes)
        opts.metrics.factsAppended.inc({
          source: 'tick',
          server: serverOf.get(o.eventId) ?? 'unknown',
          type: 'ClockTicked',
          outcome: o.status,
        });
      log.debug({ atUnix, servers: servers.length }, 'clock ticked');
    } catch (e) {
      // A missed tick needs no catching up: the next one carries a later time.
      for (const s of servers) opts.metrics.sourceErrors.inc({ source: 'tick', server: s, reason: 'append' });
      log.error({ err: e, atUnix }, 'could not append the clock tick; the next one follows');
    }
  }

  function schedule() {
    if (stopped) return;
    const next = (boundary() + intervalSec) * 1000;
    timer = setTimeout(
      () => {
        running = tick().then(schedule);
      },
      Math.max(0, next - now()),
    );
  }

  return {
    start() {
      if (opts.servers.length === 0) return;
      running = tick().then(schedule);
    },
    async stop() {
      stopped = true;
      if (timer) clearTimeout(timer);
      await running;
    },
    tick,
  };
}
