// A protocol DOUBLE of an EventStoreDB/KurrentDB node (no real server can run on these machines,
// notes/peers.md §6): a gRPC server built from @eventstore/db-client's own generated stubs, serving
// Streams.Append and Streams.Read for one stream and for $all. It mimics what the adapter relies on:
// large sparse commit positions (commit == prepare for self-committed writes), system events in
// `$` streams interleaved in $all, idempotent appends by event id for an exact expected revision
// (ESDB's CommitCheck), stream-not-found, wrong-expected-version, inclusive forward $all reads,
// positions in stream reads (ESDB ≥ 22.6). Not served: BatchAppend (ServerFeatures is left
// unimplemented, so the client falls back to Append), subscriptions, deletes, projections, auth.
import { createRequire } from 'node:module';
import type * as SharedPb from '@eventstore/db-client/generated/shared_pb.js';
import type * as StreamsGrpcPb from '@eventstore/db-client/generated/streams_grpc_pb.js';
import type * as StreamsPb from '@eventstore/db-client/generated/streams_pb.js';
import type * as GrpcJs from '@grpc/grpc-js';

const clientRequire = createRequire(createRequire(import.meta.url).resolve('@eventstore/db-client'));
const grpc = clientRequire('@grpc/grpc-js') as typeof GrpcJs;
const shared = clientRequire('../generated/shared_pb.js') as typeof SharedPb;
const pb = clientRequire('../generated/streams_pb.js') as typeof StreamsPb;
const services = clientRequire('../generated/streams_grpc_pb.js') as typeof StreamsGrpcPb;

type LogRecord = {
  commit: bigint;
  stream: string;
  revision: bigint;
  id: string;
  type: string;
  contentType: string;
  created: bigint;
  data: Uint8Array;
  meta: Uint8Array;
};

export type EsdbDoubleOptions = {
  /** Where the log starts (ESDB positions are byte offsets in the transaction file). */
  firstPosition?: bigint;
  /** Writes a `$statsCollected` system event after every N user appends (0: never). */
  systemEventEvery?: number;
  /** Older servers answer an idempotent append without a position, newer ones with the original's. */
  idempotentPosition?: 'none' | 'original';
};

export type EsdbDouble = {
  readonly url: string;
  readonly port: number;
  /** User events in the log, in $all order (for assertions). */
  userEvents(): { stream: string; id: string; commit: bigint }[];
  /** Stops serving (the log is kept, like a server's disk); `start()` serves it again on the same port. */
  stop(): Promise<void>;
  start(): Promise<void>;
  close(): Promise<void>;
};

/** `created` travels as 100 ns ticks since the Unix epoch. */
const TICKS_PER_MS = 10_000n;

