// `et-ledger restore`: a backup into an EMPTY PGlite or PostgreSQL store, in two steps.
//
// 1. The log, in one transaction that holds the log's append lock: refused if the store holds an
//    event; every event appended with its own position, id, stream version, recorded time, data
//    text and bytes; the generations and the outside world's tables (Discord messages, sink and
//    source positions) with it. The file is checked as it is read and the transaction commits only
//    after its trailer matched (counts, sha256): a damaged file leaves the store as it was, empty.
// 2. The read models, rebuilt from the log (they are derived). The correlator is the exception
//    that needs care: its verdicts are in the log already, and other records name their ids
//    (verdict history, the Discord messages). Deciding them again from the facts would not give the
//    same chain (a verdict decided early and superseded later comes out as one verdict when all
//    facts are read at once), so the correlator of the backup's active generation is rebuilt under
//    that same generation number, reading the facts up to the checkpoint it had with its appends
//    withheld, and its standing verdicts are then taken from its own events in the log
//    (correlatorState.ts). Followers (verdicts, discord-outbox) read those events as they are.
import type { Readable } from 'node:stream';
import { LedgerError } from '../errors.ts';
import type { Logger } from '../logger.ts';
import { activate, type Build, createBuild, dropBuild, ensureCatalog } from '../runtime/catalog.ts';
import { ensureDeadLetters, listDeadLetters } from '../runtime/deadLetters.ts';
import { catchUp, prepareRuntime, projectAllToHead, type RuntimeDeps } from '../runtime/ledgerRuntime.ts';
import type { Progress } from '../runtime/progress.ts';
import type { Projection } from '../runtime/projection.ts';
import type { AppendOutcome, EventStore, NewEvent } from '../store/eventStore.ts';
import type { Ledger } from '../store/openStore.ts';
import { ident, packBytes, type SqlExecutor } from '../store/sqlDatabase.ts';
import { knowsStanding, restoreStanding } from './correlatorState.ts';
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

