// The floor of an ingest: how fast PostgreSQL alone takes the rows the ingest wrote. Each table is
// copied out (`COPY … TO STDOUT`, binary) into memory, then into an empty twin made with
// `create table … (like … including all)` (same columns, keys, indexes, defaults), and only that
// `COPY … FROM STDIN` is timed; tables one after another, each twin dropped after.
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import pg from 'pg';
import { from as copyFrom, to as copyTo } from 'pg-copy-streams';
import { timed } from './support.ts';

export type FloorTable = { table: string; rows: number; bytes: number; seconds: number };
export type Floor = { readModels: FloorTable[]; log: FloorTable[] };

const quote = (name: string) => `"${name.replaceAll('"', '""')}"`;

/** Every base table of the active projection builds (read models), and the log's events table. */
export async function measureCopyFloor(url: string): Promise<Floor> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const tables = await client.query<{ schema: string; name: string }>(
      `select n.nspname as schema, c.relname as name
         from ledger.projection_builds b
         join pg_namespace n on n.nspname = b.schema_name
         join pg_class c on c.relnamespace = n.oid and c.relkind = 'r'
        where b.status = 'active'
        order by 1, 2`,
    );
    const readModels: FloorTable[] = [];
    for (const t of tables.rows) readModels.push(await copyTable(client, t.schema, t.name));
    return { readModels, log: [await copyTable(client, 'ledger', 'events')] };
  } finally {
    await client.end();
  }
}

async function copyTable(client: pg.Client, schema: string, name: string): Promise<FloorTable> {
  const source = `${quote(schema)}.${quote(name)}`;
  const twin = `${quote(schema)}.${quote(`${name}_floor`)}`;
  const chunks: Buffer[] = [];
  const out = client.query(copyTo(`copy ${source} to stdout (format binary)`));
  for await (const chunk of out) chunks.push(chunk as Buffer);
  await client.query(`create table ${twin} (like ${source} including all)`);
  const into = client.query(copyFrom(`copy ${twin} from stdin (format binary)`));
  const { ms } = await timed(() => pipeline(Readable.from(chunks), into));
  await client.query(`drop table ${twin}`);
  return {
    table: `${schema}.${name}`,
    rows: into.rowCount,
    bytes: chunks.reduce((s, c) => s + c.length, 0),
    seconds: ms / 1000,
  };
}
