import type { SqlExecutor } from './sqlDatabase.ts';

/** An event to append. Its id is deterministic (src/events/ids.ts), which makes appends idempotent. */
export type NewEvent = {
  eventId: string;
  streamId: string;
  type: string;
  schemaVersion: number;
  data: unknown;
  /** The exact bytes of a raw fact; stored apart from `data`, never decoded by the store. */
  raw?: Uint8Array | null;
};

export type StoredEvent = {
  position: number;
  eventId: string;
  streamId: string;
  streamVersion: number;
  type: string;
  schemaVersion: number;
  data: unknown;
  raw: Uint8Array | null;
  recordedAt: Date;
};

/** `number`: the stream's current version (its last event's, 0-based); `no_stream`: must not exist yet. */
export type ExpectedVersion = number | 'no_stream' | 'any';

export type AppendOutcome = {
  eventId: string;
  status: 'appended' | 'duplicate';
  position: number;
  streamVersion: number;
};

export type Subscription = {
  /** Resolves when the subscription stopped; rejects with the handler's or the store's error. */
  readonly done: Promise<void>;
  stop(): Promise<void>;
};

export interface EventStore {
  readonly kind: 'pglite' | 'postgres' | 'eventstoredb';
  /** Appends to one stream. An event whose id is already stored is reported `duplicate` and not stored again. */
  append(streamId: string, events: NewEvent[], opts?: { expectedVersion?: ExpectedVersion }): Promise<AppendOutcome[]>;
  /** Appends facts, each to its own stream, in one atomic batch (idempotent per event id). */
  appendFacts(events: NewEvent[]): Promise<AppendOutcome[]>;
  readStream(streamId: string): Promise<StoredEvent[]>;
  /** Events with position > `after`, in global order, at most `limit`. */
  readAll(after: number, limit: number): Promise<StoredEvent[]>;
  /**
   * Events of these types with `after` < position ≤ `through`, in global order, at most `limit` (fewer
   * when a batch reaches the store's byte budget: the caller reads on from the last one returned).
   * Optional: a store that can filter on its side saves a projection reading (and the client
   * decoding) every event it would skip. Positions up to `through` must all be committed.
   */
  readTypes?(after: number, through: number, types: readonly string[], limit: number): Promise<StoredEvent[]>;
  /** The last committed position (0 when empty). */
  headPosition(): Promise<number>;
  /**
   * Delivers every event after `after`, exactly once and in order, in batches; waits for new
   * appends when caught up. A batch is handed over only after the previous one's handler resolved.
   */
  subscribe(
    after: number,
    onBatch: (events: StoredEvent[]) => Promise<void>,
    opts?: { batchSize?: number },
  ): Subscription;
  /**
   * Appends inside a transaction of the read-model database, when the log lives in that same
   * database (PGlite, PostgreSQL): a processor's emitted events commit with its checkpoint.
   */
  appendWithin?(tx: SqlExecutor, events: NewEvent[]): Promise<AppendOutcome[]>;
  close(): Promise<void>;
}
