import { LedgerError } from '../errors.ts';
import { ident, type SqlDatabase, type SqlExecutor, sqlFile } from '../store/sqlDatabase.ts';
import type { Projection } from './projection.ts';
import { noticeReadModelChange } from './readModelNotice.ts';

export type Build = {
  schemaName: string;
  name: string;
  version: number;
  position: number;
  status: 'building' | 'active' | 'scratch';
  failures: number;
  lastError: string | null;
  /** This build's number among its projection's builds: what a processor stamps on its events. */
  generation: number;
  /** For a follower (`follows` in its definition): the generation of the processor it reads. */
  followsGeneration: number | null;
  /** Set while a batch's events are appended to a log outside this database; see catalog.sql. */
  pendingThrough: number | null;
};

type BuildRow = {
  schema_name: string;
  name: string;
  version: number;
  position: number;
  status: Build['status'];
  failures: number;
  last_error: string | null;
  generation: number;
  follows_generation: number | null;
  pending_through: number | null;
};
const toBuild = (r: BuildRow): Build => ({
  schemaName: r.schema_name,
  name: r.name,
  version: Number(r.version),
  position: Number(r.position),
  status: r.status,
  failures: Number(r.failures),
  lastError: r.last_error,
  generation: Number(r.generation),
  followsGeneration: r.follows_generation === null ? null : Number(r.follows_generation),
  pendingThrough: r.pending_through === null ? null : Number(r.pending_through),
});

export async function ensureCatalog(db: SqlExecutor): Promise<void> {
  await db.exec(await sqlFile(import.meta.url, 'catalog.sql'));
}

export async function listBuilds(db: SqlExecutor): Promise<Build[]> {
  const r = await db.query<BuildRow>('select * from ledger.projection_builds order by name, created_at');
  return r.rows.map(toBuild);
}

export async function activeBuild(db: SqlExecutor, name: string): Promise<Build | null> {
  const r = await db.query<BuildRow>("select * from ledger.projection_builds where name = $1 and status = 'active'", [
    name,
  ]);
  return r.rows[0] ? toBuild(r.rows[0]) : null;
}

export async function getBuild(db: SqlExecutor, schemaName: string): Promise<Build | null> {
  const r = await db.query<BuildRow>('select * from ledger.projection_builds where schema_name = $1', [schemaName]);
  return r.rows[0] ? toBuild(r.rows[0]) : null;
}

/**
 * An unfinished build of the same version is resumed rather than started again (an interrupted
 * rebuild); a follower's only when it reads the generation it follows now.
 */
export async function resumableBuild(
  db: SqlExecutor,
  p: Pick<Projection, 'name' | 'version'>,
  followsGeneration: number | null = null,
): Promise<Build | null> {
  const r = await db.query<BuildRow>(
    `select * from ledger.projection_builds where name = $1 and version = $2 and status = 'building'
       and follows_generation is not distinct from $3
     order by created_at desc limit 1`,
    [p.name, p.version, followsGeneration],
  );
  return r.rows[0] ? toBuild(r.rows[0]) : null;
}

/**
 * Creates a fresh schema for a build of `p` and its tables; returns the build. A non-scratch build
 * takes its projection's next generation; a follower build records the generation it reads.
 */
export async function createBuild(
  db: SqlDatabase,
  p: Projection,
  status: 'building' | 'scratch',
  followsGeneration: number | null = null,
): Promise<Build> {
  const base = `${status === 'scratch' ? 'scratch' : 'rm'}_${p.name.replace(/-/g, '_')}_v${p.version}`;
  const ddl = await p.schemaSql();
  return db.transaction(async (tx) => {
    // The next free number: builds come and go (a swap drops the old one), schemas must never repeat.
    const taken = await tx.query<{ n: number }>(
      `select coalesce(max(substring(schema_name from '^' || $1 || '_([0-9]+)')::int), 0) as n
       from information_schema.schemata where starts_with(schema_name, $1 || '_')`,
      [base],
    );
    const schemaName = `${base}_${Number(taken.rows[0]!.n) + 1}${status === 'scratch' ? `_${process.pid}` : ''}`;
    await tx.exec(`create schema ${ident(schemaName)}; set local search_path to ${ident(schemaName)}, public;\n${ddl}`);
    let generation = 0;
    if (status !== 'scratch') {
      const g = await tx.query<{ n: number }>(
        'select coalesce(max(generation), 0) + 1 as n from ledger.generations where name = $1',
        [p.name],
      );
      generation = Number(g.rows[0]!.n);
      await tx.query('insert into ledger.generations (name, generation, schema_name) values ($1, $2, $3)', [
        p.name,
        generation,
        schemaName,
      ]);
    }
    await tx.query(
      `insert into ledger.projection_builds (schema_name, name, version, status, generation, follows_generation)
       values ($1, $2, $3, $4, $5, $6)`,
      [schemaName, p.name, p.version, status, generation, followsGeneration],
    );
    return {
      schemaName,
      name: p.name,
      version: p.version,
      position: 0,
      status,
      failures: 0,
      lastError: null,
      generation,
      followsGeneration,
      pendingThrough: null,
    };
  });
}

