// LISTEN for a whole pool on one session: every projection, sink and page feed of a process waits on
// a channel, and a session each would hold a server process each (on the embedded store, ≈ 10 MB
// apiece for nothing). The session is taken when the first listener comes and given back when the
// last leaves. A lost session only delays wake-ups: every listener also polls.
import type pg from 'pg';

type Session = { client: pg.PoolClient; channels: Map<string, Set<() => void>> };

export type ListenerHub = {
  listen(channel: string, onNotify: () => void): Promise<() => Promise<void>>;
  /** Gives the session back (before the pool ends). */
  close(): Promise<void>;
};

export function createListenerHub(connect: () => Promise<pg.PoolClient>): ListenerHub {
  let session: Promise<Session> | null = null;
  // LISTEN, UNLISTEN and the release of the session run one at a time, in order.
  let queue: Promise<unknown> = Promise.resolve();
  const serial = <T>(work: () => Promise<T>): Promise<T> => {
    const next = queue.then(work, work);
    queue = next.catch(() => {});
    return next;
  };

  const open = (): Promise<Session> => {
    session ??= connect().then((client) => {
      const s: Session = { client, channels: new Map() };
      client.on('notification', (n) => {
        for (const notify of s.channels.get(n.channel) ?? []) notify();
      });
      // A session that ends under us is not reused: the next listener opens another.
      const mine = session;
      client.once('end', () => {
        if (session === mine) session = null;
      });
      return s;
    });
    return session.catch((e) => {
      session = null;
      throw e;
    });
  };

  const release = async (s: Session) => {
    session = null;
    s.client.release(true);
  };

  return {
    listen: (channel, onNotify) =>
      serial(async () => {
        const s = await open();
        let listeners = s.channels.get(channel);
        if (!listeners) {
          listeners = new Set();
          await s.client.query(`listen ${channel}`);
          s.channels.set(channel, listeners);
        }
        listeners.add(onNotify);
        let removed = false;
        return () =>
          serial(async () => {
            if (removed) return;
            removed = true;
            listeners!.delete(onNotify);
            if (listeners!.size > 0) return;
            s.channels.delete(channel);
            await s.client.query(`unlisten ${channel}`).catch(() => {});
            if (s.channels.size === 0 && session !== null) await release(s);
          });
      }),
    close: () =>
      serial(async () => {
        if (session === null) return;
        const s = await session.catch(() => null);
        if (s) await release(s);
      }),
  };
}
