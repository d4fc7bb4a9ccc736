// The facts topic's records (docs/scale-out.md, "Topics"):
//   key      the server id
//   value    the fact's exact bytes
//   headers  et-event-id, et-stream-id, et-type, et-schema-version, et-data (the fact's data, JSON)
// That is what `et-ledger collect` publishes: facts it identified itself, appended as they are
// once the ledger has checked them (schema, key, sha256, identity). A record without et-type is a
// bare arrival from any other producer (kcat, a script): its key names the server, headers
// file-name, tz and received-at describe it, and the ledger identifies the bytes itself.
// Whatever cannot be read becomes an UnrecognizedFactArrived (the quarantine) naming the record's
// topic/partition/offset; the consumer moves on.
import type { IHeaders, Message } from 'kafkajs';
import { LedgerError } from '../errors.ts';
import { IanaZone, ServerId } from '../events/common.ts';
import { luaReportIdentity, pauseIdentity, sha256Hex, statsFileIdentity, unrecognizedIdentity } from '../events/ids.ts';
import { decodeEvent, type LedgerEvent, type UnrecognizedFactArrived } from '../events/index.ts';
import { normalizeMapName } from '../parser/names.ts';
import type { NewEvent } from '../store/eventStore.ts';
import { identifyFact } from './identifyFact.ts';

export const factHeader = {
  eventId: 'et-event-id',
  streamId: 'et-stream-id',
  type: 'et-type',
  schemaVersion: 'et-schema-version',
  data: 'et-data',
  fileName: 'file-name',
  tz: 'tz',
  receivedAt: 'received-at',
} as const;

/** Fact types a facts topic may carry (derived events and ticks come from the ledger itself). */
const factTypes = new Set(['StatsFileArrived', 'LuaRoundEnded', 'PauseRecorded', 'UnrecognizedFactArrived']);

const serverOf = (e: NewEvent): string | null => {
  const s = (e.data as { serverId?: unknown } | null)?.serverId;
  return typeof s === 'string' ? s : null;
};

export function encodeFactRecord(e: NewEvent): Message {
  const serverId = serverOf(e);
  if (!factTypes.has(e.type) || !e.raw || serverId === null) {
    throw new LedgerError('USAGE', `event ${e.eventId} (${e.type}) is not a raw fact with bytes and a server id`);
  }
  return {
    key: serverId,
    value: Buffer.from(e.raw.buffer, e.raw.byteOffset, e.raw.byteLength),
    headers: {
      [factHeader.eventId]: e.eventId,
      [factHeader.streamId]: e.streamId,
      [factHeader.type]: e.type,
      [factHeader.schemaVersion]: String(e.schemaVersion),
      [factHeader.data]: JSON.stringify(e.data),
    },
  };
}

/** The parts of a consumed record the decoder reads (a kafkajs message has them). */
export type FactRecord = {
  key: Buffer | null;
  value: Buffer | null;
  headers?: IHeaders;
  offset: string;
  timestamp: string;
};

export type RecordContext = {
  topic: string;
  partition: number;
  defaultServerId: string;
  defaultTz: string;
  maxBytes: number;
};

export type DecodedFact = { events: NewEvent[]; quarantined: string | null };

export function header(headers: IHeaders | undefined, name: string): string | undefined {
  const v = headers?.[name];
  const one = Array.isArray(v) ? v[0] : v;
  return one === undefined ? undefined : Buffer.isBuffer(one) ? one.toString('utf8') : one;
}

export const recordRef = (ctx: Pick<RecordContext, 'topic' | 'partition'>, offset: string) =>
  `${ctx.topic}/${ctx.partition}/${offset}`;

export function decodeFactRecord(m: FactRecord, ctx: RecordContext): DecodedFact {
  const type = header(m.headers, factHeader.type);
  const r = type === undefined ? fromArrival(m, ctx) : fromTyped(m, type);
  return 'reason' in r ? { events: [quarantineRecord(m, ctx, r.reason)], quarantined: r.reason } : r;
}

type Attempt = DecodedFact | { reason: string };

