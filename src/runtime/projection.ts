import type { EventOf, EventType, LedgerEvent } from '../events/index.ts';
import type { NewEvent } from '../store/eventStore.ts';
import type { SqlExecutor } from '../store/sqlDatabase.ts';

/** Where an event sits in the log; handlers may record it (quarantine rows name their fact). */
export type EventMeta = { position: number; eventId: string; streamId: string; recordedAt: Date };

export type ApplyContext = {
  /** The build's transaction; its search_path is the build's schema, so SQL names tables unqualified. */
  tx: SqlExecutor;
  /** Events to append to the log with the batch (only processors such as the correlator use it). */
  emit(events: NewEvent[]): void;
  /** The build's generation: a processor stamps it on every event it emits (DESIGN invariant 8). */
  generation: number;
};

/** A run of consecutive events of one type, in log order, each with its position. */
export type Handler<T extends EventType> = (
  events: { event: EventOf<T>; meta: EventMeta }[],
  ctx: ApplyContext,
) => Promise<void>;

/**
 * A fold written as one SQL statement over the relation `events` — (position bigint, event_id
 * text, stream_id text, data jsonb, recorded_at timestamptz), a run of one event type in log order,
 * `data` in the type's current schema version. When the log shares the read model's database
 * the runtime feeds it straight from `ledger.events` (a rebuild never moves those events through
 * the client); otherwise, or for events stored in an older version (upcast first), it feeds the
 * same statement from the decoded events. One fold, two feeders: the results are the same.
 */
export type SqlFold = { readonly kind: 'sql'; readonly sql: string };

export const sqlFold = (sql: string): SqlFold => Object.freeze({ kind: 'sql' as const, sql });

export const isSqlFold = (h: unknown): h is SqlFold =>
  typeof h === 'object' && h !== null && (h as { kind?: unknown }).kind === 'sql';

/** A read model's table or view: its unique columns (the stable sort order). */
export type TableSpec = {
  key: string[];
  /**
   * A view whose rows are a function of another table's row, found by that table's key (which
   * this view's rows carry): a rebuild's report compares only the rows under that table's changed
   * keys (player_weapon_stats, 1.7 million rows at 20 000 rounds, under player_stats).
   */
  changesWith?: string;
};

export type ProjectionDefinition = {
  /** Read-model name as the CLI knows it (`rounds`, `player-stats`, …). */
  name: string;
  /** Bump to rebuild: a new version builds into a fresh schema and is swapped in when caught up. */
  version: number;
  /** DDL for the build's tables, unqualified (runs with search_path = the build's schema). */
  schemaSql: () => Promise<string>;
  /** Tables (or views) readers see as `read.<table>` and `export` prints; `key`: unique columns, the stable sort order. */
  tables: Record<string, TableSpec>;
  /**
   * A processor (it emits events) names the derived types it appends; a projection reading them
   * names the processor in `follows`: it reads only the active generation's events, is rebuilt
   * with every new build of the processor and swapped in with it (src/runtime/generations.ts).
   */
  emits?: readonly EventType[];
  follows?: string;
  /** The handled event types are exactly this map's keys: a handler in TypeScript, or a SQL fold. */
  on: { [T in EventType]?: Handler<T> | SqlFold };
  /**
   * Work the build deferred while it caught up, done once it is at the log's head, in a transaction
   * of its own (src/runtime/caughtUp.ts). It must be idempotent and cheap when nothing is deferred.
   */
  caughtUp?: (tx: SqlExecutor) => Promise<void>;
};

const brand = Symbol.for('et-ledger.projection');
export type Projection = ProjectionDefinition & { readonly [brand]: true };

export function defineProjection(definition: ProjectionDefinition): Projection {
  if (!/^[a-z][a-z0-9-]*$/.test(definition.name))
    throw new Error(`projection name ${definition.name} must be lower-case words joined by -`);
  return Object.freeze({ ...definition, [brand]: true as const });
}

export const isProjection = (value: unknown): value is Projection =>
  typeof value === 'object' && value !== null && (value as Record<symbol, unknown>)[brand] === true;

export const handles = (p: Projection, type: string): boolean => Object.hasOwn(p.on, type);

/** Splits a batch into runs of one type so a handler can write a whole run in one statement. */
export function runsByType(
  events: { event: LedgerEvent; meta: EventMeta }[],
): { type: EventType; items: { event: LedgerEvent; meta: EventMeta }[] }[] {
  const runs: { type: EventType; items: { event: LedgerEvent; meta: EventMeta }[] }[] = [];
  for (const item of events) {
    const last = runs[runs.length - 1];
    if (last && last.type === item.event.type) last.items.push(item);
    else runs.push({ type: item.event.type, items: [item] });
  }
  return runs;
}
