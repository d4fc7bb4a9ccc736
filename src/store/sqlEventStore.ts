import { LedgerError } from '../errors.ts';
import type { AppendOutcome, EventStore, ExpectedVersion, NewEvent, StoredEvent, Subscription } from './eventStore.ts';
import { pollingSubscription } from './pollingSubscription.ts';
import { packBytes, type SqlDatabase, type SqlExecutor, sqlFile } from './sqlDatabase.ts';

/**
 * No read of the log builds a value out of an unbounded row: a row's bytes come back only up to
 * this size (facts over ET_LEDGER_MAX_FILE_BYTES are stored without them since 0.2; an older log
 * may hold one of hundreds of MB, which would take the driver past V8's longest string), and a
 * batch stops once its bytes pass the budget (always at least one event).
 */
export const RAW_READ_MAX_BYTES = 64 * 1024 * 1024;
const BATCH_BYTE_BUDGET = 64 * 1024 * 1024;

const qualifiedColumns = (t: string) => `${t}.position, ${t}.event_id, ${t}.stream_id, ${t}.stream_version,
  ${t}.type, ${t}.schema_version, ${t}.data,
  case when octet_length(${t}.raw) <= ${RAW_READ_MAX_BYTES} then ${t}.raw end as raw,
  octet_length(${t}.raw) as raw_bytes, ${t}.recorded_at`;
const columns = qualifiedColumns('ledger.events');

/**
 * `where`/`limit` of a read, bounded by bytes too: a running sum of the sizes keeps the prefix within
 * the budget, at least one row; `chosen` counts the rows the limit let through, so a caller can tell
 * a batch cut by bytes. The limit and the running sum see positions and sizes only (octet_length
 * reads a value's header), and the rows chosen are then fetched by key, in the order the sum left
 * them (no sort of whole rows): values up to a page are stored inline (toast_tuple_target), and
 * carrying 2 000 stats files through a sort and the windows spilled them to temporary files
 * (47 against 9 ms).
 */
export function boundedRead(where: string, limitParam: string, budget = String(BATCH_BYTE_BUDGET)): string {
  return `with sized as materialized (
      select position, octet_length(raw) as size from ledger.events
      where ${where} order by position limit ${limitParam}),
    summed as (
      select position,
        sum(case when size <= ${RAW_READ_MAX_BYTES} then size else 0 end) over (order by position) as bytes_so_far,
        row_number() over (order by position) as nth
      from sized)
    select ${qualifiedColumns('e')}, (select count(*) from sized)::int as chosen
    from summed join ledger.events e on e.position = summed.position
    where summed.bytes_so_far <= ${budget} or summed.nth = 1
    order by summed.position`;
}
type EventRow = {
  position: number;
  event_id: string;
  stream_id: string;
  stream_version: number;
  type: string;
  schema_version: number;
  data: unknown;
  raw: Uint8Array | null;
  raw_bytes: number | string | null;
  recorded_at: Date | string;
};

const toStored = (r: EventRow): StoredEvent =>
  r.raw === null && r.raw_bytes !== null && Number(r.raw_bytes) > RAW_READ_MAX_BYTES ? oversizedRow(r) : storedOf(r);

const storedOf = (r: EventRow): StoredEvent => ({
  position: Number(r.position),
  eventId: r.event_id,
  streamId: r.stream_id,
  streamVersion: Number(r.stream_version),
  type: r.type,
  schemaVersion: Number(r.schema_version),
  data: r.data,
  raw: r.raw ? new Uint8Array(r.raw.buffer, r.raw.byteOffset, r.raw.byteLength) : null,
  recordedAt: new Date(r.recorded_at),
});

/**
 * A row whose bytes are too large to read (written before facts were capped): readers see it as
 * what it would be today, an unrecognized fact without its bytes, quarantined `too_large`. The log
 * itself is never rewritten.
 */
function oversizedRow(r: EventRow): StoredEvent {
  const d = (r.data ?? {}) as Record<string, unknown>;
  const size = Number(r.raw_bytes);
  return {
    ...storedOf({ ...r, raw: new Uint8Array(0) }),
    type: 'UnrecognizedFactArrived',
    schemaVersion: 1,
    data: {
      serverId: d.serverId,
      fileName: typeof d.fileName === 'string' ? d.fileName : null,
      tz: d.tz ?? 'UTC',
      sha256: d.sha256,
      sizeBytes: size,
      reason: `too_large: ${size} bytes is over what the log reads back (${RAW_READ_MAX_BYTES}); a ${r.type} stored before facts were capped, kept without its bytes`,
      source: d.source,
      arrivedAt: d.arrivedAt,
    },
  };
}