function fromTyped(m: FactRecord, type: string): Attempt {
  const h = (name: string) => header(m.headers, name);
  const eventId = h(factHeader.eventId) ?? '';
  const streamId = h(factHeader.streamId) ?? '';
  const version = h(factHeader.schemaVersion) ?? '';
  if (!factTypes.has(type)) return { reason: `not_a_fact: ${JSON.stringify(type)} is not a raw fact type` };
  if (!/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/.test(eventId))
    return { reason: `bad_header: ${factHeader.eventId} is not a uuid` };
  if (streamId === '' || streamId.startsWith('$')) return { reason: `bad_header: ${factHeader.streamId}` };
  if (!/^[1-9][0-9]{0,3}$/.test(version)) return { reason: `bad_header: ${factHeader.schemaVersion}` };
  if (m.value === null) return { reason: 'no_value: the record has no bytes' };
  let data: unknown;
  try {
    data = JSON.parse(h(factHeader.data) ?? '');
  } catch {
    return { reason: `bad_header: ${factHeader.data} is not JSON` };
  }
  const raw = new Uint8Array(m.value.buffer, m.value.byteOffset, m.value.byteLength);
  // Untrusted input: validate against the schema (stored events are trusted and skip this).
  const decoded = decodeEvent({ type, schemaVersion: Number(version), data, raw }, { validate: true });
  if (!decoded.ok) return { reason: `schema: ${decoded.reason.replace(/\s+/g, ' ').slice(0, 500)}` };
  const event = decoded.event;
  const key = m.key?.toString('utf8');
  const serverId = (event.data as { serverId: string }).serverId;
  if (key !== serverId) return { reason: `key_mismatch: key ${JSON.stringify(key)} but the fact is of ${serverId}` };
  const sha = (event.data as { sha256?: string }).sha256;
  if (sha !== undefined && sha !== sha256Hex(raw))
    return { reason: 'sha256_mismatch: the bytes are not the ones described' };
  const expected = identityOf(event, raw);
  // Our script's reports shared the legacy shape's id before each family had its own: a topic may
  // still carry records written then.
  const before =
    event.type === 'LuaRoundEnded'
      ? luaReportIdentity(
          event.data.serverId,
          normalizeMapName(event.data.map),
          event.data.round,
          event.data.roundEndUnix,
          'legacy.stats-ready',
        )
      : expected;
  const accepted = [expected, before].some((id) => id.eventId === eventId && id.streamId === streamId);
  if (!accepted)
    return { reason: `identity_mismatch: ${type} ${eventId} should be ${expected.eventId} in ${expected.streamId}` };
  return { events: [{ eventId, streamId, type, schemaVersion: Number(version), data, raw }], quarantined: null };
}

/** The identity identifyFact gives such a fact: a producer cannot slip in ids of its own. */
function identityOf(e: LedgerEvent, raw: Uint8Array): { streamId: string; eventId: string } {
  switch (e.type) {
    case 'StatsFileArrived':
      return statsFileIdentity(e.data.serverId, e.data.fileName, e.data.sha256);
    case 'LuaRoundEnded':
      return luaReportIdentity(
        e.data.serverId,
        normalizeMapName(e.data.map),
        e.data.round,
        e.data.roundEndUnix,
        e.data.shape,
      );
    case 'PauseRecorded':
      return pauseIdentity(e.data.serverId, normalizeMapName(e.data.map), e.data.round, e.data.startUnix);
    case 'UnrecognizedFactArrived':
      return unrecognizedIdentity(e.data.serverId, sha256Hex(raw));
    default:
      return { streamId: '', eventId: '' };
  }
}

function fromArrival(m: FactRecord, ctx: RecordContext): Attempt {
  const key = m.key?.toString('utf8') ?? '';
  if (!ServerId.safeParse(key).success)
    return { reason: `bad_key: ${JSON.stringify(key.slice(0, 64))} is not a server id` };
  const tz = header(m.headers, factHeader.tz) ?? ctx.defaultTz;
  if (!IanaZone.safeParse(tz).success) return { reason: `bad_header: tz ${JSON.stringify(tz)} is not an IANA zone` };
  const fact = identifyFact({
    bytes: m.value ?? Buffer.alloc(0),
    fileName: header(m.headers, factHeader.fileName) ?? null,
    serverId: key,
    tz,
    source: { kind: 'kafka', ref: recordRef(ctx, m.offset) },
    receivedAt: receivedAt(m),
    maxBytes: ctx.maxBytes,
  });
  return { events: fact.events, quarantined: fact.kind === 'unrecognized' ? fact.reason : null };
}

function receivedAt(m: FactRecord): string {
  const given = header(m.headers, factHeader.receivedAt);
  if (given !== undefined && !Number.isNaN(Date.parse(given))) return new Date(given).toISOString();
  const ts = Number(m.timestamp);
  return new Date(Number.isFinite(ts) && ts > 0 ? ts : 0).toISOString();
}

/** The quarantine entry of a record that cannot be appended as it is, with where it sits in Kafka. */
export function quarantineRecord(m: FactRecord, ctx: RecordContext, reason: string): NewEvent {
  const bytes = m.value ?? Buffer.alloc(0);
  const key = m.key?.toString('utf8') ?? '';
  const serverId = ServerId.safeParse(key).success ? key : ctx.defaultServerId;
  const sha256 = sha256Hex(bytes);
  const data: UnrecognizedFactArrived['data'] = {
    serverId,
    fileName: header(m.headers, factHeader.fileName) ?? null,
    tz: ctx.defaultTz,
    sha256,
    sizeBytes: bytes.length,
    reason: `kafka_record_invalid: ${reason}`,
    source: { kind: 'kafka', ref: recordRef(ctx, m.offset) },
    arrivedAt: receivedAt(m),
  };
  return {
    ...unrecognizedIdentity(serverId, sha256),
    type: 'UnrecognizedFactArrived',
    schemaVersion: 1,
    data,
    raw: new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength),
  };
}
