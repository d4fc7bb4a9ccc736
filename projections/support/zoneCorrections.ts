// Zone corrections as the projections that read stats file times apply them (rounds, correlator):
// a stats fact is read in the zone of the latest correction that covers it, whether the correction
// came before it in the log or after it. After it, the facts already held are read again: the
// caller feeds them through its own stats path, as revisions of themselves in the corrected zone.
import type { ServerZoneCorrected, StatsFileArrived } from '../../src/events/index.ts';
import type { EventMeta } from '../../src/runtime/projection.ts';
import type { SqlExecutor } from '../../src/store/sqlDatabase.ts';

type Correction = { position: number; serverId: string; fromLocal: string | null; toLocal: string | null; tz: string };
type StatsItem = { event: StatsFileArrived; meta: EventMeta };

/** A stats file name's local time (`2026-08-19-214136-…` → `2026-08-19-214136`). */
const localStampOf = (fileName: string): string => fileName.slice(0, 17);

const covers = (c: Correction, stamp: string) =>
  (c.fromLocal === null || stamp >= c.fromLocal) && (c.toLocal === null || stamp <= c.toLocal);

async function correctionsOf(tx: SqlExecutor, serverIds: string[]): Promise<Correction[]> {
  if (serverIds.length === 0) return [];
  const r = await tx.query<{
    position: string;
    server_id: string;
    from_local: string | null;
    to_local: string | null;
    tz: string;
  }>(
    'select position, server_id, from_local, to_local, tz from zone_corrections where server_id = any($1::text[]) order by position',
    [serverIds],
  );
  return r.rows.map((x) => ({
    position: Number(x.position),
    serverId: x.server_id,
    fromLocal: x.from_local,
    toLocal: x.to_local,
    tz: x.tz,
  }));
}

/** The zone a correction gives a file of `serverId`, or null when none covers it. */
function correctedZone(corrections: readonly Correction[], serverId: string, fileName: string): string | null {
  const stamp = localStampOf(fileName);
  let tz: string | null = null;
  for (const c of corrections) if (c.serverId === serverId && covers(c, stamp)) tz = c.tz;
  return tz;
}

/** The stats facts with the zone the corrections give them (the same items when none applies). */
export async function inCorrectedZones(tx: SqlExecutor, items: StatsItem[]): Promise<StatsItem[]> {
  const corrections = await correctionsOf(tx, [...new Set(items.map((i) => i.event.data.serverId))]);
  if (corrections.length === 0) return items;
  return items.map((item) => {
    const tz = correctedZone(corrections, item.event.data.serverId, item.event.data.fileName);
    return tz === null || tz === item.event.data.tz
      ? item
      : { ...item, event: { ...item.event, data: { ...item.event.data, tz } } };
  });
}

/**
 * Records the corrections and returns the stats facts held that they cover, rebuilt as facts in
 * their corrected zone (their own bytes). Storing them reports where they were (storeStatsFacts):
 * those places are paired again too, for an R2 may have been paired with a file that moved away.
 */
export async function applyZoneCorrections(
  tx: SqlExecutor,
  items: { event: ServerZoneCorrected; meta: EventMeta }[],
): Promise<StatsItem[]> {
  for (const { event, meta } of items) {
    const d = event.data;
    await tx.query(
      'insert into zone_corrections (position, server_id, from_local, to_local, tz) values ($1, $2, $3, $4, $5) on conflict do nothing',
      [meta.position, d.serverId, d.fromLocal, d.toLocal, d.tz],
    );
  }
  const servers = [...new Set(items.map((i) => i.event.data.serverId))];
  const held = await tx.query<{
    fact_id: string;
    server_id: string;
    file_name: string;
    tz: string;
    raw: Uint8Array;
  }>(
    'select fact_id, server_id, file_name, tz, raw from stats_facts where server_id = any($1::text[]) order by fact_id',
    [servers],
  );
  const corrections = await correctionsOf(tx, servers);
  const touched = items.map((i) => i.event.data);
  const refeed: StatsItem[] = [];
  const last = items[items.length - 1]!.meta;
  for (const row of held.rows) {
    const stamp = localStampOf(row.file_name);
    if (!touched.some((d) => d.serverId === row.server_id && covers({ ...d, position: 0 }, stamp))) continue;
    const tz = correctedZone(corrections, row.server_id, row.file_name) ?? row.tz;
    if (tz === row.tz) continue;
    const raw = new Uint8Array(row.raw);
    // Only what the stats path reads of a fact: its server, file name, zone and bytes.
    refeed.push({
      event: {
        type: 'StatsFileArrived',
        schemaVersion: 1,
        raw,
        data: { serverId: row.server_id, fileName: row.file_name, tz },
      } as unknown as StatsFileArrived,
      meta: last,
    });
  }
  return refeed;
}
