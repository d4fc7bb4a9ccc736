// The correlator's standing verdicts, folded from its own events in the log. The correlator keeps,
// per round key, the event that ends the key's chain (projections/correlator.sql `standing`): its
// current verdict, or a tombstone (verdict null) naming a retraction, or naming the key's last
// verdict when another key's verdict took its fact over (src/correlator/planAppends.ts). Every
// change to `standing` is exactly an event the correlator appended, so the table is a fold of its
// generation's RoundTimingReconciled and RoundVerdictRetracted events; a restore rebuilds it from
// them rather than from decisions taken again (which need not give the same ids).
import { LedgerError } from '../errors.ts';
import type { Build } from '../runtime/catalog.ts';
import { ident, type SqlDatabase, type SqlExecutor } from '../store/sqlDatabase.ts';

type Entry = { eventId: string; verdict: boolean };

/** Whether the build keeps its standing verdicts as this module knows them (projections/correlator.sql). */
export async function knowsStanding(db: SqlExecutor, build: Build): Promise<boolean> {
  const cols = await db.query<{ name: string }>(
    'select attname as name from pg_attribute where attrelid = to_regclass($1) and attnum > 0 and not attisdropped',
    [`${build.schemaName}.standing`],
  );
  const have = new Set(cols.rows.map((c) => c.name));
  return ['round_key', 'event_id', 'verdict'].every((c) => have.has(c)) && have.size === 3;
}

/** Replaces `standing` in `build`'s schema with the fold of the build's generation's events. */
export async function restoreStanding(db: SqlDatabase, build: Build): Promise<number> {
  const schema = ident(build.schemaName);
  if (!(await knowsStanding(db, build)))
    throw new LedgerError(
      'PROJECTION_FAILED',
      'the correlator no longer keeps its standing verdicts as standing (round_key, event_id, verdict): src/backup/correlatorState.ts must learn its new state',
    );
  const standing = new Map<string, Entry>();
  const keyOf = new Map<string, string>();
  const set = (key: string, entry: Entry) => {
    const old = standing.get(key);
    if (old && keyOf.get(old.eventId) === key) keyOf.delete(old.eventId);
    standing.set(key, entry);
    keyOf.set(entry.eventId, key);
  };
  for (let after = 0; ; ) {
    const page = await db.query<{
      position: number;
      event_id: string;
      type: string;
      round_key: string;
      supersedes: string[];
    }>(
      `select position, event_id::text as event_id, type, data->>'roundKey' as round_key,
         array(select jsonb_array_elements_text(coalesce(data->'supersedes', '[]'::jsonb))) as supersedes
       from ledger.events
       where position > $1 and type in ('RoundTimingReconciled', 'RoundVerdictRetracted')
         and data->'generation' = to_jsonb($2::int)
       order by position limit 2000`,
      [after, build.generation],
    );
    if (page.rows.length === 0) break;
    for (const e of page.rows) {
      if (e.type === 'RoundTimingReconciled') {
        // A verdict that takes over another key's verdict leaves that key a tombstone naming it.
        for (const s of e.supersedes) {
          const other = keyOf.get(s);
          if (other !== undefined && other !== e.round_key && standing.get(other)?.verdict)
            set(other, { eventId: s, verdict: false });
        }
        set(e.round_key, { eventId: e.event_id, verdict: true });
      } else set(e.round_key, { eventId: e.event_id, verdict: false });
    }
    after = Number(page.rows[page.rows.length - 1]!.position);
  }
  await db.transaction(async (tx) => {
    await tx.exec(`delete from ${schema}.standing`);
    const entries = [...standing];
    for (let i = 0; i < entries.length; i += 1000) {
      const chunk = entries.slice(i, i + 1000);
      await tx.query(
        `insert into ${schema}.standing (round_key, event_id, verdict)
         select x.k, x.e, case when x.v then (select ev.data::json from ledger.events ev where ev.event_id = x.e::uuid) end
         from unnest($1::text[], $2::text[], $3::bool[]) as x(k, e, v)`,
        [chunk.map(([k]) => k), chunk.map(([, v]) => v.eventId), chunk.map(([, v]) => v.verdict)],
      );
    }
  });
  return standing.size;
}
