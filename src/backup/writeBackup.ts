// `et-ledger backup`: the log and the catalog that is not derived from it, streamed to a file.
// Everything is read in ONE snapshot (a repeatable-read transaction of the database holding the
// log or, for EventStoreDB, the catalog): the Discord messages, sink checkpoints and generations
// written name nothing beyond the head written. Memory stays flat in the log's size: the log is
// read in pages bounded by count and bytes, a large fact's bytes in chunks.
import type { Writable } from 'node:stream';
import type { EventStore, StoredEvent } from '../store/eventStore.ts';
import type { SqlExecutor } from '../store/sqlDatabase.ts';
import {
  BACKUP_FORMAT,
  BACKUP_FORMAT_VERSION,
  type BackupHeader,
  type BuildLine,
  CARRIED_TABLES,
  type EventLine,
  etLedgerVersion,
  eventLine,
  type GenerationLine,
  RAW_INLINE_MAX_BYTES,
  type TrailerLine,
} from './format.ts';
import { type LineWriter, lineWriter } from './lineFile.ts';
import { type BackupSource, tableName } from './stores.ts';

/** What a backup holds: its trailer line's counts and checksum. */
export type BackupSummary = Omit<TrailerLine, 'kind' | 'lines'>;

export type BackupOptions = {
  /** Called once the snapshot's head is known, then with each position written. */
  onStart?: (headPosition: number) => void;
  onProgress?: (position: number) => void;
  /** End `out` when done (false for stdout). */
  endOutput?: boolean;
  now?: () => Date;
};

const PAGE_ROWS = 500;
const PAGE_BYTES = 32 * 1024 * 1024;
const utc = (column: string) => `to_char(${column} at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')`;

/** Writes the backup of `source` to `out`; `out` holds a complete, verified-on-restore file when this resolves. */
export async function writeBackup(
  source: BackupSource,
  out: Writable,
  opts: BackupOptions = {},
): Promise<BackupSummary> {
  const writer = lineWriter(out, { endOutput: opts.endOutput ?? true });
  try {
    return await source.db.transaction(async (tx) => {
      // One snapshot for everything read from this database (PGlite: one session, nobody else writes).
      await tx.exec('set transaction isolation level repeatable read, read only');
      const generations = await readGenerations(tx);
      const builds = await readBuilds(tx);
      const sql = source.store === null;
      const head = sql ? await sqlHead(tx) : await source.store!.headPosition();
      const types = sql ? await sqlTypeCounts(tx, head) : null;
      opts.onStart?.(head);
      const header: BackupHeader = {
        kind: 'header',
        format: BACKUP_FORMAT,
        formatVersion: BACKUP_FORMAT_VERSION,
        etLedgerVersion,
        createdAt: (opts.now?.() ?? new Date()).toISOString(),
        source: { kind: source.kind },
        headPosition: head,
        events: types ? Object.values(types).reduce((a, b) => a + b, 0) : null,
        types,
      };
      await writer.write(JSON.stringify(header));
      const counted = { events: 0, last: 0, types: {} as Record<string, number> };
      const onEvent = (position: number, type: string) => {
        counted.events++;
        counted.last = position;
        counted.types[type] = (counted.types[type] ?? 0) + 1;
        opts.onProgress?.(position);
      };
      if (sql) await writeSqlEvents(tx, head, writer, onEvent);
      else await writeStoreEvents(source.store!, head, writer, onEvent);
      for (const g of generations) await writer.write(JSON.stringify(g));
      for (const b of builds) await writer.write(JSON.stringify(b));
      const rows: Record<string, number> = {};
      for (const table of CARRIED_TABLES) rows[table] = await writeRows(tx, table, writer);
      const trailer: TrailerLine = {
        kind: 'end',
        headPosition: counted.last,
        events: counted.events,
        types: sortKeys(counted.types),
        generations: generations.length,
        builds: builds.length,
        rows,
        lines: writer.lines,
        sha256: writer.digest(),
      };
      await writer.end(JSON.stringify(trailer));
      return {
        headPosition: trailer.headPosition,
        events: trailer.events,
        types: trailer.types,
        generations: trailer.generations,
        builds: trailer.builds,
        rows,
        sha256: trailer.sha256,
      };
    });
  } catch (e) {
    writer.abort(e as Error);
    throw e;
  }
}

