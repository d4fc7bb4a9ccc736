// How one of our events is laid out in an EventStoreDB/KurrentDB record (docs/scale-out.md):
// - a raw fact: data = its exact bytes (content-type application/octet-stream), custom metadata =
//   JSON {"etLedger":1,"schemaVersion":n,"data":{…}} — no base64 inflation of stats files, bytes kept as is;
// - a derived event (verdict, tick): data = its JSON (application/json, readable by ESDB tools and
//   server-side projections), custom metadata = {"etLedger":1,"schemaVersion":n}.
// The event id is our deterministic uuid; the stream is our stream id; position = the $all commit position.
import { binaryEvent, type EventData, type JSONType, jsonEvent, type Position } from '@eventstore/db-client';
import { LedgerError } from '../errors.ts';
import type { NewEvent, StoredEvent } from './eventStore.ts';

type Envelope = { etLedger: 1; schemaVersion: number; data?: unknown };

export function toEventData(e: NewEvent): EventData {
  if (e.raw) {
    const metadata: Envelope = { etLedger: 1, schemaVersion: e.schemaVersion, data: e.data };
    return binaryEvent({ id: e.eventId, type: e.type, data: e.raw, metadata });
  }
  const metadata: Envelope = { etLedger: 1, schemaVersion: e.schemaVersion };
  return jsonEvent({ id: e.eventId, type: e.type, data: (e.data ?? null) as JSONType, metadata });
}

/** What the client hands back for a recorded event (the fields we read). */
export type EsdbRecord = {
  streamId: string;
  id: string;
  revision: bigint;
  type: string;
  data: unknown;
  metadata: unknown;
  isJson: boolean;
  created: Date;
  position?: Position;
};

/** System streams and events (`$…`) are the server's own; never ours. */
export const isSystemRecord = (r: { streamId: string; type: string }) =>
  r.streamId.startsWith('$') || r.type.startsWith('$');

const isEnvelope = (m: unknown): m is Envelope =>
  typeof m === 'object' &&
  m !== null &&
  !(m instanceof Uint8Array) &&
  (m as Envelope).etLedger === 1 &&
  Number.isInteger((m as Envelope).schemaVersion);

/** An event another application wrote into the same cluster carries no envelope: not part of our log. */
export const isOurs = (r: EsdbRecord) => !isSystemRecord(r) && isEnvelope(r.metadata);

const NO_POSITION = 0xffff_ffff_ffff_ffffn;

/**
 * Our positions are ESDB $all commit positions: large, sparse, increasing. A JS number holds them
 * exactly up to 2^53 (a 9 PB transaction log); past that we refuse rather than mis-order.
 */
export function toLedgerPosition(p: Position | undefined, where: string): number {
  if (!p || p.commit === NO_POSITION) {
    throw new LedgerError(
      'STORE_CORRUPT',
      `EventStoreDB returned no $all position for ${where}: et-ledger needs EventStoreDB 22.6 or later (or KurrentDB), which report positions in stream reads`,
    );
  }
  if (p.commit !== p.prepare) {
    throw new LedgerError(
      'STORE_CORRUPT',
      `event ${where} was written in an explicit (TCP-client) transaction: its commit position ${p.commit} is shared with other events, and et-ledger needs one position per event`,
    );
  }
  if (p.commit > BigInt(Number.MAX_SAFE_INTEGER)) {
    throw new LedgerError(
      'STORE_CORRUPT',
      `EventStoreDB commit position ${p.commit} of ${where} is beyond 2^53, the largest position et-ledger can represent exactly`,
    );
  }
  return Number(p.commit);
}

export function toStoredEvent(r: EsdbRecord): StoredEvent {
  const where = `${r.streamId}@${r.revision}`;
  if (!isEnvelope(r.metadata)) {
    throw new LedgerError('STORE_CORRUPT', `event ${r.id} in ${where} has no et-ledger metadata envelope`);
  }
  const raw = r.isJson ? null : toBytes(r.data);
  return {
    position: toLedgerPosition(r.position, where),
    eventId: r.id,
    streamId: r.streamId,
    streamVersion: Number(r.revision),
    type: r.type,
    schemaVersion: r.metadata.schemaVersion,
    data: r.isJson ? r.data : (r.metadata.data ?? null),
    raw,
    recordedAt: r.created,
  };
}

function toBytes(data: unknown): Uint8Array {
  if (data instanceof Uint8Array) return new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
  throw new LedgerError('STORE_CORRUPT', 'a binary event came back without bytes');
}
