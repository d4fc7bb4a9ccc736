// The backup file (docs/backup.md): gzip'd NDJSON, one record per line, self-describing and
// versioned. A header line first, then every event of the log in position order (a fact's bytes
// as base64, split over `raw` lines past RAW_INLINE_MAX_BYTES), then the catalog that is not
// derived from the log (generations, builds as information, the sinks' and sources' own tables),
// and a trailer with the counts and the sha256 of every byte before it.
import { readFileSync } from 'node:fs';
import type { StoredEvent } from '../store/eventStore.ts';

export const BACKUP_FORMAT = 'et-ledger-backup';
/** Bump when a reader of an older version could misread a newer file; readers refuse a newer one. */
export const BACKUP_FORMAT_VERSION = 1;

/** A fact's bytes up to this size ride in its event line; larger ones follow in `raw` lines of this size. */
export const RAW_INLINE_MAX_BYTES = 1024 * 1024;

/** No line of a backup is longer than this (a raw chunk is ~1.4 MB of base64): a longer one is damage. */
export const MAX_LINE_BYTES = 16 * 1024 * 1024;

export const etLedgerVersion = (
  JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }
).version;

export type BackupHeader = {
  kind: 'header';
  format: typeof BACKUP_FORMAT;
  formatVersion: number;
  etLedgerVersion: string;
  createdAt: string;
  /** The kind of store it was made from (never its URL: a backup travels). */
  source: { kind: 'pglite' | 'embedded' | 'postgres' | 'eventstoredb' };
  /** The log's head when the backup began (its snapshot): the last event in the file. */
  headPosition: number;
  /** Events and events per type; null when the store cannot count without reading (EventStoreDB). */
  events: number | null;
  types: Record<string, number> | null;
};

/**
 * One event, exactly as stored. `data` is always the last member, written as the store's own JSON
 * text, so a restore hands those characters back unparsed (numbers beyond a double stay exact).
 */
export type EventLine = Pick<
  StoredEvent,
  'position' | 'eventId' | 'streamId' | 'streamVersion' | 'type' | 'schemaVersion'
> & {
  kind: 'event';
  /** ISO 8601 in UTC, to the microsecond where the store keeps them. */
  recordedAt: string;
  /** base64 of the fact's bytes; null: no bytes; "" with `rawChunks`: the bytes follow in `raw` lines. */
  raw: string | null;
  rawBytes: number | null;
  rawChunks?: number;
};

export type RawLine = { kind: 'raw'; position: number; b: string };

/** A row of ledger.generations: which builds a projection had, which was active and since when. */
export type GenerationLine = {
  kind: 'generation';
  name: string;
  generation: number;
  schemaName: string;
  createdAt: string;
  activatedPosition: number | null;
};

/** A row of ledger.projection_builds, for information and the restore's choices (derived: not restored). */
export type BuildLine = {
  kind: 'build';
  name: string;
  version: number;
  schemaName: string;
  status: string;
  position: number;
  generation: number;
  followsGeneration: number | null;
};

/** A row of a table that records the outside world (sent Discord messages, sink and source positions). */
export type RowLine = { kind: 'row'; table: string; row: Record<string, unknown> };

export type TrailerLine = {
  kind: 'end';
  headPosition: number;
  events: number;
  types: Record<string, number>;
  generations: number;
  builds: number;
  rows: Record<string, number>;
  /** Lines before this one. */
  lines: number;
  /** sha256 (hex) of every byte before this line, newlines included, uncompressed. */
  sha256: string;
};

export type BackupLine = BackupHeader | EventLine | RawLine | GenerationLine | BuildLine | RowLine | TrailerLine;

/** An event line with its data as text. */
export function eventLine(e: Omit<EventLine, 'kind'>, dataJson: string): string {
  const meta: EventLine = { kind: 'event', ...e };
  const head = JSON.stringify(meta);
  return `${head.slice(0, -1)},"data":${dataJson}}`;
}

const DATA_MARK = ',"data":';

/**
 * Splits an event line into its members and the data's text. The mark cannot occur earlier: inside
 * a JSON string every `"` is escaped, and the members before `data` are ours.
 */
export function splitEventLine(text: string): { event: EventLine; dataJson: string } {
  const at = text.indexOf(DATA_MARK);
  if (at < 0 || !text.endsWith('}')) {
    const whole = JSON.parse(text) as EventLine & { data?: unknown };
    if (!('data' in whole)) throw new Error('an event line without data');
    const { data, ...event } = whole;
    return { event, dataJson: JSON.stringify(data) };
  }
  return { event: JSON.parse(`${text.slice(0, at)}}`) as EventLine, dataJson: text.slice(at + DATA_MARK.length, -1) };
}

/** The tables of the outside world a backup carries, in the order they are written. */
export const CARRIED_TABLES = ['discord_sink.messages', 'ledger.sink_checkpoints', 'ledger.source_cursors'] as const;
export type CarriedTable = (typeof CARRIED_TABLES)[number];
export const isCarriedTable = (t: string): t is CarriedTable => (CARRIED_TABLES as readonly string[]).includes(t);
