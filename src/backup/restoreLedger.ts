// `et-ledger restore`: a backup into an EMPTY PGlite or PostgreSQL store, in two steps.
//
// 1. The log, in one transaction that holds the log's append lock: refused if the store holds an
//    event; every event appended with its own position, id, stream version, recorded time, data
//    text and bytes; the generations and the outside world's tables (Discord messages, sink and
//    source positions) with it. The file is checked as it is read and the transaction commits only
//    after its trailer matched (counts, sha256): a damaged file leaves the store as it was, empty.
// 2. The read models, rebuilt from the log (rebuildRestored.ts; they are derived). The correlator
//    is the exception that needs care: its verdicts are in the log already, and other records name their ids
//    (verdict history, the Discord messages). Deciding them again from the facts would not give the
//    same chain (a verdict decided early and superseded later comes out as one verdict when all
//    facts are read at once), so the correlator of the backup's active generation is rebuilt under
//    that same generation number, reading the facts up to the checkpoint it had with its appends
//    withheld, and its standing verdicts are then taken from its own events in the log
//    (correlatorState.ts). Followers (verdicts, discord-outbox) read those events as they are.
import type { Readable } from 'node:stream';
import { LedgerError } from '../errors.ts';
import { ensureCatalog } from '../runtime/catalog.ts';
import { ensureDeadLetters } from '../runtime/deadLetters.ts';
import type { Ledger } from '../store/openStore.ts';
import { ident, packBytes, type SqlExecutor } from '../store/sqlDatabase.ts';
import type { BackupHeader, BuildLine, CarriedTable, EventLine, GenerationLine, TrailerLine } from './format.ts';
import { readBackup } from './readBackup.ts';
import { tableName } from './stores.ts';

export type LoadedBackup = {
  header: BackupHeader;
  trailer: TrailerLine;
  generations: GenerationLine[];
  builds: BuildLine[];
};

const BATCH_EVENTS = 500;
const BATCH_BYTES = 16 * 1024 * 1024;
/** A large fact's chunks are appended to its row in pieces of about this size. */
const RAW_APPEND_BYTES = 16 * 1024 * 1024;

/** Step 1: the log and the catalog, all or nothing. */
export async function restoreLog(
  ledger: Ledger,
  input: Readable,
  opts: { target: string; onEvent?: (count: number) => void } = { target: 'the store' },
): Promise<LoadedBackup> {
  if (ledger.store.kind === 'eventstoredb')
    throw new LedgerError('USAGE', 'restore writes into embedded:, pglite: and postgres: stores only');
  const { db } = ledger;
  return db.transaction(async (tx) => {
    // The appenders' own lock: no one appends while the log is restored, and an append that came
    // first is seen by the check below.
    await tx.query('lock table ledger.events in exclusive mode');
    const held = await tx.query<{ head: number; any: boolean }>(
      'select coalesce(max(position), 0) as head, exists (select 1 from ledger.events) as any from ledger.events',
    );
    if (held.rows[0]!.any) {
      const n = await tx.query<{ n: number }>('select count(*)::int as n from ledger.events');
      throw new LedgerError(
        'STORE_CONFLICT',
        `${opts.target} already holds ${n.rows[0]!.n} events (head ${Number(held.rows[0]!.head)}): restore writes only into an empty store and never over a log; name a new database or folder`,
      );
    }
    if (db.kind === 'postgres') await tx.query("select pg_advisory_xact_lock(hashtext('et-ledger catalog'))");
    await ensureCatalog(tx);
    await ensureDeadLetters(tx);
    await forgetEmptyBuilds(tx);

    let header: BackupHeader | null = null;
    let trailer: TrailerLine | null = null;
    const generations: GenerationLine[] = [];
    const builds: BuildLine[] = [];
    let batch: Pending[] = [];
    let batchBytes = 0;
    let count = 0;
    let rawPiece: { position: number; parts: Buffer[]; bytes: number } | null = null;
    const rows = new Map<CarriedTable, Record<string, unknown>[]>();
    const ensured = new Set<CarriedTable>();
    const flush = async () => {
      if (batch.length === 0) return;
      await insertEvents(tx, batch);
      count += batch.length;
      opts.onEvent?.(count);
      batch = [];
      batchBytes = 0;
    };
    const flushRaw = async () => {
      if (!rawPiece || rawPiece.parts.length === 0) return;
      await tx.query('update ledger.events set raw = raw || $2::bytea where position = $1', [
        rawPiece.position,
        Buffer.concat(rawPiece.parts),
      ]);
      rawPiece.parts = [];
      rawPiece.bytes = 0;
    };
    const flushRows = async (table: CarriedTable) => {
      const pending = rows.get(table);
      if (!pending?.length) return;
      if (!ensured.has(table)) {
        await ensureCarriedTable(tx, table, pending[0]!);
        ensured.add(table);
      }
      await upsertRows(tx, table, pending);
      rows.set(table, []);
    };
    for await (const r of readBackup(input)) {
      switch (r.kind) {
        case 'header':
          header = r.header;
          break;
        case 'event':
          batch.push({ event: r.event, dataJson: r.dataJson, raw: r.event.rawChunks ? Buffer.alloc(0) : r.raw });
          batchBytes += (r.raw?.byteLength ?? 0) + r.dataJson.length;
          // A large fact's row goes in first; its bytes are appended to it chunk by chunk.
          if (r.event.rawChunks) {
            await flush();
            rawPiece = { position: r.event.position, parts: [], bytes: 0 };
          } else if (batch.length >= BATCH_EVENTS || batchBytes >= BATCH_BYTES) await flush();
          break;
        case 'raw':
          rawPiece!.parts.push(r.bytes);
          rawPiece!.bytes += r.bytes.byteLength;
          if (r.last || rawPiece!.bytes >= RAW_APPEND_BYTES) await flushRaw();
          if (r.last) rawPiece = null;
          break;
        case 'generation':
          generations.push(r.line);
          break;
        case 'build':
          builds.push(r.line);
          break;
        case 'row': {
          const pending = rows.get(r.table) ?? [];
          pending.push(r.row);
          rows.set(r.table, pending);
          if (pending.length >= 500) await flushRows(r.table);
          break;
        }
        case 'end':
          trailer = r.trailer;
          break;
      }
    }
    await flush();
    for (const table of rows.keys()) await flushRows(table);
    // readBackup ends without throwing only after a trailer that matched what was read.
    if (!header || !trailer) throw new Error('readBackup ended without a trailer');
    if (count !== trailer.events) throw new Error(`restored ${count} events, the backup holds ${trailer.events}`);
    await insertGenerations(tx, generations);
    return { header, trailer, generations, builds };
  });
}

