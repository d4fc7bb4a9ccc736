import { describe, expect, it } from 'vitest';
import { isLedgerError, LedgerError } from '../../src/errors.ts';
import { deterministicUuid } from '../../src/events/ids.ts';
import type { EventStore, NewEvent, StoredEvent } from '../../src/store/eventStore.ts';

export type StoreUnderTest = { store: EventStore; reopen?: () => Promise<EventStore>; dispose: () => Promise<void> };

let n = 0;
const unique = (label: string) => `${label}-${process.pid}-${Date.now()}-${++n}`;

export function fact(streamId: string, i = 0, raw?: Uint8Array): NewEvent {
  return {
    eventId: deterministicUuid('test', `${streamId}#${i}`),
    streamId,
    type: 'TestFact',
    schemaVersion: 1,
    data: { i, name: `'; drop table ledger.events; -- ${i}` },
    raw: raw ?? null,
  };
}

/** One suite for every EventStore adapter (STYLE §7): the same behaviour whatever holds the log. */
export function eventStoreContract(
  adapter: string,
  open: () => Promise<StoreUnderTest>,
  extra?: (get: () => StoreUnderTest) => void,
) {
  describe(`${adapter} event store`, () => {
    let current: StoreUnderTest;
    const withStore = async (body: (s: StoreUnderTest) => Promise<void>) => {
      current = await open();
      try {
        await body(current);
      } finally {
        await current.dispose();
      }
    };

    it('stores a re-delivered fact once and reports the second append as duplicate', () =>
      withStore(async ({ store }) => {
        const s = unique('idem');
        const [first] = await store.append(s, [fact(s)]);
        const [second] = await store.append(s, [fact(s)]);
        expect(first!.status).toBe('appended');
        expect(second).toEqual({ ...first, status: 'duplicate' });
        expect(await store.readStream(s)).toHaveLength(1);
        const batch = await store.appendFacts([fact(`${s}-a`), fact(s), fact(`${s}-a`)]);
        expect(batch.map((b) => b.status)).toEqual(['appended', 'duplicate', 'duplicate']);
      }));

    it('keeps raw bytes exactly, including bytes that are not UTF-8', () =>
      withStore(async ({ store }) => {
        const s = unique('raw');
        const bytes = new Uint8Array([0, 0xff, 0xfe, 0x5c, 0x0d, 0x0a, 0xe9, 0x27]);
        await store.append(s, [fact(s, 0, bytes)]);
        const [read] = await store.readStream(s);
        expect(Buffer.from(read!.raw!)).toEqual(Buffer.from(bytes));
        expect(read!.data).toEqual({ i: 0, name: "'; drop table ledger.events; -- 0" });
      }));

    it('rejects an append whose expected version does not match, and appends nothing', () =>
      withStore(async ({ store }) => {
        const s = unique('ver');
        await store.append(s, [fact(s, 0)], { expectedVersion: 'no_stream' });
        await store.append(s, [fact(s, 1)], { expectedVersion: 0 });
        const stale = store.append(s, [fact(s, 2)], { expectedVersion: 0 });
        await expect(stale).rejects.toSatisfy((e) => isLedgerError(e, 'STORE_CONFLICT'));
        await expect(store.append(s, [fact(s, 2)], { expectedVersion: 'no_stream' })).rejects.toBeInstanceOf(
          LedgerError,
        );
        expect((await store.readStream(s)).map((e) => e.streamVersion)).toEqual([0, 1]);
        // A re-delivery of stored events is idempotent even with a stale expectation.
        expect((await store.append(s, [fact(s, 1)], { expectedVersion: 0 }))[0]!.status).toBe('duplicate');
      }));

    it('reads all in global order from a position, in batches', () =>
      withStore(async ({ store }) => {
        const start = await store.headPosition();
        const s = unique('all');
        await store.appendFacts(Array.from({ length: 25 }, (_, i) => fact(`${s}-${i}`)));
        const seen: StoredEvent[] = [];
        for (let after = start; ; ) {
          const batch = await store.readAll(after, 7);
          if (batch.length === 0) break;
          seen.push(...batch);
          after = batch[batch.length - 1]!.position;
        }
        const ours = seen.filter((e) => e.streamId.startsWith(s));
        expect(ours).toHaveLength(25);
        expect(ours.map((e) => e.streamId)).toEqual(Array.from({ length: 25 }, (_, i) => `${s}-${i}`));
        for (let i = 1; i < seen.length; i++) expect(seen[i]!.position).toBeGreaterThan(seen[i - 1]!.position);
      }));

    it('reads only the asked types, between two positions, at most a limit (when the store filters)', () =>
      withStore(async ({ store }) => {
        if (!store.readTypes) return;
        const start = await store.headPosition();
        const s = unique('types');
        const typed = (i: number): NewEvent => ({ ...fact(`${s}-${i}`), type: i % 3 === 0 ? 'Wanted' : 'Other' });
        await store.appendFacts(Array.from({ length: 30 }, (_, i) => typed(i)));
        const head = await store.headPosition();
        const all = await store.readTypes(start, head, ['Wanted'], 100);
        expect(all.map((e) => e.streamId)).toEqual(Array.from({ length: 10 }, (_, i) => `${s}-${i * 3}`));
        expect(new Set(all.map((e) => e.type))).toEqual(new Set(['Wanted']));
        const firstFour = await store.readTypes(start, head, ['Wanted'], 4);
        expect(firstFour).toEqual(all.slice(0, 4));
        // `through` bounds the read even when more would fit the limit.
        const upTo = await store.readTypes(start, all[5]!.position, ['Wanted', 'Other'], 100);
        expect(upTo[upTo.length - 1]!.position).toBe(all[5]!.position);
        expect(await store.readTypes(start, head, ['Nothing'], 100)).toEqual([]);
      }));

    it(
      'delivers every event to a tailing subscriber exactly once, in order, under 8 concurrent writers × 2 000 appends',
      () =>
        withStore(async ({ store }) => {
          const s = unique('conc');
          const writers = 8;
          const perWriter = 2000;
          const from = await store.headPosition();
          const seen: StoredEvent[] = [];
          const total = writers * perWriter;
          let resolveAll: () => void = () => {};
          const all = new Promise<void>((r) => {
            resolveAll = r;
          });
          const sub = store.subscribe(
            from,
            async (batch) => {
              seen.push(...batch.filter((e) => e.streamId.startsWith(s)));
              if (seen.length >= total) resolveAll();
            },
            { batchSize: 300 },
          );
          await Promise.all(
            Array.from({ length: writers }, async (_, w) => {
              for (let i = 0; i < perWriter; i += 50) {
                const chunk = Array.from({ length: 50 }, (_, k) => fact(`${s}-w${w}-${i + k}`));
                await store.appendFacts(chunk);
              }
            }),
          );
          await all;
          await sub.stop();
          expect(seen).toHaveLength(total);
          expect(new Set(seen.map((e) => e.eventId)).size).toBe(total);
          for (let i = 1; i < seen.length; i++) expect(seen[i]!.position).toBeGreaterThan(seen[i - 1]!.position);
          // Per writer, its own appends arrive in the order it made them.
          for (let w = 0; w < writers; w++) {
            const mine = seen
              .filter((e) => e.streamId.startsWith(`${s}-w${w}-`))
              .map((e) => Number(e.streamId.split('-').pop()));
            expect(mine).toEqual(Array.from({ length: perWriter }, (_, i) => i));
          }
        }),
      180_000,
    );

    it('a subscription started before appends sees them live, then stops cleanly', () =>
      withStore(async ({ store }) => {
        const s = unique('live');
        const got: string[] = [];
        const sub = store.subscribe(await store.headPosition(), async (b) => {
          got.push(...b.filter((e) => e.streamId === s).map((e) => e.eventId));
        });
        await store.append(s, [fact(s, 0), fact(s, 1)]);
        await expect.poll(() => got.length, { timeout: 10_000 }).toBe(2);
        await sub.stop();
        await expect(sub.done).resolves.toBeUndefined();
      }));

    extra?.(() => current);
  });
}
