// The log in EventStoreDB/KurrentDB through @eventstore/db-client (gRPC). One stream per fact, our
// deterministic uuid as the ESDB event id, the $all commit position as our position. Read models
// stay in PostgreSQL. Idempotency (docs/scale-out.md, "EventStoreDB"): ESDB alone guarantees it only
// for an exact expected revision, and only reports it as success. A new fact goes in with "no
// stream" and its answer is told apart from an idempotent repeat by position (appendNewFact);
// everything else reads its stream first, drops ids already stored (reported `duplicate` with their
// stored position), and appends the rest with the exact revision it read. A concurrent writer
// moving the stream in between makes ESDB answer wrong-expected-version, and the append is planned
// again from a fresh read.
import {
  BACKWARDS,
  END,
  EventStoreDBClient,
  FORWARDS,
  NO_STREAM,
  type Position,
  type ReadPosition,
  START,
  StreamNotFoundError,
  WrongExpectedVersionError,
} from '@eventstore/db-client';
import { LedgerError } from '../errors.ts';
import type { AppendOutcome, EventStore, ExpectedVersion, NewEvent, StoredEvent, Subscription } from './eventStore.ts';
import { type EsdbRecord, isOurs, toEventData, toLedgerPosition, toStoredEvent } from './eventStoreDbCodec.ts';
import { redactEsdbUrl, translateEsdbError } from './eventStoreDbErrors.ts';
import { pollingSubscription } from './pollingSubscription.ts';

export type EventStoreDbOptions = {
  /** How often a caught-up subscription polls $all (appends through this process wake it at once). */
  pollIntervalMs?: number;
  /** Attempts at one stream's append when concurrent writers keep moving it. */
  appendAttempts?: number;
};

type StreamState = { revision: number; stored: Map<string, AppendOutcome> };

/** readTypes reads $all in pages of this many events. */
const READ_TYPES_PAGE = 500;