async function insertGenerations(tx: SqlExecutor, generations: GenerationLine[]): Promise<void> {
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

export type RebuildSummary = {
  /** The correlator's generation carried on (its events kept as they are), or why it was decided again. */
  processor: { name: string; generation: number; continued: boolean; reason: string | null } | null;
  projections: { name: string; version: number; position: number }[];
  headAfter: number;
  deadLetters: number;
};

/** Step 2: the read models, rebuilt from the restored log. */
export async function rebuildReadModels(
  ledger: Ledger,
  loaded: LoadedBackup,
  opts: { log: Logger; projections: Projection[]; progress?: (label: string, total: number) => Progress },
): Promise<RebuildSummary> {
  const deps: RuntimeDeps = {
    db: ledger.db,
    store: ledger.store,
    log: opts.log,
    projections: opts.projections,
    ...(opts.progress ? { progress: opts.progress } : {}),
  };
  await prepareRuntime(deps);
  const processor = opts.projections.find((p) => p.emits?.length) ?? null;
  let processorSummary: RebuildSummary['processor'] = null;
  if (processor) {
    const was = loaded.builds.find((b) => b.name === processor.name && b.status === 'active');
    const reason = !was
      ? `the backup has no active ${processor.name} build`
      : was.version !== processor.version
        ? `${processor.name} v${was.version} made the backup's verdicts and this code is v${processor.version}: a new generation decides them again, as after an upgrade`
        : was.generation < 1
          ? `the backup's ${processor.name} build has no generation`
          : null;
    if (was && reason === null) {
      const carried = await continueProcessor(deps, processor, was, loaded.generations);
      processorSummary = carried
        ? {
            name: processor.name,
            generation: carried.build.generation,
            continued: true,
            reason: carried.quiet ? null : 'its state is new to restore: its decisions were taken again',
          }
        : {
            name: processor.name,
            generation: was.generation,
            continued: false,
            reason: `generation ${was.generation} of ${processor.name} could not be taken again (the backup's generations have a gap)`,
          };
    } else processorSummary = { name: processor.name, generation: 0, continued: false, reason };
  }
  // The other projections' numbers mean nothing to readers, but the catalog should read as it did:
  // a build of the version that was active takes its old number (createBuild takes max + 1).
  const same = loaded.builds.filter(
    (b) =>
      b.status === 'active' &&
      b.name !== processor?.name &&
      opts.projections.some((p) => p.name === b.name && p.version === b.version),
  );
  for (const b of same)
    await ledger.db.query('delete from ledger.generations where name = $1 and generation >= $2', [
      b.name,
      b.generation,
    ]);
  const builds = await projectAllToHead(deps);
  await ledger.db.transaction(async (tx) => {
    await insertGenerations(tx, loaded.generations);
    const since = loaded.generations.filter((g) =>
      same.some((b) => b.name === g.name && b.generation === g.generation),
    );
    await tx.query(
      `update ledger.generations g set activated_position = x.a
       from unnest($1::text[], $2::int[], $3::bigint[]) as x(n, v, a) where g.name = x.n and g.generation = x.v`,
      [since.map((g) => g.name), since.map((g) => g.generation), since.map((g) => g.activatedPosition)],
    );
  });
  if (processorSummary && !processorSummary.continued)
    processorSummary.generation = builds.get(processorSummary.name)?.generation ?? 0;
  return {
    processor: processorSummary,
    projections: [...builds.values()]
      .map((b) => ({ name: b.name, version: b.version, position: b.position }))
      .sort((a, b) => (a.name < b.name ? -1 : 1)),
    headAfter: await ledger.store.headPosition(),
    deadLetters: (await listDeadLetters(ledger.db, { state: 'skipped' })).length,
  };
}

/**
 * Builds the processor again as the backup's active generation `was.generation`: its state is
 * folded from the facts up to its old checkpoint with its appends withheld (those decisions are
 * in the log already), its standing verdicts taken from its events, then it is swapped in. Returns
 * null, with nothing changed, when that number cannot be had (createBuild takes max + 1).
 */
async function continueProcessor(
  deps: RuntimeDeps,
  processor: Projection,
  was: BuildLine,
  generations: GenerationLine[],
): Promise<{ build: Build; quiet: boolean } | null> {
  const { db } = deps;
  const mine = generations.filter((g) => g.name === processor.name);
  const later = mine.filter((g) => g.generation >= was.generation);
  await db.query('delete from ledger.generations where name = $1 and generation >= $2', [
    processor.name,
    was.generation,
  ]);
  const build = await createBuild(db, processor, 'building', null);
  if (build.generation !== was.generation) {
    await dropBuild(db, build.schemaName);
    await db.transaction(async (tx) => {
      await tx.query('delete from ledger.generations where name = $1 and generation = $2', [
        processor.name,
        build.generation,
      ]);
      await insertGenerations(tx, later);
    });
    return null;
  }
  const activatedAt = mine.find((g) => g.generation === was.generation)?.activatedPosition ?? null;
  await db.transaction(async (tx) => {
    // Since when readers saw it (`export --as-of`); activate() keeps a value already set.
    await tx.query('update ledger.generations set activated_position = $3 where name = $1 and generation = $2', [
      processor.name,
      build.generation,
      activatedAt,
    ]);
    await insertGenerations(
      tx,
      later.filter((g) => g.generation !== build.generation),
    );
  });
  // A state this module does not know how to fold from the log: the decisions are taken again under
  // the same generation (the same facts in the same order decide the same ids, but not always: see
  // docs/backup.md), and whatever differs is appended.
  const quiet = await knowsStanding(db, build);
  await catchUp(quiet ? { ...deps, store: withoutAppends(deps.store) } : deps, processor, build, {
    until: was.position,
    label: `${processor.name} (its state, from the facts)`,
  });
  if (quiet) await restoreStanding(db, build);
  else
    deps.log.warn(
      { projection: processor.name, schema: build.schemaName },
      'the correlator keeps a state restore does not know; its decisions were taken again',
    );
  await db.transaction((tx) => activate(tx, processor, build));
  build.status = 'active';
  return { build, quiet };
}

/** The store with appends withheld: every event reported as already stored. */
function withoutAppends(store: EventStore): EventStore {
  const none = async (events: NewEvent[]): Promise<AppendOutcome[]> =>
    events.map((e) => ({ eventId: e.eventId, status: 'duplicate', position: 0, streamVersion: 0 }));
  return { ...store, append: (_stream, events) => none(events), appendFacts: none, appendWithin: (_tx, e) => none(e) };
}