/**
 * Makes `build` the one readers see, in the caller's transaction: the `read.<table>` views are
 * re-pointed and the previous build's schema is dropped, all or nothing (invariant 4).
 */
export async function activate(tx: SqlExecutor, p: Projection, build: Build): Promise<Build | null> {
  const previous = await tx.query<BuildRow>(
    "select * from ledger.projection_builds where name = $1 and status = 'active' for update",
    [p.name],
  );
  for (const table of Object.keys(p.tables)) {
    await tx.exec(
      `drop view if exists read.${ident(table)}; create view read.${ident(table)} as select * from ${ident(build.schemaName)}.${ident(table)};`,
    );
  }
  const old = previous.rows[0];
  if (old) {
    await tx.query('delete from ledger.projection_builds where schema_name = $1', [old.schema_name]);
    await tx.exec(`drop schema if exists ${ident(old.schema_name)} cascade`);
  }
  await tx.query("update ledger.projection_builds set status = 'active', activated_at = now() where schema_name = $1", [
    build.schemaName,
  ]);
  await tx.query(
    'update ledger.generations set activated_position = $3 where name = $1 and generation = $2 and activated_position is null',
    [p.name, build.generation, build.position],
  );
  await noticeReadModelChange(tx, p.name);
  return old ? toBuild(old) : null;
}

export async function dropBuild(db: SqlDatabase, schemaName: string): Promise<void> {
  await db.transaction(async (tx) => {
    await tx.query('delete from ledger.projection_builds where schema_name = $1', [schemaName]);
    await tx.exec(`drop schema if exists ${ident(schemaName)} cascade`);
  });
}

/** Stores the new checkpoint; fails if another runner moved it (then this batch is rolled back). */
export async function advanceCheckpoint(tx: SqlExecutor, build: Build, from: number, to: number): Promise<void> {
  const r = await tx.query(
    `update ledger.projection_builds set position = $3, failures = 0, last_error = null,
       pending_through = case when pending_through > $3 then pending_through end
     where schema_name = $1 and position = $2`,
    [build.schemaName, from, to],
  );
  if (r.rowCount !== 1) {
    throw new LedgerError(
      'STORE_CONFLICT',
      `projection build ${build.schemaName} is no longer at position ${from}: another runner advanced it, or a rebuild replaced it`,
    );
  }
  if (build.status === 'active' && to > from) await noticeReadModelChange(tx, build.name);
}

export async function recordFailure(db: SqlExecutor, build: Build, error: unknown): Promise<void> {
  await db.query(
    'update ledger.projection_builds set failures = failures + 1, last_error = $2 where schema_name = $1',
    [build.schemaName, String((error as Error)?.stack ?? error).slice(0, 4000)],
  );
}

/** Records, committed at once, that a batch up to `through` is appending to an outside log. */
export async function markPending(db: SqlExecutor, build: Build, through: number): Promise<void> {
  await db.query('update ledger.projection_builds set pending_through = $2 where schema_name = $1', [
    build.schemaName,
    through,
  ]);
  build.pendingThrough = through;
}

/** The generation of `name` that readers saw at log position `at`: the last swapped in by then, else the first. */
export async function generationAt(db: SqlExecutor, name: string, at: number): Promise<number | null> {
  const r = await db.query<{ generation: number }>(
    `select generation from ledger.generations where name = $1 and activated_position is not null
     order by (activated_position <= $2) desc, case when activated_position <= $2 then -activated_position else activated_position end
     limit 1`,
    [name, at],
  );
  return r.rows[0] ? Number(r.rows[0].generation) : null;
}