/**
 * Events of these types with after < position ≤ through, read through `executor` — the store's
 * pool, or a transaction of the same database (range catch-up reads inside its own transaction,
 * which on PGlite's single session is the only way to read at all).
 */
export async function readTypesWith(
  executor: SqlExecutor,
  after: number,
  through: number,
  types: readonly string[],
  limit: number,
): Promise<StoredEvent[]> {
  // In windows of positions, each twice as wide as the last: asked for the whole rest of the log at
  // once, the planner (which cannot know how many of the range are of these types) read all of it
  // per batch, bitmap scan and sort, and a catch-up of 100 000 rounds spent 173 s of SQL there.
  const out: StoredEvent[] = [];
  let bytes = 0;
  let from = after;
  for (let span = Math.max(limit * READ_WINDOW_PER_EVENT, 1); from < through && out.length < limit; span *= 2) {
    const to = Math.min(through, from + span);
    const r = await executor.query<EventRow & { chosen: number }>(
      boundedRead('position > $1 and position <= $2 and type = any($3::text[])', '$4', '$5'),
      [from, to, types, limit - out.length, Math.max(BATCH_BYTE_BUDGET - bytes, 0)],
    );
    for (const row of r.rows) {
      out.push(toStored(row));
      bytes += row.raw?.byteLength ?? 0;
    }
    // Fewer rows than the window held: the byte budget is spent, the batch ends here.
    if (r.rows.length > 0 && r.rows.length < r.rows[0]!.chosen) break;
    from = to;
  }
  return out;
}

/** A window of positions per event asked for: the types a projection reads are usually dense. */
const READ_WINDOW_PER_EVENT = 2;

