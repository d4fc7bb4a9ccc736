// Reading an export's rows a page at a time, inside one read-only snapshot (REPEATABLE READ), so
// the statements of one export (parents, then their children) see the same read models.
//   - PostgreSQL: `COPY (select …) TO STDOUT` through pg-copy-streams on a connection of its own;
//     the COPY text is split here and each value converted by the driver's own type parser, so
//     the values are those a query returns, without the driver's per-row work.
//   - PGlite (and any SqlDatabase): a server-side cursor, DECLARE … FETCH, in one transaction.
// Memory holds a page (a COPY chunk, or a FETCH of rows) and the next one, whatever the row count.
import { StringDecoder } from 'node:string_decoder';
import pg from 'pg';
import { to as copyTo } from 'pg-copy-streams';
import { translatePgError } from '../store/postgresDatabase.ts';
import { ident, type SqlDatabase } from '../store/sqlDatabase.ts';

/** A column of a relation: its name, its type's oid and its SQL name (`text`, `bigint`, `jsonb`). */
export type Column = { name: string; oid: number; type: string };

export type KeyCursor = {
  /** The next `n` rows (fewer at the end, none after it). */
  fetch(n: number): Promise<Record<string, unknown>[]>;
  close(): Promise<void>;
};

export type RowReader = {
  /** The columns of a table or view, in order (what `select *` gives), or [] when it does not exist. */
  columns(schema: string, table: string): Promise<Column[]>;
  /** Every row of `select` (whose output columns are `columns`), page by page, as values in that order. */
  rows(select: string, columns: readonly Column[]): AsyncGenerator<unknown[][]>;
  /** A cursor paged by the caller between other statements (parents' keys). */
  cursor(select: string): Promise<KeyCursor>;
  /** A statement without results in the snapshot's transaction (`set local …` for the statements after it). */
  exec(sql: string): Promise<void>;
};

export type ReadSource = {
  db: SqlDatabase;
  /** The read models' PostgreSQL URL: COPY on a connection of its own; absent for PGlite. */
  postgresUrl?: string | null;
};

export type ReadOptions = {
  /** Settings for this snapshot only (`set_config(name, value, true)`), e.g. a view's parameter. */
  settings?: Record<string, string>;
  /** Rows per FETCH on the cursor path. */
  pageSize?: number | undefined;
};

const columnsSql = `select a.attname::text as name, a.atttypid::int as oid, format_type(a.atttypid, null) as type
  from pg_attribute a where a.attrelid = to_regclass($1) and a.attnum > 0 and not a.attisdropped order by a.attnum`;

const qualified = (schema: string, table: string) => `${ident(schema)}.${ident(table)}`;

/** Settings every export reads with: no JIT (its compile time would delay the first row) and the caller's. */
const settingsOf = (opts: ReadOptions): [string, string][] => [
  ['jit', 'off'],
  ['standard_conforming_strings', 'on'],
  // A cursor's plan for the first rows (its default weighs them at 10 %): rows start flowing at once.
  ['cursor_tuple_fraction', '0.01'],
  ...Object.entries(opts.settings ?? {}),
];

/** Runs `work` with a reader over one snapshot of the read models; the snapshot ends with it. */
export async function withReader<T>(
  source: ReadSource,
  opts: ReadOptions,
  work: (reader: RowReader) => Promise<T>,
): Promise<T> {
  return source.postgresUrl ? withCopyReader(source.postgresUrl, opts, work) : withCursorReader(source.db, opts, work);
}

// ---- PGlite and any SqlDatabase: DECLARE … FETCH in one transaction ----

async function withCursorReader<T>(
  db: SqlDatabase,
  opts: ReadOptions,
  work: (reader: RowReader) => Promise<T>,
): Promise<T> {
  const pageSize = opts.pageSize ?? 2000;
  return db.transaction(async (tx) => {
    await tx.exec('set transaction isolation level repeatable read, read only');
    for (const [name, value] of settingsOf(opts)) await tx.query('select set_config($1, $2, true)', [name, value]);
    let cursors = 0;
    const declare = async (select: string) => {
      const name = `et_ledger_export_${++cursors}`;
      await tx.exec(`declare ${name} no scroll cursor for ${select}`);
      return name;
    };
    const reader: RowReader = {
      columns: async (schema, table) =>
        (await tx.query<Column>(columnsSql, [qualified(schema, table)])).rows.map((c) => ({
          ...c,
          oid: Number(c.oid),
        })),
      async *rows(select, columns) {
        const name = await declare(select);
        const names = columns.map((c) => c.name);
        type Page = { rows: Record<string, unknown>[] };
        const fetch = (): Promise<Page> => tx.query<Record<string, unknown>>(`fetch forward ${pageSize} from ${name}`);
        let next: Promise<Page> | null = fetch();
        try {
          while (next) {
            const page: Page = await next;
            // The next page is read while this one is written.
            next = page.rows.length === pageSize ? fetch() : null;
            if (page.rows.length > 0) yield page.rows.map((row: Record<string, unknown>) => names.map((n) => row[n]));
          }
        } finally {
          await next?.catch(() => {});
          await tx.exec(`close ${name}`).catch(() => {});
        }
      },
      exec: (sql) => tx.exec(sql),
      async cursor(select) {
        const name = await declare(select);
        return {
          fetch: async (n) => (await tx.query<Record<string, unknown>>(`fetch forward ${n} from ${name}`)).rows,
          close: () => tx.exec(`close ${name}`).catch(() => {}),
        };
      },
    };
    return work(reader);
  });
}

