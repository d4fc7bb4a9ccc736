// A small projection for runtime tests: counts ticks per server. Any event applied twice or
// skipped shows up in `tallies`, so it makes exactly-once observable.
import { clockTickIdentity } from '../../src/events/ids.ts';
import { defineProjection } from '../../src/runtime/projection.ts';
import type { NewEvent } from '../../src/store/eventStore.ts';

/** A failure that says "try again" the way PostgreSQL does (SQLSTATE 40001, serialization failure). */
class SerializationFailure extends Error {
  readonly code = '40001';
}

export const tallyProjection = (version = 1, opts: { failOnAtUnix?: number; transient?: boolean } = {}) =>
  defineProjection({
    name: 'tally',
    version,
    schemaSql: async () => `
      create table ticks (server_id text not null, at_unix bigint not null, position bigint not null, primary key (server_id, at_unix));
      create table tallies (server_id text primary key, n bigint not null, sum_at bigint not null, last_position bigint not null);`,
    tables: { ticks: { key: ['server_id', 'at_unix'] }, tallies: { key: ['server_id'] } },
    on: {
      ClockTicked: async (items, { tx }) => {
        if (opts.failOnAtUnix !== undefined && items.some((i) => i.event.data.atUnix === opts.failOnAtUnix))
          throw opts.transient
            ? new SerializationFailure('tally: simulated serialization failure')
            : new Error('tally: simulated bug');
        await tx.query(
          'insert into ticks (server_id, at_unix, position) select * from unnest($1::text[], $2::bigint[], $3::bigint[])',
          [
            items.map((i) => i.event.data.serverId),
            items.map((i) => i.event.data.atUnix),
            items.map((i) => i.meta.position),
          ],
        );
        // Not idempotent on purpose: applying a batch twice would double these sums.
        await tx.query(
          `insert into tallies (server_id, n, sum_at, last_position)
           select s, count(*), sum(a), max(p) from unnest($1::text[], $2::bigint[], $3::bigint[]) as x(s, a, p) group by s
           on conflict (server_id) do update set n = tallies.n + excluded.n, sum_at = tallies.sum_at + excluded.sum_at, last_position = excluded.last_position`,
          [
            items.map((i) => i.event.data.serverId),
            items.map((i) => i.event.data.atUnix),
            items.map((i) => i.meta.position),
          ],
        );
      },
    },
  });

export function tick(serverId: string, atUnix: number): NewEvent {
  return { ...clockTickIdentity(serverId, atUnix), type: 'ClockTicked', schemaVersion: 2, data: { serverId, atUnix } };
}

export const ticks = (serverId: string, from: number, count: number) =>
  Array.from({ length: count }, (_, i) => tick(serverId, from + i));