/** The log on PostgreSQL or PGlite: one SQL implementation for both (they are the same engine). */
export async function openSqlEventStore(
  db: SqlDatabase,
  opts: { pollIntervalMs?: number } = {},
): Promise<EventStore & { db: SqlDatabase }> {
  await db.exec(await sqlFile(import.meta.url, 'ledgerSchema.sql'));
  const pollIntervalMs = opts.pollIntervalMs ?? 500;
  let closed = false;
  const live = new Set<Subscription>();

  /** Inside the locked transaction: drop already-stored ids, number the rest, insert them in one statement. */
  async function appendLocked(
    tx: SqlExecutor,
    events: NewEvent[],
    expectation: (streamId: string, current: number) => void,
  ): Promise<AppendOutcome[]> {
    await tx.query('lock table ledger.events in exclusive mode');
    const ids = events.map((e) => e.eventId);
    const existing = await tx.query<{ event_id: string; position: number; stream_version: number }>(
      'select event_id, position, stream_version from ledger.events where event_id = any($1::uuid[])',
      [ids],
    );
    const stored = new Map(
      existing.rows.map((r) => [r.event_id, { position: Number(r.position), streamVersion: Number(r.stream_version) }]),
    );
    const fresh: NewEvent[] = [];
    const seen = new Set<string>(stored.keys());
    for (const e of events) {
      if (seen.has(e.eventId)) continue;
      seen.add(e.eventId);
      fresh.push(e);
    }
    const streams = [...new Set(fresh.map((e) => e.streamId))];
    const versions = new Map<string, number>();
    if (streams.length > 0) {
      const current = await tx.query<{ stream_id: string; v: number | null }>(
        // One index probe per stream (backward scan of the (stream_id, stream_version) key).
        `select s as stream_id, (select max(stream_version) from ledger.events e where e.stream_id = s) as v
         from unnest($1::text[]) as s`,
        [streams],
      );
      for (const r of current.rows) if (r.v !== null) versions.set(r.stream_id, Number(r.v));
    }
    for (const s of streams) expectation(s, versions.get(s) ?? -1);
    const head = await tx.query<{ p: number }>('select coalesce(max(position), 0) as p from ledger.events');
    let position = Number(head.rows[0]!.p);
    const appended = new Map<string, { position: number; streamVersion: number }>();
    const planned = fresh.map((event) => {
      const streamVersion = (versions.get(event.streamId) ?? -1) + 1;
      versions.set(event.streamId, streamVersion);
      const p = { event, streamVersion, position: ++position };
      appended.set(event.eventId, { position: p.position, streamVersion });
      return p;
    });
    if (planned.length > 0) {
      const raws = packBytes(planned.map((p) => p.event.raw ?? null));
      await tx.query(
        `insert into ledger.events (position, event_id, stream_id, stream_version, type, schema_version, data, raw)
         select p, id, s, v, t, sv, j.d, case when o is null then null else substring($10::bytea from o for l) end
         from unnest($1::bigint[], $2::uuid[], $3::text[], $4::int[], $5::text[], $6::int[], $8::int[], $9::int[])
           with ordinality as x(p, id, s, v, t, sv, o, l, i)
         join jsonb_array_elements($7::jsonb) with ordinality as j(d, i) on j.i = x.i`,
        [
          planned.map((p) => p.position),
          planned.map((p) => p.event.eventId),
          planned.map((p) => p.event.streamId),
          planned.map((p) => p.streamVersion),
          planned.map((p) => p.event.type),
          planned.map((p) => p.event.schemaVersion),
          // One JSON document: as a text[] every event's JSON would take the driver's escaping pass.
          JSON.stringify(planned.map((p) => p.event.data)),
          raws.offsets,
          raws.lengths,
          raws.blob,
        ],
      );
      await tx.query("select pg_notify('ledger_events', $1)", [String(position)]);
    }
    const reported = new Set<string>();
    return events.map((e) => {
      const mine = appended.get(e.eventId);
      if (mine && !reported.has(e.eventId)) {
        reported.add(e.eventId);
        return { eventId: e.eventId, status: 'appended', ...mine };
      }
      return { eventId: e.eventId, status: 'duplicate', ...(stored.get(e.eventId) ?? mine!) };
    });
  }

  async function run(events: NewEvent[], expectation: (streamId: string, current: number) => void) {
    if (closed) throw new LedgerError('STORE_UNAVAILABLE', 'the event store is closed');
    if (events.length === 0) return [];
    return db.transaction((tx) => appendLocked(tx, events, expectation));
  }

  async function readAll(after: number, limit: number): Promise<StoredEvent[]> {
    const r = await db.query<EventRow>(boundedRead('position > $1', '$2'), [after, limit]);
    return r.rows.map(toStored);
  }

  const readTypes = (after: number, through: number, types: readonly string[], limit: number) =>
    readTypesWith(db, after, through, types, limit);

  const store: EventStore & { db: SqlDatabase } = {
    kind: db.kind,
    db,
    append(streamId, events, opts = {}) {
      const expected: ExpectedVersion = opts.expectedVersion ?? 'any';
      for (const e of events) {
        if (e.streamId !== streamId)
          throw new LedgerError('USAGE', `event ${e.eventId} names stream ${e.streamId}, not ${streamId}`);
      }
      return run(events, (s, current) => {
        if (expected === 'any') return;
        const ok = expected === 'no_stream' ? current === -1 : current === expected;
        if (!ok) {
          throw new LedgerError(
            'STORE_CONFLICT',
            `stream ${s} is at version ${current}, the append expected ${expected}; read the stream again and retry`,
          );
        }
      });
    },
    appendFacts(events) {
      return run(events, () => {});
    },
    appendWithin(tx, events) {
      return events.length === 0 ? Promise.resolve([]) : appendLocked(tx, events, () => {});
    },
    async readStream(streamId) {
      const r = await db.query<EventRow>(
        `select ${columns} from ledger.events where stream_id = $1 order by stream_version`,
        [streamId],
      );
      return r.rows.map(toStored);
    },
    readAll,
    readTypes,
    async headPosition() {
      const r = await db.query<{ p: number }>('select coalesce(max(position), 0) as p from ledger.events');
      return Number(r.rows[0]!.p);
    },
    subscribe(after, onBatch, opts = {}) {
      return pollingSubscription({
        after,
        batchSize: opts.batchSize ?? 500,
        pollIntervalMs,
        readAll,
        onBatch,
        wakeOn: (wake) => db.listen('ledger_events', wake),
        live,
      });
    },
    async close() {
      closed = true;
      await Promise.all([...live].map((s) => s.stop()));
      await db.close();
    },
  };
  return store;
}