const sortKeys = (o: Record<string, number>) =>
  Object.fromEntries(Object.entries(o).sort(([a], [b]) => (a < b ? -1 : 1)));

async function exists(tx: SqlExecutor, table: string): Promise<boolean> {
  const r = await tx.query<{ t: string | null }>('select to_regclass($1)::text as t', [table]);
  return r.rows[0]?.t != null;
}

async function readGenerations(tx: SqlExecutor): Promise<GenerationLine[]> {
  if (!(await exists(tx, 'ledger.generations'))) return [];
  const r = await tx.query<{
    name: string;
    generation: number;
    schema_name: string;
    created_at: string;
    activated_position: number | null;
  }>(
    `select name, generation, schema_name, ${utc('created_at')} as created_at, activated_position
     from ledger.generations order by name, generation`,
  );
  return r.rows.map((g) => ({
    kind: 'generation',
    name: g.name,
    generation: Number(g.generation),
    schemaName: g.schema_name,
    createdAt: g.created_at,
    activatedPosition: g.activated_position === null ? null : Number(g.activated_position),
  }));
}

async function readBuilds(tx: SqlExecutor): Promise<BuildLine[]> {
  if (!(await exists(tx, 'ledger.projection_builds'))) return [];
  const r = await tx.query<{
    name: string;
    version: number;
    schema_name: string;
    status: string;
    position: number;
    generation: number;
    follows_generation: number | null;
  }>(
    `select name, version, schema_name, status, position, generation, follows_generation
     from ledger.projection_builds where status <> 'scratch' order by name, created_at`,
  );
  return r.rows.map((b) => ({
    kind: 'build',
    name: b.name,
    version: Number(b.version),
    schemaName: b.schema_name,
    status: b.status,
    position: Number(b.position),
    generation: Number(b.generation),
    followsGeneration: b.follows_generation === null ? null : Number(b.follows_generation),
  }));
}

async function sqlHead(tx: SqlExecutor): Promise<number> {
  const r = await tx.query<{ p: number }>('select coalesce(max(position), 0) as p from ledger.events');
  return Number(r.rows[0]!.p);
}

async function sqlTypeCounts(tx: SqlExecutor, head: number): Promise<Record<string, number>> {
  const r = await tx.query<{ type: string; n: number }>(
    'select type, count(*)::int as n from ledger.events where position <= $1 group by type order by type',
    [head],
  );
  return Object.fromEntries(r.rows.map((x) => [x.type, Number(x.n)]));
}

type SqlEventRow = {
  position: number;
  event_id: string;
  stream_id: string;
  stream_version: number;
  type: string;
  schema_version: number;
  data: string;
  raw: Uint8Array | null;
  raw_bytes: number | null;
  recorded_at: string;
};

const toBuffer = (u: Uint8Array) => Buffer.from(u.buffer, u.byteOffset, u.byteLength);

