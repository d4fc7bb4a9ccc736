// Tonight's live updates: ONE listener on the read models' notification (src/runtime/readModelNotice.ts)
// re-renders each server's section when a projection commits, and fans the sections that changed
// out to every open page. No page polls the database; a thousand open pages cost one render.
//
// Event ids are `<boot>.<version>`: a page that reconnects (EventSource sends Last-Event-ID) gets
// every section newer than what it holds; a page from before a restart (another boot) gets them all.
import type { Logger } from '../logger.ts';
import { READ_MODELS_CHANNEL } from '../runtime/readModelNotice.ts';
import type { SqlDatabase } from '../store/sqlDatabase.ts';

export type LiveSection = { serverId: string; html: string; version: number };
export type LiveEvent = { id: string; serverId: string; html: string };

export type LiveFeed = {
  /** The id a freshly rendered page holds: updates after it are sent to it. */
  currentId(): string;
  /** Sections a page holding `lastId` (or none) has not seen. */
  since(lastId: string | undefined): LiveEvent[];
  subscribe(listener: (e: LiveEvent) => void): () => void;
  /** Renders again now (tests, and the start). */
  refresh(): Promise<void>;
  close(): Promise<void>;
};

export type LiveFeedDeps = {
  db: SqlDatabase;
  /** Every server's section, rendered from the read models. */
  render: () => Promise<{ serverId: string; html: string }[]>;
  log: Logger;
  /** Coalesces a burst of commits (a batch commits every projection) into one render. */
  settleMs?: number;
};

export async function startLiveFeed(deps: LiveFeedDeps): Promise<LiveFeed> {
  const boot = Date.now().toString(36);
  const sections = new Map<string, LiveSection>();
  const listeners = new Set<(e: LiveEvent) => void>();
  let version = 0;
  let running: Promise<void> | null = null;
  let again = false;
  let timer: NodeJS.Timeout | null = null;
  let closed = false;

  const toEvent = (s: LiveSection): LiveEvent => ({ id: `${boot}.${s.version}`, serverId: s.serverId, html: s.html });

  async function renderOnce(): Promise<void> {
    const fresh = await deps.render();
    for (const { serverId, html } of fresh) {
      if (sections.get(serverId)?.html === html) continue;
      const section = { serverId, html, version: ++version };
      sections.set(serverId, section);
      for (const l of listeners) l(toEvent(section));
    }
  }

  function refresh(): Promise<void> {
    if (running) {
      again = true;
      return running;
    }
    running = (async () => {
      do {
        again = false;
        try {
          await renderOnce();
        } catch (e) {
          // A failed render keeps the last sections; the next notification tries again.
          deps.log.warn({ err: e }, 'live page render failed');
        }
      } while (again && !closed);
    })().finally(() => {
      running = null;
    });
    return running;
  }

  const schedule = () => {
    if (closed || timer) return;
    timer = setTimeout(() => {
      timer = null;
      void refresh();
    }, deps.settleMs ?? 50);
  };

  const unlisten = await deps.db.listen(READ_MODELS_CHANNEL, schedule);
  await refresh();

  return {
    currentId: () => `${boot}.${version}`,
    since(lastId) {
      const [b, v] = (lastId ?? '').split('.');
      const seen = b === boot && v !== undefined && /^\d+$/.test(v) ? Number(v) : -1;
      return [...sections.values()].filter((s) => s.version > seen).map(toEvent);
    },
    subscribe(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    refresh,
    async close() {
      closed = true;
      if (timer) clearTimeout(timer);
      listeners.clear();
      await unlisten().catch(() => {});
      await running;
    },
  };
}
