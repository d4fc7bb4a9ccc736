// The quarantine read model: every fact the current parsers cannot read, with the reason. A
// rebuild after a parser fix drops the entries the new parser accepts (they become rows elsewhere).
import type { FactSource } from '../src/events/common.ts';
import { normalizeLuaReport } from '../src/parser/luaReport.ts';
import { recognizeFact } from '../src/parser/recognize.ts';
import { parseStatsFile } from '../src/parser/statsFile.ts';
import { PARSER_VERSION } from '../src/parser/version.ts';
import { defineProjection, type EventMeta } from '../src/runtime/projection.ts';
import { type SqlExecutor, sqlFile } from '../src/store/sqlDatabase.ts';

// v2: parser stats/2 (a server name holding a `\` is recognised; names' control bytes are not binary).
const version = 2;

type Entry = {
  serverId: string;
  source: FactSource;
  fileName: string | null;
  code: string;
  reason: string;
  line: number | null;
};

export const quarantine = defineProjection({
  name: 'quarantine',
  version,
  schemaSql: () => sqlFile(import.meta.url, 'quarantine.sql'),
  tables: { quarantine: { key: ['fact_id'] } },
  on: {
    StatsFileArrived: async (items, { tx }) => {
      for (const { event, meta } of items) {
        const r = parseStatsFile(event.raw, event.data.fileName);
        if (r.ok) continue;
        await record(tx, 'StatsFileArrived', meta, {
          serverId: event.data.serverId,
          source: event.data.source,
          fileName: event.data.fileName,
          code: r.error.code,
          reason:
            r.error.detail +
            (r.error.field
              ? ` (field ${r.error.field}${r.error.value !== undefined ? ` = ${JSON.stringify(r.error.value)}` : ''})`
              : ''),
          line: r.error.line,
        });
      }
    },
    UnrecognizedFactArrived: async (items, { tx }) => {
      for (const { event, meta } of items) {
        const d = event.data;
        const code = d.reason.split(':')[0] ?? 'unknown';
        // A refusal of the way in (size, text the log cannot store, the log's own refusal) is
        // not a parser verdict that a later parser could overturn: it stays.
        if (
          !wayInRefusals.has(code) &&
          readableToday(event.raw, d.fileName, d.serverId, d.source, d.arrivedAt) === null
        )
          continue;
        await record(tx, 'UnrecognizedFactArrived', meta, {
          serverId: d.serverId,
          source: d.source,
          fileName: d.fileName,
          code,
          reason: d.reason,
          line: null,
        });
      }
    },
  },
});

const wayInRefusals = new Set(['too_large', 'invalid_text', 'store_refused']);

/** Null when today's parsers read the bytes after all (a fix since they arrived), else the failure. */
function readableToday(
  raw: Uint8Array,
  fileName: string | null,
  serverId: string,
  source: FactSource,
  receivedAt: string,
): string | null | 'unreadable' {
  const kind = recognizeFact(raw, fileName);
  if (kind === 'stats' && fileName !== null && parseStatsFile(raw, fileName).ok) return null;
  if (kind === 'lua' && normalizeLuaReport(raw, { serverId, source, receivedAt }).ok) return null;
  return 'unreadable';
}

async function record(tx: SqlExecutor, type: string, meta: EventMeta, e: Entry): Promise<void> {
  await tx.query(
    `insert into quarantine (fact_id, type, server_id, source_kind, source_ref, file_name, reason_code, reason, line, parser_version, position, recorded_at)
     values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12) on conflict (fact_id) do nothing`,
    [
      meta.eventId,
      type,
      e.serverId,
      e.source.kind,
      e.source.ref,
      e.fileName,
      e.code,
      e.reason,
      e.line,
      PARSER_VERSION,
      meta.position,
      meta.recordedAt.toISOString(),
    ],
  );
}
