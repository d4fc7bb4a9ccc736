// The events topic's records (docs/scale-out.md, "Topics"): one per stored event, in log order per key.
//   key      the server (facts, ticks: data.serverId) or the round (verdicts and retractions: data.roundKey)
//   value    a raw fact's exact bytes, or the event's data as JSON
//   headers  et-event-id (consumers dedupe by it: a sink restart republishes at most one batch),
//            et-stream-id, et-stream-version, et-position, et-type, et-schema-version, et-recorded-at,
//            et-content-type (application/octet-stream | application/json), et-data (raw facts: data as JSON)
// A raw fact's record carries the same headers as on the facts topic, so the events topic can feed
// another ledger's Kafka source.
import type { IHeaders, Message } from 'kafkajs';
import type { StoredEvent } from '../store/eventStore.ts';

export const eventHeader = {
  eventId: 'et-event-id',
  streamId: 'et-stream-id',
  streamVersion: 'et-stream-version',
  position: 'et-position',
  type: 'et-type',
  schemaVersion: 'et-schema-version',
  recordedAt: 'et-recorded-at',
  contentType: 'et-content-type',
  data: 'et-data',
} as const;

export function eventKey(e: Pick<StoredEvent, 'type' | 'data' | 'streamId'>): string {
  const d = (e.data ?? {}) as { roundKey?: unknown; serverId?: unknown };
  if ((e.type === 'RoundTimingReconciled' || e.type === 'RoundVerdictRetracted') && typeof d.roundKey === 'string')
    return d.roundKey;
  if (typeof d.serverId === 'string') return d.serverId;
  return e.streamId;
}

export function encodeEventRecord(e: StoredEvent): Message {
  const headers: IHeaders = {
    [eventHeader.eventId]: e.eventId,
    [eventHeader.streamId]: e.streamId,
    [eventHeader.streamVersion]: String(e.streamVersion),
    [eventHeader.position]: String(e.position),
    [eventHeader.type]: e.type,
    [eventHeader.schemaVersion]: String(e.schemaVersion),
    [eventHeader.recordedAt]: e.recordedAt.toISOString(),
    [eventHeader.contentType]: e.raw ? 'application/octet-stream' : 'application/json',
  };
  if (e.raw) headers[eventHeader.data] = JSON.stringify(e.data);
  return {
    key: eventKey(e),
    value: e.raw ? Buffer.from(e.raw.buffer, e.raw.byteOffset, e.raw.byteLength) : Buffer.from(JSON.stringify(e.data)),
    headers,
  };
}

/** What a downstream consumer reads back from a record (the inverse of encodeEventRecord). */
export function decodeEventRecord(m: { key: Buffer | null; value: Buffer | null; headers?: IHeaders }): StoredEvent & {
  key: string;
} {
  const h = (name: string) => {
    const v = m.headers?.[name];
    const one = Array.isArray(v) ? v[0] : v;
    return one === undefined ? '' : Buffer.isBuffer(one) ? one.toString('utf8') : one;
  };
  const value = m.value ?? Buffer.alloc(0);
  const binary = h(eventHeader.contentType) === 'application/octet-stream';
  return {
    key: m.key?.toString('utf8') ?? '',
    position: Number(h(eventHeader.position)),
    eventId: h(eventHeader.eventId),
    streamId: h(eventHeader.streamId),
    streamVersion: Number(h(eventHeader.streamVersion)),
    type: h(eventHeader.type),
    schemaVersion: Number(h(eventHeader.schemaVersion)),
    data: JSON.parse(binary ? h(eventHeader.data) : value.toString('utf8')),
    raw: binary ? new Uint8Array(value.buffer, value.byteOffset, value.byteLength) : null,
    recordedAt: new Date(h(eventHeader.recordedAt)),
  };
}