/** `kurrentdb://`, `kurrent://`, `kdb://` (and `+discover`) are the same connection string as `esdb://`. */
const toEsdbConnectionString = (url: string) =>
  url.replace(/^(?:kurrentdb|kurrent|kdb)(\+discover)?:\/\//, 'esdb$1://');

export async function openEventStoreDbEventStore(url: string, opts: EventStoreDbOptions = {}): Promise<EventStore> {
  const pollIntervalMs = opts.pollIntervalMs ?? 200;
  const appendAttempts = opts.appendAttempts ?? 5;
  let client: EventStoreDBClient;
  try {
    client = EventStoreDBClient.connectionString(toEsdbConnectionString(url));
  } catch (e) {
    throw new LedgerError(
      'CONFIG_INVALID',
      `eventstoredb:${redactEsdbUrl(url)} is not an EventStoreDB connection string (${(e as Error).message})\n    example: eventstoredb:esdb://127.0.0.1:2113?tls=false`,
      { cause: e },
    );
  }
  const fail = (what: string) => (e: unknown) => {
    throw translateEsdbError(e, what, url);
  };
  let closed = false;
  const live = new Set<Subscription>();
  const wakers = new Set<() => void>();
  const notify = () => {
    for (const w of wakers) w();
  };

  async function readStreamRecords(streamId: string, from: bigint | null, max: number): Promise<EsdbRecord[]> {
    const out: EsdbRecord[] = [];
    try {
      const reading = client.readStream(streamId, { fromRevision: from ?? START, maxCount: max, direction: FORWARDS });
      for await (const r of reading) if (r.event) out.push(r.event as EsdbRecord);
    } catch (e) {
      if (e instanceof StreamNotFoundError) return [];
      fail(`reading stream ${streamId}`)(e);
    }
    return out;
  }

  async function loadStream(streamId: string): Promise<StreamState> {
    const records = await readStreamRecords(streamId, null, Number.MAX_SAFE_INTEGER);
    const stored = new Map<string, AppendOutcome>();
    for (const r of records) {
      if (!isOurs(r)) continue;
      const e = toStoredEvent(r);
      stored.set(e.eventId, {
        eventId: e.eventId,
        status: 'duplicate',
        position: e.position,
        streamVersion: e.streamVersion,
      });
    }
    const last = records[records.length - 1];
    return { revision: last ? Number(last.revision) : -1, stored };
  }

  /**
   * Appends `events` (distinct ids, one stream, in order) unless already stored. Records every
   * event's outcome in `state`; returns the ids this call appended.
   */
  async function appendToStream(
    streamId: string,
    events: NewEvent[],
    expected: ExpectedVersion,
    known: StreamState | undefined,
  ): Promise<{ state: StreamState; appended: Set<string> }> {
    let state = known ?? (await loadStream(streamId));
    for (let attempt = 1; ; attempt++) {
      const fresh = events.filter((e) => !state.stored.has(e.eventId));
      if (fresh.length === 0) return { state, appended: new Set() };
      if (expected !== 'any') {
        const ok = expected === 'no_stream' ? state.revision === -1 : state.revision === expected;
        if (!ok) {
          throw new LedgerError(
            'STORE_CONFLICT',
            `stream ${streamId} is at version ${state.revision}, the append expected ${expected}; read the stream again and retry`,
          );
        }
      }
      const expectedRevision = state.revision === -1 ? NO_STREAM : BigInt(state.revision);
      try {
        const result = await client.appendToStream(streamId, fresh.map(toEventData), { expectedRevision });
        const appended = await recordAppend(streamId, state, fresh, result.position);
        notify();
        return { state, appended };
      } catch (e) {
        if (!(e instanceof WrongExpectedVersionError)) fail(`appending to stream ${streamId}`)(e);
        if (attempt >= appendAttempts) {
          throw new LedgerError(
            'STORE_CONFLICT',
            `stream ${streamId} kept moving under concurrent writers (${attempt} attempts); retry the append`,
            { cause: e, retriable: true },
          );
        }
        state = await loadStream(streamId);
      }
    }
  }

  /** After a successful append: the new events' positions (one event: from the answer; more: read back). */
  async function recordAppend(
    streamId: string,
    state: StreamState,
    fresh: NewEvent[],
    position: Position | undefined,
  ): Promise<Set<string>> {
    const first = state.revision + 1;
    let outcomes: AppendOutcome[];
    if (fresh.length === 1 && position) {
      const only = fresh[0]!;
      outcomes = [
        {
          eventId: only.eventId,
          status: 'appended',
          position: toLedgerPosition(position, `${streamId}@${first}`),
          streamVersion: first,
        },
      ];
    } else {
      // ESDB answers an idempotent re-append (a concurrent identical writer) without a position on
      // older servers: then the events are read back and reported as duplicates.
      const back = await readStreamRecords(streamId, BigInt(first), fresh.length);
      outcomes = back.filter(isOurs).map((r) => {
        const e = toStoredEvent(r);
        return {
          eventId: e.eventId,
          status: position ? 'appended' : 'duplicate',
          position: e.position,
          streamVersion: e.streamVersion,
        };
      });
    }
    const appended = new Set<string>();
    for (const o of outcomes) {
      state.stored.set(o.eventId, { ...o, status: 'duplicate' });
      if (o.status === 'appended') appended.add(o.eventId);
      state.revision = Math.max(state.revision, o.streamVersion);
    }
    for (const e of fresh) {
      if (!state.stored.has(e.eventId)) {
        throw new LedgerError(
          'STORE_CORRUPT',
          `event ${e.eventId} was acknowledged by EventStoreDB but is not in ${streamId}`,
        );
      }
    }
    return appended;
  }

  /**
   * The common case, a fact in a stream of its own, in one round trip: append expecting no stream.
   * ESDB answers success both for a new write and for an idempotent repeat of the same id at
   * revision 0; a new write lies after `before` (the end of $all when the batch began), a repeat
   * does not (or carries no position), and is then read back and reported `duplicate`. Any other
   * answer (the stream holds something else) returns null: the caller takes the general path.
   */
  async function appendNewFact(e: NewEvent, before: bigint): Promise<{ state: StreamState; appended: boolean } | null> {
    let result: Awaited<ReturnType<EventStoreDBClient['appendToStream']>>;
    try {
      result = await client.appendToStream(e.streamId, [toEventData(e)], { expectedRevision: NO_STREAM });
    } catch (err) {
      if (err instanceof WrongExpectedVersionError) return null;
      fail(`appending to stream ${e.streamId}`)(err);
      throw err;
    }
    if (result.position && result.position.commit > before) {
      const outcome: AppendOutcome = {
        eventId: e.eventId,
        status: 'duplicate',
        position: toLedgerPosition(result.position, `${e.streamId}@0`),
        streamVersion: Number(result.nextExpectedRevision),
      };
      notify();
      return { state: { revision: outcome.streamVersion, stored: new Map([[e.eventId, outcome]]) }, appended: true };
    }
    const state = await loadStream(e.streamId);
    return state.stored.has(e.eventId) ? { state, appended: false } : null;
  }

  /** The commit position of the last record in $all, whoever wrote it (0n when empty). */
  async function lastCommitPosition(): Promise<bigint> {
    let last = 0n;
    try {
      for await (const r of client.readAll({ fromPosition: END, maxCount: 1, direction: BACKWARDS })) {
        const p = (r.event as EsdbRecord | undefined)?.position;
        if (p) last = p.commit;
      }
    } catch (err) {
      fail('reading the end of $all')(err);
    }
    return last;
  }

  /** Outcomes in input order: the first occurrence of an id this call appended is `appended`, all others `duplicate`. */
  function report(events: NewEvent[], states: Map<string, StreamState>, appended: Set<string>): AppendOutcome[] {
    const reported = new Set<string>();
    return events.map((e) => {
      const stored = states.get(e.streamId)!.stored.get(e.eventId)!;
      const first = appended.has(e.eventId) && !reported.has(e.eventId);
      reported.add(e.eventId);
      return { ...stored, status: first ? 'appended' : 'duplicate' };
    });
  }

  const distinctById = (events: NewEvent[]) => {
    const seen = new Set<string>();
    return events.filter((e) => {
      if (seen.has(e.eventId)) return false;
      seen.add(e.eventId);
      return true;
    });
  };

  function checkOpen(events: NewEvent[]) {
    if (closed) throw new LedgerError('STORE_UNAVAILABLE', 'the event store is closed');
    for (const e of events) {
      if (e.streamId.startsWith('$'))
        throw new LedgerError('USAGE', `stream ${e.streamId}: names starting with $ are EventStoreDB system streams`);
    }
  }

  async function readAll(after: number, limit: number): Promise<StoredEvent[]> {
    const out: StoredEvent[] = [];
    // Forward $all reads include the record at the start position: skip through `after` itself.
    let skipThrough = BigInt(Math.max(after, 0));
    let from: ReadPosition = after > 0 ? { commit: skipThrough, prepare: skipThrough } : START;
    while (out.length < limit) {
      const want = limit - out.length + 1;
      let seen = 0;
      let last: Position | undefined;
      try {
        for await (const r of client.readAll({ fromPosition: from, maxCount: want, direction: FORWARDS })) {
          seen++;
          const e = r.event as EsdbRecord | undefined;
          if (!e?.position) continue;
          last = e.position;
          // Never leave a read early: the client only lets go of a stream that ran to its end.
          if (e.position.commit <= skipThrough || !isOurs(e) || out.length === limit) continue;
          out.push(toStoredEvent(e));
        }
      } catch (e) {
        fail(`reading $all after position ${after}`)(e);
      }
      if (out.length === limit || seen < want || !last) break;
      from = last;
      skipThrough = last.commit;
    }
    return out;
  }

  /**
   * readTypes filtered on this side: $all is read in pages and only events of these types are kept
   * (a server-side filter would hand back positions of matching events only, and the caller's
   * checkpoint must still pass the others). The projection decodes and applies none of the rest.
   */
  async function readTypes(after: number, through: number, types: readonly string[], limit: number) {
    const wanted = new Set(types);
    const out: StoredEvent[] = [];
    for (let from = after; out.length < limit; ) {
      const page = await readAll(from, READ_TYPES_PAGE);
      for (const e of page) {
        if (e.position > through) return out;
        if (wanted.has(e.type)) out.push(e);
        if (out.length === limit) return out;
      }
      if (page.length < READ_TYPES_PAGE) return out;
      from = page[page.length - 1]!.position;
    }
    return out;
  }

  async function headPosition(): Promise<number> {
    let from: ReadPosition = END;
    const window = 32;
    for (;;) {
      let seen = 0;
      let last: Position | undefined;
      let head: EsdbRecord | undefined;
      try {
        for await (const r of client.readAll({ fromPosition: from, maxCount: window, direction: BACKWARDS })) {
          seen++;
          const e = r.event as EsdbRecord | undefined;
          if (!e?.position) continue;
          last = e.position;
          if (!head && isOurs(e)) head = e;
        }
      } catch (e) {
        fail('reading the head of $all')(e);
      }
      if (head) return toLedgerPosition(head.position, `${head.streamId}@${head.revision}`);
      if (seen < window || !last) return 0;
      from = last;
    }
  }

  const store: EventStore = {
    kind: 'eventstoredb',
    async append(streamId, events, opts = {}) {
      checkOpen(events);
      for (const e of events) {
        if (e.streamId !== streamId)
          throw new LedgerError('USAGE', `event ${e.eventId} names stream ${e.streamId}, not ${streamId}`);
      }
      if (events.length === 0) return [];
      const { state, appended } = await appendToStream(
        streamId,
        distinctById(events),
        opts.expectedVersion ?? 'any',
        undefined,
      );
      return report(events, new Map([[streamId, state]]), appended);
    },
    async appendFacts(events) {
      checkOpen(events);
      if (events.length === 0) return [];
      const distinct = distinctById(events);
      const states = new Map<string, StreamState>();
      const appended = new Set<string>();
      const before = await lastCommitPosition();
      // One stream after another, so the log keeps the batch's order.
      for (let i = 0; i < distinct.length; ) {
        const streamId = distinct[i]!.streamId;
        let j = i;
        while (j < distinct.length && distinct[j]!.streamId === streamId) j++;
        const run = distinct.slice(i, j);
        const known = states.get(streamId);
        const fresh = run.length === 1 && !known ? await appendNewFact(run[0]!, before) : null;
        if (fresh) {
          states.set(streamId, fresh.state);
          if (fresh.appended) appended.add(run[0]!.eventId);
        } else {
          const done = await appendToStream(streamId, run, 'any', known);
          states.set(streamId, done.state);
          for (const id of done.appended) appended.add(id);
        }
        i = j;
      }
      return report(events, states, appended);
    },
    async readStream(streamId) {
      const records = await readStreamRecords(streamId, null, Number.MAX_SAFE_INTEGER);
      return records.filter(isOurs).map(toStoredEvent);
    },
    readAll,
    readTypes,
    headPosition,
    subscribe(after, onBatch, opts = {}) {
      return pollingSubscription({
        after,
        batchSize: opts.batchSize ?? 500,
        pollIntervalMs,
        readAll,
        onBatch,
        wakeOn: async (wake) => {
          wakers.add(wake);
          return async () => void wakers.delete(wake);
        },
        readRetries: 5,
        live,
      });
    },
    async close() {
      closed = true;
      await Promise.all([...live].map((s) => s.stop()));
      // dispose() waits for open gRPC streams; a server that went away may never end them.
      await Promise.race([client.dispose(), new Promise((r) => setTimeout(r, 2_000).unref())]);
    },
  };
  // Fail at open, not at the first append, when the server is unreachable or refuses $all.
  await headPosition();
  return store;
}