export async function startEsdbDouble(opts: EsdbDoubleOptions = {}): Promise<EsdbDouble> {
  const log: LogRecord[] = [];
  const streams = new Map<string, LogRecord[]>();
  let next = opts.firstPosition ?? 1_000_000n;
  let userAppends = 0;
  const every = opts.systemEventEvery ?? 5;

  function write(stream: string, id: string, type: string, contentType: string, data: Uint8Array, meta: Uint8Array) {
    const list = streams.get(stream) ?? [];
    const rec: LogRecord = {
      commit: next,
      stream,
      revision: BigInt(list.length),
      id,
      type,
      contentType,
      created: BigInt(Date.now()) * TICKS_PER_MS,
      data,
      meta,
    };
    // Sparse, like byte offsets of records in the transaction file.
    next += 120n + BigInt(stream.length + type.length + data.byteLength + meta.byteLength);
    list.push(rec);
    streams.set(stream, list);
    log.push(rec);
    return rec;
  }
  const systemEvent = (stream: string, type: string) =>
    write(stream, crypto.randomUUID(), type, 'application/json', Buffer.from('{}'), new Uint8Array());
  systemEvent('$users', '$UserCreated');
  systemEvent('$projections-$all', '$ProjectionsInitialized');

  const uuidOf = (u: SharedPb.UUID | undefined): string => {
    if (!u) throw new Error('event without id');
    if (u.hasString()) return u.getString();
    const s = u.getStructured()!;
    const b = Buffer.alloc(16);
    b.writeBigInt64BE(BigInt(s.getMostSignificantBits()), 0);
    b.writeBigInt64BE(BigInt(s.getLeastSignificantBits()), 8);
    const h = b.toString('hex');
    return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
  };
  const streamName = (s: SharedPb.StreamIdentifier | undefined) =>
    Buffer.from(s!.getStreamName_asU8()).toString('utf8');

  function recorded(rec: LogRecord): StreamsPb.ReadResp.ReadEvent.RecordedEvent {
    const r = new pb.ReadResp.ReadEvent.RecordedEvent();
    r.setId(new shared.UUID().setString(rec.id));
    r.setStreamIdentifier(new shared.StreamIdentifier().setStreamName(Buffer.from(rec.stream, 'utf8')));
    r.setStreamRevision(rec.revision.toString());
    r.setCommitPosition(rec.commit.toString());
    r.setPreparePosition(rec.commit.toString());
    r.getMetadataMap()
      .set('type', rec.type)
      .set('content-type', rec.contentType)
      .set('created', rec.created.toString());
    r.setCustomMetadata(rec.meta);
    r.setData(rec.data);
    return r;
  }
  function eventResp(rec: LogRecord, withPosition: boolean): StreamsPb.ReadResp {
    const e = new pb.ReadResp.ReadEvent().setEvent(recorded(rec));
    if (withPosition) e.setCommitPosition(rec.commit.toString());
    else e.setNoPosition(new shared.Empty());
    return new pb.ReadResp().setEvent(e);
  }

  type Pending = { id: string; type: string; contentType: string; data: Uint8Array; meta: Uint8Array };

  /** ESDB's commit check: exact revision / no stream → write, or idempotent when the same ids already sit there. */
  function append(options: StreamsPb.AppendReq.Options, events: Pending[]): StreamsPb.AppendResp {
    const name = streamName(options.getStreamIdentifier());
    const list = streams.get(name) ?? [];
    const current = BigInt(list.length) - 1n;
    const Case = pb.AppendReq.Options.ExpectedStreamRevisionCase;
    const kind = options.getExpectedStreamRevisionCase();
    const expected = kind === Case.REVISION ? BigInt(options.getRevision()) : kind === Case.NO_STREAM ? -1n : null;
    const wrong = () => {
      const w = new pb.AppendResp.WrongExpectedVersion();
      if (current < 0n) w.setCurrentNoStream(new shared.Empty());
      else w.setCurrentRevision(current.toString());
      if (kind === Case.REVISION) w.setExpectedRevision(options.getRevision());
      else if (kind === Case.NO_STREAM) w.setExpectedNoStream(new shared.Empty());
      else if (kind === Case.STREAM_EXISTS) w.setExpectedStreamExists(new shared.Empty());
      else w.setExpectedAny(new shared.Empty());
      return new pb.AppendResp().setWrongExpectedVersion(w);
    };
    const success = (revision: bigint, position: bigint | null) => {
      const s = new pb.AppendResp.Success().setCurrentRevision(revision.toString());
      if (position === null) s.setNoPosition(new shared.Empty());
      else
        s.setPosition(
          new pb.AppendResp.Position().setCommitPosition(position.toString()).setPreparePosition(position.toString()),
        );
      return new pb.AppendResp().setSuccess(s);
    };
    if (kind === Case.STREAM_EXISTS && current < 0n) return wrong();
    if (expected !== null && expected !== current) {
      if (expected > current) return wrong();
      const stored = list.slice(Number(expected + 1n), Number(expected + 1n) + events.length);
      const same = stored.length === events.length && stored.every((r, i) => r.id === events[i]!.id);
      if (!same) return wrong(); // ESDB: CorruptedIdempotency is answered as wrong expected version
      const last = stored[stored.length - 1]!;
      return success(last.revision, opts.idempotentPosition === 'original' ? last.commit : null);
    }
    if (events.length === 0) return success(current, null);
    let last: LogRecord | undefined;
    for (const e of events) last = write(name, e.id, e.type, e.contentType, e.data, e.meta);
    if (every > 0 && ++userAppends % every === 0) systemEvent('$stats-127.0.0.1:2113', '$statsCollected');
    return success(last!.revision, last!.commit);
  }

  function read(request: StreamsPb.ReadReq): StreamsPb.ReadResp[] | { error: string } {
    const o = request.getOptions();
    if (!o) return { error: 'read without options' };
    if (o.hasSubscription()) return { error: 'subscriptions are not served by this double' };
    const count = Number(o.getCount() || '0');
    const backwards = o.getReadDirection() === pb.ReadReq.Options.ReadDirection.BACKWARDS;
    if (o.hasStream()) {
      const so = o.getStream()!;
      const name = streamName(so.getStreamIdentifier());
      const list = streams.get(name);
      if (!list || list.length === 0) {
        const nf = new pb.ReadResp.StreamNotFound().setStreamIdentifier(so.getStreamIdentifier());
        return [new pb.ReadResp().setStreamNotFound(nf)];
      }
      let chosen: LogRecord[];
      if (backwards) {
        const from = so.hasRevision() ? Number(so.getRevision()) : list.length - 1;
        chosen = list.slice(0, from + 1).reverse();
      } else {
        const from = so.hasRevision() ? Number(so.getRevision()) : so.hasEnd() ? list.length : 0;
        chosen = list.slice(from);
      }
      return chosen.slice(0, count).map((r) => eventResp(r, false));
    }
    const ao = o.getAll()!;
    let chosen: LogRecord[];
    if (ao.hasPosition()) {
      const p = BigInt(ao.getPosition()!.getCommitPosition());
      const at = log.findIndex((r) => r.commit >= p);
      const exact = at === -1 ? p === next : log[at]!.commit === p;
      if (!exact) return { error: `invalid position ${p}: not the start of a record` };
      const i = at === -1 ? log.length : at;
      chosen = backwards ? log.slice(0, i).reverse() : log.slice(i);
    } else if (backwards) chosen = ao.hasEnd() ? [...log].reverse() : [];
    else chosen = ao.hasStart() ? log : [];
    return chosen.slice(0, count).map((r) => eventResp(r, true));
  }

  const impl: GrpcJs.UntypedServiceImplementation = {
    append(
      call: GrpcJs.ServerReadableStream<StreamsPb.AppendReq, StreamsPb.AppendResp>,
      callback: GrpcJs.sendUnaryData<StreamsPb.AppendResp>,
    ) {
      let options: StreamsPb.AppendReq.Options | undefined;
      const events: Pending[] = [];
      call.on('data', (m: StreamsPb.AppendReq) => {
        if (m.hasOptions()) options = m.getOptions();
        else {
          const p = m.getProposedMessage()!;
          const md = p.getMetadataMap();
          events.push({
            id: uuidOf(p.getId()),
            type: md.get('type') ?? '',
            contentType: md.get('content-type') ?? 'application/octet-stream',
            data: p.getData_asU8(),
            meta: p.getCustomMetadata_asU8(),
          });
        }
      });
      call.on('end', () => {
        if (!options) return callback({ code: grpc.status.INVALID_ARGUMENT, details: 'append without options' });
        callback(null, append(options, events));
      });
      call.on('error', () => {});
    },
    read(call: GrpcJs.ServerWritableStream<StreamsPb.ReadReq, StreamsPb.ReadResp>) {
      const out = read(call.request);
      if ('error' in out) {
        call.emit('error', { code: grpc.status.UNIMPLEMENTED, details: out.error });
        return;
      }
      for (const r of out) call.write(r);
      call.end();
    },
  };
  const unimplemented = (_: unknown, cb: GrpcJs.sendUnaryData<unknown>) =>
    cb({ code: grpc.status.UNIMPLEMENTED, details: 'not served by the double' });
  for (const name of ['delete', 'tombstone', 'batchAppend']) impl[name] = unimplemented;

  let server: GrpcJs.Server | null = null;
  let port = 0;
  async function start() {
    const s = new grpc.Server();
    s.addService(services.StreamsService, impl);
    port = await new Promise<number>((resolve, reject) =>
      s.bindAsync(`127.0.0.1:${port}`, grpc.ServerCredentials.createInsecure(), (e, p) => (e ? reject(e) : resolve(p))),
    );
    server = s;
  }
  async function stop() {
    server?.forceShutdown();
    server = null;
  }
  await start();
  return {
    get url() {
      return `esdb://127.0.0.1:${port}?tls=false`;
    },
    get port() {
      return port;
    },
    userEvents: () =>
      log.filter((r) => !r.stream.startsWith('$')).map((r) => ({ stream: r.stream, id: r.id, commit: r.commit })),
    stop,
    start,
    close: stop,
  };
}