/** The log as stored, straight from ledger.events: data as the database's JSON text, times to the microsecond. */
async function writeSqlEvents(
  tx: SqlExecutor,
  head: number,
  writer: LineWriter,
  onEvent: (position: number, type: string) => void,
): Promise<void> {
  const inline = `octet_length(raw) <= ${RAW_INLINE_MAX_BYTES}`;
  for (let after = 0; after < head; ) {
    // A page ends where its inline bytes pass the budget (at least one row), as the store's own reads do.
    const page = await tx.query<SqlEventRow>(
      `with chosen as (
         select position, sum(case when ${inline} then octet_length(raw) else 0 end) over (order by position) as bytes
         from (select position, raw from ledger.events where position > $1 and position <= $2 order by position limit $3) x)
       select position, event_id::text as event_id, stream_id, stream_version, type, schema_version, data::text as data,
         case when ${inline} then raw end as raw, octet_length(raw) as raw_bytes, ${utc('recorded_at')} as recorded_at
       from ledger.events
       where position > $1 and position <= (select coalesce(max(position) filter (where bytes <= $4), min(position)) from chosen)
       order by position`,
      [after, head, PAGE_ROWS, PAGE_BYTES],
    );
    if (page.rows.length === 0) break;
    for (const r of page.rows) {
      const size = r.raw_bytes === null ? null : Number(r.raw_bytes);
      const chunked = size !== null && size > RAW_INLINE_MAX_BYTES;
      const event: Omit<EventLine, 'kind'> = {
        position: Number(r.position),
        eventId: r.event_id,
        streamId: r.stream_id,
        streamVersion: Number(r.stream_version),
        type: r.type,
        schemaVersion: Number(r.schema_version),
        recordedAt: r.recorded_at,
        raw: chunked ? '' : r.raw === null ? null : toBuffer(r.raw).toString('base64'),
        rawBytes: size,
        ...(chunked ? { rawChunks: Math.ceil(size / RAW_INLINE_MAX_BYTES) } : {}),
      };
      await writer.write(eventLine(event, r.data));
      if (chunked) {
        for (let offset = 0; offset < size; offset += RAW_INLINE_MAX_BYTES) {
          const c = await tx.query<{ b: Uint8Array }>(
            'select substring(raw from $2 for $3) as b from ledger.events where position = $1',
            [event.position, offset + 1, RAW_INLINE_MAX_BYTES],
          );
          await writer.write(
            JSON.stringify({ kind: 'raw', position: event.position, b: toBuffer(c.rows[0]!.b).toString('base64') }),
          );
        }
      }
      onEvent(event.position, event.type);
    }
    after = Number(page.rows[page.rows.length - 1]!.position);
  }
}

/** The log through the store's interface (EventStoreDB): the events as the store hands them back. */
async function writeStoreEvents(
  store: EventStore,
  head: number,
  writer: LineWriter,
  onEvent: (position: number, type: string) => void,
): Promise<void> {
  for (let after = 0; after < head; ) {
    const page = (await store.readAll(after, PAGE_ROWS)).filter((e) => e.position <= head);
    if (page.length === 0) break;
    for (const e of page) await writeStoredEvent(e, writer, onEvent);
    after = page[page.length - 1]!.position;
  }
}

async function writeStoredEvent(
  e: StoredEvent,
  writer: LineWriter,
  onEvent: (position: number, type: string) => void,
): Promise<void> {
  const raw = e.raw ? toBuffer(e.raw) : null;
  const chunked = raw !== null && raw.byteLength > RAW_INLINE_MAX_BYTES;
  const event: Omit<EventLine, 'kind'> = {
    position: e.position,
    eventId: e.eventId,
    streamId: e.streamId,
    streamVersion: e.streamVersion,
    type: e.type,
    schemaVersion: e.schemaVersion,
    recordedAt: e.recordedAt.toISOString(),
    raw: chunked ? '' : raw === null ? null : raw.toString('base64'),
    rawBytes: raw === null ? null : raw.byteLength,
    ...(chunked ? { rawChunks: Math.ceil(raw.byteLength / RAW_INLINE_MAX_BYTES) } : {}),
  };
  await writer.write(eventLine(event, JSON.stringify(e.data)));
  if (chunked)
    for (let offset = 0; offset < raw.byteLength; offset += RAW_INLINE_MAX_BYTES)
      await writer.write(
        JSON.stringify({
          kind: 'raw',
          position: e.position,
          b: raw.subarray(offset, offset + RAW_INLINE_MAX_BYTES).toString('base64'),
        }),
      );
  onEvent(e.position, e.type);
}

/** Every row of one carried table, through a cursor of the snapshot's transaction. */
async function writeRows(tx: SqlExecutor, table: string, writer: LineWriter): Promise<number> {
  if (!(await exists(tx, table))) return 0;
  await tx.exec(
    `declare backup_rows no scroll cursor for select to_jsonb(t)::text as j from ${tableName(table)} t order by 1`,
  );
  let n = 0;
  for (;;) {
    const page = await tx.query<{ j: string }>('fetch forward 500 from backup_rows');
    if (page.rows.length === 0) break;
    for (const { j } of page.rows) {
      await writer.write(`{"kind":"row","table":${JSON.stringify(table)},"row":${j}}`);
      n++;
    }
  }
  await tx.exec('close backup_rows');
  return n;
}
