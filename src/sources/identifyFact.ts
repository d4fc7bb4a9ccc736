// Turns received bytes into the raw fact(s) to append: identification only (what kind, which
// stream, which id). Stats files are kept whole for the projections to parse; Lua reports are
// normalised here because their identity (server, map, round, end) lives inside the payload.
import type { FactSource } from '../events/common.ts';
import { luaReportIdentity, pauseIdentity, sha256Hex, statsFileIdentity, unrecognizedIdentity } from '../events/ids.ts';
import type { LuaRoundEnded } from '../events/luaRoundEnded.ts';
import type { PauseRecorded } from '../events/pauseRecorded.ts';
import type { StatsFileArrived } from '../events/statsFileArrived.ts';
import type { UnrecognizedFactArrived } from '../events/unrecognizedFactArrived.ts';
import { normalizeLuaReport } from '../parser/luaReport.ts';
import { normalizeMapName } from '../parser/names.ts';
import { recognizeFact } from '../parser/recognize.ts';
import type { NewEvent } from '../store/eventStore.ts';
import { storable, unstorableTextAt } from './storableText.ts';

export type Arrival = {
  bytes: Uint8Array;
  fileName: string | null;
  /** The server this way of arrival is configured for (legacy payloads name none). */
  serverId: string;
  /** The game server's IANA zone, recorded in the fact so a rebuild never depends on today's config. */
  tz: string;
  source: FactSource;
  receivedAt: string;
  maxBytes: number;
  /** Set when the file was over `maxBytes` and not read (`bytes` is then empty): name, size and sha256 only. */
  oversized?: { sizeBytes: number; sha256: string };
};

export type IdentifiedFact =
  | { kind: 'stats'; events: [NewEvent] }
  | { kind: 'lua-round'; events: NewEvent[]; reportId: string }
  | { kind: 'lua-pause'; events: [NewEvent] }
  | { kind: 'unrecognized'; events: [NewEvent]; reason: string };

type Envelope<E extends { type: string; schemaVersion: number; data: unknown }> = Pick<
  E,
  'type' | 'schemaVersion' | 'data'
> & { raw: Uint8Array };
const envelope = <E extends { type: string; schemaVersion: number; data: unknown }>(
  e: Envelope<E>,
  id: { streamId: string; eventId: string },
): NewEvent => ({ ...id, ...e });

export function identifyFact(a: Arrival): IdentifiedFact {
  if (a.oversized) return identifyOversized(a, a.oversized);
  const fact = identifyKind(a);
  if (fact.kind === 'unrecognized') return fact;
  // A value the log cannot store as text would be refused on every attempt: keep the bytes, say why.
  for (const e of fact.events) {
    const at = unstorableTextAt(e.data);
    if (at !== null)
      return unrecognized(
        a,
        sha256Hex(a.bytes),
        `invalid_text: ${at} contains U+0000 or an unpaired surrogate, which the log cannot store as text`,
      );
  }
  return fact;
}

function identifyKind(a: Arrival): IdentifiedFact {
  const sha256 = sha256Hex(a.bytes);
  if (a.bytes.length > a.maxBytes) return identifyOversized(a, { sizeBytes: a.bytes.length, sha256 });
  const kind = recognizeFact(a.bytes, a.fileName);
  if (kind === 'stats') {
    const fileName = a.fileName ?? `unnamed-${sha256.slice(0, 12)}.txt`;
    const data: StatsFileArrived['data'] = {
      serverId: a.serverId,
      fileName,
      tz: a.tz,
      sha256,
      sizeBytes: a.bytes.length,
      source: a.source,
      arrivedAt: a.receivedAt,
    };
    return {
      kind: 'stats',
      events: [
        envelope<StatsFileArrived>(
          { type: 'StatsFileArrived', schemaVersion: 1, data, raw: a.bytes },
          statsFileIdentity(a.serverId, fileName, sha256),
        ),
      ],
    };
  }
  if (kind === 'lua') {
    const r = normalizeLuaReport(a.bytes, { serverId: a.serverId, source: a.source, receivedAt: a.receivedAt });
    if (!r.ok) {
      const where = r.error.field ? ` at ${r.error.field}` : '';
      return unrecognized(a, sha256, `lua_report_${r.error.code}${where}: ${r.error.detail}`);
    }
    if (r.kind === 'pause') return { kind: 'lua-pause', events: [pauseEvent(r.pause, a.bytes)] };
    const report = r.report;
    const id = luaReportIdentity(
      report.serverId,
      normalizeMapName(report.map),
      report.round,
      report.roundEndUnix,
      report.shape,
    );
    const round = envelope<LuaRoundEnded>({ type: 'LuaRoundEnded', schemaVersion: 1, data: report, raw: a.bytes }, id);
    return {
      kind: 'lua-round',
      reportId: id.streamId,
      events: [round, ...r.pauses.map((p) => pauseEvent(p, a.bytes))],
    };
  }
  if (a.bytes.length === 0) return unrecognized(a, sha256, 'empty: the file is empty (0 bytes)');
  return unrecognized(a, sha256, 'unknown_kind: neither a stats file nor a Lua round report');
}

function pauseEvent(data: PauseRecorded['data'], raw: Uint8Array): NewEvent {
  return envelope<PauseRecorded>(
    { type: 'PauseRecorded', schemaVersion: 1, data, raw },
    pauseIdentity(data.serverId, normalizeMapName(data.map), data.round, data.startUnix),
  );
}

/**
 * A file over the cap (ET_LEDGER_MAX_FILE_BYTES): a small fact with its name, size, sha256 and the
 * reason, never its bytes (they would be read again on every rebuild, and a big enough row breaks
 * the driver). The sha256 identifies it: the same file found again is the same fact.
 */
export function identifyOversized(
  a: Omit<Arrival, 'bytes' | 'oversized'>,
  file: { sizeBytes: number; sha256: string },
): IdentifiedFact {
  const reason = `too_large: ${file.sizeBytes} bytes is over the ${a.maxBytes}-byte limit (ET_LEDGER_MAX_FILE_BYTES); kept without its bytes`;
  return unrecognized({ ...a, bytes: new Uint8Array(0) }, file.sha256, reason, file.sizeBytes);
}

/** The arrival kept whole in quarantine with a reason found after identification (a refusal of the log). */
export const quarantineArrival = (a: Arrival, reason: string): IdentifiedFact =>
  unrecognized(a, sha256Hex(a.bytes), reason);

function unrecognized(a: Arrival, sha256: string, reason: string, sizeBytes = a.bytes.length): IdentifiedFact {
  const data: UnrecognizedFactArrived['data'] = {
    serverId: a.serverId,
    fileName: a.fileName === null ? null : storable(a.fileName),
    tz: a.tz,
    sha256,
    sizeBytes,
    reason: storable(reason),
    source: { ...a.source, ref: storable(a.source.ref) },
    arrivedAt: a.receivedAt,
  };
  return {
    kind: 'unrecognized',
    reason,
    events: [
      envelope<UnrecognizedFactArrived>(
        { type: 'UnrecognizedFactArrived', schemaVersion: 1, data, raw: a.bytes },
        unrecognizedIdentity(a.serverId, sha256),
      ),
    ],
  };
}
