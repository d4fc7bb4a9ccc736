// Which verdict each stats round shows in the rounds read model: its timing (map_timing, which
// names the verdict's event) and its players' full GUIDs and corrected times (guid_links).
//
// A round stops showing a verdict in three ways: its own next verdict replaces it, a retraction of
// its key withdraws it, or another key's verdict supersedes it. The third is a report that moved
// to a better stats round (or a stats round whose report now stands LUA_ONLY while it waits): the
// correlator then leaves a tombstone, not a retraction (src/correlator/planAppends.ts), so the only
// trace on the log is the superseded event id in the new verdict's `supersedes`. Following round
// keys alone left the old round showing the moved report's links until its own next verdict came,
// which a split ingest could postpone forever (spec/correlation.md "Retractions": from that position
// on, no read model shows it).
import { type DerivedFact, isVerdict, type Verdict } from '../../src/events/index.ts';
import type { EventMeta } from '../../src/runtime/projection.ts';
import { insertRows } from '../../src/store/insertRows.ts';
import type { SqlExecutor } from '../../src/store/sqlDatabase.ts';

/** What a stats round shows after a batch: a verdict and its event id, or none. */
export type Shown = { eventId: string; verdict: Verdict } | null;

/**
 * Pure: what each stats round touched by `facts` (in log order) shows after them. `shownBefore`
 * maps the event ids the facts supersede to the round that showed each before the batch.
 */
export function roundsShowing(
  facts: readonly { fact: DerivedFact; eventId: string }[],
  shownBefore: ReadonlyMap<string, string>,
): Map<string, Shown> {
  const after = new Map<string, Shown>();
  const roundOf = new Map(shownBefore);
  const stillShows = (roundId: string, eventId: string) => {
    const now = after.get(roundId);
    return now === undefined ? shownBefore.get(eventId) === roundId : now?.eventId === eventId;
  };
  for (const { fact, eventId } of facts) {
    for (const gone of fact.supersedes) {
      const roundId = roundOf.get(gone);
      if (roundId !== undefined && roundId !== fact.statsFactId && stillShows(roundId, gone)) after.set(roundId, null);
    }
    if (fact.statsFactId === null) continue;
    if (isVerdict(fact)) {
      after.set(fact.statsFactId, { eventId, verdict: fact });
      roundOf.set(eventId, fact.statsFactId);
    } else after.set(fact.statsFactId, null);
  }
  return after;
}

/**
 * Writes what a run of derived facts leaves each stats round showing; returns the rounds whose
 * timing changed (their maps and player sums follow).
 */
export async function showVerdicts(
  tx: SqlExecutor,
  items: readonly { event: { data: DerivedFact }; meta: EventMeta }[],
): Promise<string[]> {
  const superseded = [...new Set(items.flatMap(({ event }) => event.data.supersedes))];
  const before =
    superseded.length === 0
      ? []
      : (
          await tx.query<{ round_id: string; verdict_event_id: string }>(
            'select round_id, verdict_event_id from map_timing where verdict_event_id = any($1::text[])',
            [superseded],
          )
        ).rows;
  const shown = roundsShowing(
    items.map(({ event, meta }) => ({ fact: event.data, eventId: meta.eventId })),
    new Map(before.map((r) => [r.verdict_event_id, r.round_id])),
  );
  if (shown.size === 0) return [];
  const ids = [...shown.keys()];
  const standing = [...shown].flatMap(([roundId, s]) => (s ? [{ roundId, ...s }] : []));
  await tx.query('delete from map_timing where round_id = any($1::text[])', [ids]);
  await tx.query('delete from guid_links where round_id = any($1::text[])', [ids]);
  if (standing.length > 0) {
    await insertRows(
      tx,
      'map_timing',
      standing.map((s) => ({
        round_id: s.roundId,
        verdict_event_id: s.eventId,
        fighting_time_sec: s.verdict.fightingTimeSec,
        surrender: s.verdict.surrender,
        suspected_abort: s.verdict.flags.includes('suspectedAbort'),
      })),
    );
    const links = standing.flatMap((s) => s.verdict.players.map((p) => ({ roundId: s.roundId, ...p })));
    if (links.length > 0)
      await tx.query(
        `insert into guid_links (round_id, guid8, name, full_guid, corrected_time_sec)
         select * from unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::float8[])
         on conflict do nothing`,
        [
          links.map((l) => l.roundId),
          links.map((l) => l.guid8),
          links.map((l) => l.name),
          links.map((l) => l.fullGuid),
          links.map((l) => l.correctedTimeSec),
        ],
      );
  }
  return ids;
}
