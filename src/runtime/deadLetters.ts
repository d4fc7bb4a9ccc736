// Poison events (DESIGN invariant 10). A handler error that repeats on the same event — a value a
// column cannot hold, a constraint, a bug — is retried a bounded number of times, then recorded
// here and skipped, so one hostile fact never stops a projection. A transient failure (connection
// lost, serialization failure, lock timeout, a store that is down) is retried and never skipped.
// A rebuild retries every dead letter of the build it replaces and fails fast on one instead.
import { LedgerError } from '../errors.ts';
import { errorLine } from '../failureKind.ts';
import type { SqlExecutor } from '../store/sqlDatabase.ts';
import type { Build } from './catalog.ts';

/** How often one event may fail the same way before a running projection skips it. */
export const POISON_ATTEMPTS = 3;

export type DeadLetter = {
  projection: string;
  version: number;
  schemaName: string;
  eventId: string;
  position: number;
  eventType: string;
  error: string;
  firstSeen: Date;
  lastSeen: Date;
  attempts: number;
  /** `retrying` until POISON_ATTEMPTS, then `skipped`: the build moved past it. */
  state: 'retrying' | 'skipped';
};

const ddl = `
create table if not exists ledger.dead_letters (
  schema_name text not null,
  projection  text not null,
  version     integer not null,
  event_id    text not null,
  position    bigint not null,
  event_type  text not null,
  error       text not null,
  first_seen  timestamptz not null default now(),
  last_seen   timestamptz not null default now(),
  attempts    integer not null default 1,
  state       text not null check (state in ('retrying', 'skipped')),
  primary key (schema_name, position)
);`;

export async function ensureDeadLetters(db: SqlExecutor): Promise<void> {
  await db.exec(ddl);
}

/** Counts one more failure of this event in this build; returns the attempts so far. */
export async function noteFailure(
  db: SqlExecutor,
  build: Build,
  event: { eventId: string; position: number; type: string },
  error: unknown,
): Promise<number> {
  const r = await db.query<{ attempts: number }>(
    `insert into ledger.dead_letters (schema_name, projection, version, event_id, position, event_type, error, state)
     values ($1, $2, $3, $4, $5, $6, $7, 'retrying')
     on conflict (schema_name, position) do update
       set attempts = ledger.dead_letters.attempts + 1, last_seen = now(), error = excluded.error
     returning attempts`,
    [build.schemaName, build.name, build.version, event.eventId, event.position, event.type, errorLine(error)],
  );
  return Number(r.rows[0]!.attempts);
}

/** Marks the event skipped, in the transaction that moves the build's checkpoint past it. */
export async function markSkipped(tx: SqlExecutor, build: Build, position: number): Promise<void> {
  await tx.query("update ledger.dead_letters set state = 'skipped' where schema_name = $1 and position = $2", [
    build.schemaName,
    position,
  ]);
}

/** An event that failed before and now applied: no longer a dead letter. */
export async function clearFailure(db: SqlExecutor, build: Build, position: number): Promise<void> {
  await db.query("delete from ledger.dead_letters where schema_name = $1 and position = $2 and state = 'retrying'", [
    build.schemaName,
    position,
  ]);
}

type Row = {
  schema_name: string;
  projection: string;
  version: number;
  event_id: string;
  position: number;
  event_type: string;
  error: string;
  first_seen: Date;
  last_seen: Date;
  attempts: number;
  state: DeadLetter['state'];
};

/** Dead letters of the builds that exist (a dropped build's go with it), oldest first. */
export async function listDeadLetters(
  db: SqlExecutor,
  opts: { state?: DeadLetter['state'] } = {},
): Promise<DeadLetter[]> {
  const r = await db.query<Row>(
    `select d.* from ledger.dead_letters d join ledger.projection_builds b using (schema_name)
     where $1::text is null or d.state = $1 order by d.projection, d.position`,
    [opts.state ?? null],
  );
  return r.rows.map((x) => ({
    projection: x.projection,
    version: Number(x.version),
    schemaName: x.schema_name,
    eventId: x.event_id,
    position: Number(x.position),
    eventType: x.event_type,
    error: x.error,
    firstSeen: new Date(x.first_seen),
    lastSeen: new Date(x.last_seen),
    attempts: Number(x.attempts),
    state: x.state,
  }));
}

/** Drops the dead letters of a build that no longer exists. */
export async function forgetDeadLetters(db: SqlExecutor, schemaName: string): Promise<void> {
  await db.query('delete from ledger.dead_letters where schema_name = $1', [schemaName]);
}

/** A rebuild stops at the first poison event, naming it; the build it would replace keeps serving. */
export function poisonInRebuild(build: Build, event: { eventId: string; position: number; type: string }, e: unknown) {
  return new LedgerError(
    'PROJECTION_FAILED',
    `rebuilding ${build.name} v${build.version} failed on ${event.type} ${event.eventId} at position ${event.position}: ${errorLine(e)}. The previous build keeps serving. The event is a fact and stays: change the code so that it applies (or skips it on purpose), bump the projection's version and rebuild.`,
    { cause: e },
  );
}
