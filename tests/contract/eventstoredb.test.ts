// Against a gRPC protocol DOUBLE of EventStoreDB (tests/support/esdbDouble.ts), not a real server:
// none can run on these machines. The double is built from the client's own protobuf stubs.
import { EventStoreDBClient, FORWARDS, jsonEvent, START } from '@eventstore/db-client';
import { afterEach, describe, expect, it } from 'vitest';
import { isLedgerError } from '../../src/errors.ts';
import { openEventStoreDbEventStore } from '../../src/store/eventStoreDbEventStore.ts';
import { type EsdbDouble, startEsdbDouble } from '../support/esdbDouble.ts';
import { eventStoreContract, fact } from './eventStoreContract.ts';

eventStoreContract('eventstoredb (double)', async () => {
  const double = await startEsdbDouble();
  const store = await openEventStoreDbEventStore(double.url, { pollIntervalMs: 50 });
  return {
    store,
    dispose: async () => {
      await store.close();
      await double.close();
    },
  };
});

describe('eventstoredb adapter', () => {
  const cleanups: (() => Promise<void>)[] = [];
  afterEach(async () => {
    for (const c of cleanups.splice(0).reverse()) await c();
  });
  async function fresh(opts: Parameters<typeof startEsdbDouble>[0] = {}) {
    const double = await startEsdbDouble(opts);
    cleanups.push(() => double.close());
    const store = await openEventStoreDbEventStore(double.url, { pollIntervalMs: 50 });
    cleanups.push(() => store.close());
    return { double, store };
  }
  const rawClient = (double: EsdbDouble) => {
    const c = EventStoreDBClient.connectionString(double.url);
    cleanups.push(() => c.dispose());
    return c;
  };

  it('fails a call with a retriable STORE_UNAVAILABLE while the server is down, and works again once it is back', async () => {
    const { double, store } = await fresh();
    await store.append('up-1', [fact('up-1')]);
    const port = double.port;
    await double.stop();
    const failed = await store.append('down-1', [fact('down-1')]).catch((e: unknown) => e);
    expect(isLedgerError(failed, 'STORE_UNAVAILABLE')).toBe(true);
    expect((failed as { retriable: boolean }).retriable).toBe(true);
    expect((failed as Error).message).toContain(`127.0.0.1:${port}`);
    await double.start();
    expect(double.port).toBe(port);
    const [again] = await store.append('down-1', [fact('down-1')]);
    expect(again!.status).toBe('appended');
    expect((await store.readAll(0, 10)).map((e) => e.streamId)).toEqual(['up-1', 'down-1']);
  });

  it('refuses to open when no server answers, naming the address without its password', async () => {
    const { double } = await fresh();
    const url = `esdb://admin:secret@127.0.0.1:${double.port}?tls=false`;
    await double.stop();
    await expect(openEventStoreDbEventStore(url)).rejects.toSatisfy(
      (e) =>
        isLedgerError(e, 'STORE_UNAVAILABLE') &&
        (e as Error).message.includes(`127.0.0.1:${double.port}`) &&
        !(e as Error).message.includes('secret'),
    );
  });

  it('uses the $all commit positions (large, sparse) and skips system and foreign events', async () => {
    const { double, store } = await fresh({ systemEventEvery: 1 });
    await store.appendFacts([fact('pos-a'), fact('pos-b'), fact('pos-c')]);
    // Another application writing into the same cluster: no et-ledger envelope in its metadata.
    await rawClient(double).appendToStream('orders-1', jsonEvent({ type: 'OrderPlaced', data: { n: 1 } }));
    await store.append('pos-d', [fact('pos-d')]);
    const all = await store.readAll(0, 100);
    const ours = double.userEvents().filter((e) => e.stream.startsWith('pos-'));
    expect(all.map((e) => e.streamId)).toEqual(['pos-a', 'pos-b', 'pos-c', 'pos-d']);
    expect(all.map((e) => e.position)).toEqual(ours.map((e) => Number(e.commit)));
    expect(all[0]!.position).toBeGreaterThan(1_000_000);
    expect(all[1]!.position - all[0]!.position).toBeGreaterThan(1);
    expect(await store.headPosition()).toBe(all[3]!.position);
    expect(await store.readAll(all[1]!.position, 1)).toEqual([all[2]]);
  });

  it('refuses a position beyond 2^53 instead of rounding it', async () => {
    const { store } = await fresh({ firstPosition: 2n ** 53n - 200n });
    await expect(store.append('big-1', [fact('big-1')])).rejects.toSatisfy((e) => isLedgerError(e, 'STORE_CORRUPT'));
  });

  it('reports a fact another process already appended as duplicate, with that append’s position', async () => {
    const { double, store } = await fresh();
    const other = await openEventStoreDbEventStore(double.url);
    cleanups.push(() => other.close());
    const [first] = await other.appendFacts([fact('shared-1')]);
    // ESDB alone would not catch this with expected revision `any` once its id cache moved on.
    await store.appendFacts(Array.from({ length: 20 }, (_, i) => fact(`filler-${i}`)));
    const [again] = await store.appendFacts([fact('shared-1')]);
    expect(again).toEqual({ ...first, status: 'duplicate' });
    expect(double.userEvents().filter((e) => e.stream === 'shared-1')).toHaveLength(1);
  });

  it('reports an idempotent success without a position (an older server) as duplicate', async () => {
    const { double, store } = await fresh({ idempotentPosition: 'none' });
    const [first] = await store.append('idem-old', [fact('idem-old', 0), fact('idem-old', 1)]);
    const again = await store.append('idem-old', [fact('idem-old', 0), fact('idem-old', 1)], {
      expectedVersion: 'no_stream',
    });
    expect(again.map((o) => o.status)).toEqual(['duplicate', 'duplicate']);
    expect(again[0]).toEqual({ ...first, status: 'duplicate' });
    expect(double.userEvents().filter((e) => e.stream === 'idem-old')).toHaveLength(2);
  });

  it.each(['original', 'none'] as const)(
    'tells a re-delivered fact from a new one when the server answers the idempotent append with position %s',
    async (idempotentPosition) => {
      const { double, store } = await fresh({ idempotentPosition });
      const [first] = await store.appendFacts([fact('redo-1')]);
      await store.appendFacts([fact('redo-2')]);
      const again = await store.appendFacts([fact('redo-3'), fact('redo-1')]);
      expect(again.map((o) => o.status)).toEqual(['appended', 'duplicate']);
      expect(again[1]).toEqual({ ...first, status: 'duplicate' });
      expect(double.userEvents().filter((e) => e.stream === 'redo-1')).toHaveLength(1);
    },
  );

  it('keeps a raw fact as binary data with the JSON in metadata, and a derived event as JSON data', async () => {
    const { double, store } = await fresh();
    const bytes = new Uint8Array([0xff, 0x00, 0x41]);
    await store.append('map-raw', [fact('map-raw', 0, bytes)]);
    await store.append('map-json', [fact('map-json')]);
    const client = rawClient(double);
    const read = async (s: string) => {
      const got = [];
      for await (const r of client.readStream(s, { fromRevision: START, direction: FORWARDS, maxCount: 1 }))
        got.push(r);
      return got[0]!.event!;
    };
    const raw = await read('map-raw');
    expect(raw.isJson).toBe(false);
    expect(Buffer.from(raw.data as Uint8Array)).toEqual(Buffer.from(bytes));
    expect(raw.metadata).toMatchObject({ etLedger: 1, schemaVersion: 1, data: { i: 0 } });
    const json = await read('map-json');
    expect(json.isJson).toBe(true);
    expect(json.data).toMatchObject({ i: 0 });
    expect(json.metadata).toEqual({ etLedger: 1, schemaVersion: 1 });
    expect(json.id).toBe(fact('map-json').eventId);
  });

  it('rejects stream names that EventStoreDB reserves for itself', async () => {
    const { store } = await fresh();
    await expect(store.appendFacts([fact('$users')])).rejects.toSatisfy((e) => isLedgerError(e, 'USAGE'));
  });
});