// ---- PostgreSQL: COPY … TO STDOUT ----

const escapes: Record<string, string> = { b: '\b', f: '\f', n: '\n', r: '\r', t: '\t', v: '\v' };

/** A field of COPY's text format as the server's output function wrote it (`\\N` is NULL, handled before). */
const unescapeCopy = (field: string): string =>
  field.indexOf('\\') < 0 ? field : field.replace(/\\(.)/g, (_, c: string) => escapes[c] ?? c);

async function withCopyReader<T>(url: string, opts: ReadOptions, work: (reader: RowReader) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url });
  // A lost server surfaces as the failing statement's error; without a listener it would crash the process.
  client.on('error', () => {});
  // Set when a COPY is left before its end: the connection is mid-COPY and takes no other statement.
  let abandoned = false;
  const query = async <R extends pg.QueryResultRow>(sql: string, params?: unknown[]) => {
    if (abandoned) throw new Error('the export connection was left in the middle of a COPY');
    try {
      return await client.query<R>(sql, params);
    } catch (e) {
      throw translatePgError(e, 'an export');
    }
  };
  try {
    await client.connect();
  } catch (e) {
    throw translatePgError(e, 'connect');
  }
  let clean = false;
  try {
    await query('begin isolation level repeatable read, read only');
    for (const [name, value] of settingsOf(opts)) await query('select set_config($1, $2, true)', [name, value]);
    let cursors = 0;
    const reader: RowReader = {
      columns: async (schema, table) => (await query<Column>(columnsSql, [qualified(schema, table)])).rows,
      async *rows(select, columns) {
        const parsers = columns.map((c) => pg.types.getTypeParser(c.oid, 'text') as (text: string) => unknown);
        const width = columns.length;
        const stream = client.query(copyTo(`copy (${select}) to stdout`));
        const decoder = new StringDecoder('utf8');
        let rest = '';
        let done = false;
        try {
          for await (const chunk of stream) {
            const text = rest + decoder.write(chunk as Buffer);
            const page: unknown[][] = [];
            let start = 0;
            for (let nl = text.indexOf('\n'); nl >= 0; nl = text.indexOf('\n', start)) {
              const fields = text.slice(start, nl).split('\t');
              if (fields.length !== width)
                throw new Error(`COPY gave ${fields.length} fields where ${width} columns were expected`);
              const values = new Array<unknown>(width);
              for (let i = 0; i < width; i++) {
                const f = fields[i]!;
                values[i] = f === '\\N' ? null : parsers[i]!(unescapeCopy(f));
              }
              page.push(values);
              start = nl + 1;
            }
            rest = text.slice(start);
            if (page.length > 0) yield page;
          }
          done = true;
        } catch (e) {
          throw translatePgError(e, 'an export');
        } finally {
          // Left before its end (the reader of the output went away): the connection is mid-COPY
          // and is closed with the snapshot (see below), never used again.
          if (!done) {
            abandoned = true;
            stream.destroy();
          }
        }
      },
      async exec(sql) {
        await query(sql);
      },
      async cursor(select) {
        const name = `et_ledger_export_${++cursors}`;
        await query(`declare ${name} no scroll cursor for ${select}`);
        return {
          fetch: async (n) => (await query<Record<string, unknown>>(`fetch forward ${n} from ${name}`)).rows,
          close: async () => {
            await query(`close ${name}`).catch(() => {});
          },
        };
      },
    };
    const result = await work(reader);
    await query('commit');
    clean = true;
    return result;
  } finally {
    if (clean) await client.end().catch(() => {});
    else closeNow(client);
  }
}

/** Ends a connection that may be in the middle of a COPY: its socket is closed, the server drops the session. */
function closeNow(client: pg.Client): void {
  const connection = (client as unknown as { connection?: { stream?: { destroy(): void } } }).connection;
  connection?.stream?.destroy();
  client.end().catch(() => {});
}