type Pending = { event: EventLine; dataJson: string; raw: Buffer | null };

async function insertEvents(tx: SqlExecutor, batch: Pending[]): Promise<void> {
  const raws = packBytes(batch.map((b) => b.raw));
  await tx.query(
    `insert into ledger.events (position, event_id, stream_id, stream_version, type, schema_version, data, raw, recorded_at)
     select p, id, s, v, t, sv, d::jsonb, case when o is null then null else substring($10::bytea from o for l) end, r::timestamptz
     from unnest($1::bigint[], $2::uuid[], $3::text[], $4::int[], $5::text[], $6::int[], $7::text[], $8::int[], $9::int[], $11::text[])
       as x(p, id, s, v, t, sv, d, o, l, r)`,
    [
      batch.map((b) => b.event.position),
      batch.map((b) => b.event.eventId),
      batch.map((b) => b.event.streamId),
      batch.map((b) => b.event.streamVersion),
      batch.map((b) => b.event.type),
      batch.map((b) => b.event.schemaVersion),
      batch.map((b) => b.dataJson),
      raws.offsets,
      raws.lengths,
      raws.blob,
      batch.map((b) => b.event.recordedAt),
    ],
  );
}

/**
 * An empty log's builds (a `status` or `export` ran on the empty store) read nothing and are
 * dropped, with their generations: the backup's catalog takes their place.
 */
async function forgetEmptyBuilds(tx: SqlExecutor): Promise<void> {
  const builds = await tx.query<{ schema_name: string }>('select schema_name from ledger.projection_builds');
  for (const b of builds.rows) await tx.exec(`drop schema if exists ${ident(b.schema_name)} cascade`);
  await tx.exec(
    'delete from ledger.projection_builds; delete from ledger.generations; delete from ledger.dead_letters',
  );
}

export async function insertGenerations(tx: SqlExecutor, generations: GenerationLine[]): Promise<void> {
  if (generations.length === 0) return;
  await tx.query(
    `insert into ledger.generations (name, generation, schema_name, created_at, activated_position)
     select * from unnest($1::text[], $2::int[], $3::text[], $4::timestamptz[], $5::bigint[])
     on conflict (name, generation) do nothing`,
    [
      generations.map((g) => g.name),
      generations.map((g) => g.generation),
      generations.map((g) => g.schemaName),
      generations.map((g) => g.createdAt),
      generations.map((g) => g.activatedPosition),
    ],
  );
}

/** Creates a carried table the way its owner does (the owner's own DDL, never a copy of it). */
async function ensureCarriedTable(tx: SqlExecutor, table: CarriedTable, first: Record<string, unknown>): Promise<void> {
  switch (table) {
    case 'discord_sink.messages': {
      const { ensureSentTable } = await import('../sinks/discord/sentMessages.ts');
      await ensureSentTable(tx);
      return;
    }
    case 'ledger.sink_checkpoints': {
      // Its owner creates the table when it first reads a checkpoint; the upsert then sets the row.
      const { openSinkCheckpoint } = await import('../sinks/kafkaSinkCheckpoint.ts');
      await openSinkCheckpoint(tx, String(first.name));
      return;
    }
    case 'ledger.source_cursors': {
      const { openSqlCursorStore } = await import('../sources/fileCursor.ts');
      await openSqlCursorStore(tx);
      return;
    }
  }
}

/**
 * Rows by the columns the table has now and the backup has too (a column added since is left to
 * its default, one dropped since is ignored); a row already there takes the backup's values.
 */
async function upsertRows(tx: SqlExecutor, table: CarriedTable, rows: Record<string, unknown>[]): Promise<void> {
  const cols = await tx.query<{ name: string; pk: boolean }>(
    `select a.attname as name, coalesce(a.attnum = any(i.indkey), false) as pk
     from pg_attribute a left join pg_index i on i.indrelid = a.attrelid and i.indisprimary
     where a.attrelid = $1::regclass and a.attnum > 0 and not a.attisdropped order by a.attnum`,
    [table],
  );
  const present = cols.rows.filter((c) => Object.hasOwn(rows[0]!, c.name));
  const names = present.map((c) => ident(c.name)).join(', ');
  const keys = present.filter((c) => c.pk).map((c) => ident(c.name));
  const others = present.filter((c) => !c.pk).map((c) => `${ident(c.name)} = excluded.${ident(c.name)}`);
  const conflict =
    keys.length === 0
      ? ''
      : `on conflict (${keys.join(', ')}) do ${others.length ? `update set ${others}` : 'nothing'}`;
  await tx.query(
    `insert into ${tableName(table)} (${names}) select ${names} from jsonb_populate_recordset(null::${tableName(table)}, $1::jsonb) ${conflict}`,
    [JSON.stringify(rows)],
  );
}
