// What a swap of the correlator (and its followers) will do (the rebuild report): which verdicts
// change, and which Discord messages the sender will then edit, post or delete. The prediction
// renders each new outbox row exactly as the sender does and compares it with what the message
// shows, so "edit" here means the sender will edit, and nothing else will be sent.
import type { SqlExecutor } from '../../store/sqlDatabase.ts';
import { ident } from '../../store/sqlDatabase.ts';
import { hashOf } from './discordSender.ts';
import { mayDelete, mayPost } from './postAge.ts';
import { type OutboxRecord, outboxColumns, renderPost, rowLabel, toOutboxRow } from './renderPost.ts';

export type VerdictChange = {
  roundKey: string;
  label: string;
  change: 'added' | 'removed' | 'changed';
  fields: Record<string, { before: unknown; after: unknown }>;
};

/** The verdict fields a reader sees change: status, fighting time, surrender, flags. */
const shown = ['status', 'fighting_time_sec', 'surrender', 'flags'] as const;

export async function verdictChanges(
  db: SqlExecutor,
  oldSchema: string | null,
  newSchema: string,
): Promise<VerdictChange[]> {
  const side = (schema: string | null) =>
    schema ? `${ident(schema)}.verdicts` : '(select * from (values (null::text)) v(round_key) where false)';
  const cols = (t: string) => `jsonb_build_object(${shown.map((c) => `'${c}', ${t}.${c}`).join(', ')}) as ${t}_j`;
  const r = await db.query<{
    round_key: string;
    label: string;
    o_j: Record<string, unknown> | null;
    n_j: Record<string, unknown> | null;
  }>(
    `select coalesce(n.round_key, o.round_key) as round_key,
            coalesce(n.map, o.map) || ' R' || coalesce(n.round, o.round) || ' ' ||
              coalesce(n.stats_file_name, o.stats_file_name, n.lua_report_id, o.lua_report_id, '') as label,
            case when o.round_key is null then null else ${cols('o').replace(' as o_j', '')} end as o_j,
            case when n.round_key is null then null else ${cols('n').replace(' as n_j', '')} end as n_j
     from ${side(oldSchema)} o full join ${side(newSchema)} n on o.round_key = n.round_key
     order by 1`,
  );
  const out: VerdictChange[] = [];
  for (const row of r.rows) {
    const before = row.o_j ?? {};
    const after = row.n_j ?? {};
    const fields: VerdictChange['fields'] = {};
    for (const c of shown)
      if (JSON.stringify(before[c] ?? null) !== JSON.stringify(after[c] ?? null))
        fields[c] = { before: before[c] ?? null, after: after[c] ?? null };
    if (row.o_j && row.n_j && Object.keys(fields).length === 0) continue;
    out.push({
      roundKey: row.round_key,
      label: row.label.trim(),
      change: row.o_j === null ? 'added' : row.n_j === null ? 'removed' : 'changed',
      fields,
    });
  }
  return out;
}

export type PostEffect = {
  action: 'edit' | 'post' | 'delete';
  targetKey: string;
  kind: string;
  label: string;
};

type SentRow = {
  target_key: string;
  kind: string;
  state: string;
  content_hash: string | null;
  round_time_unix: string | null;
};

/**
 * The messages the sender will touch once `outboxSchema` is the active outbox: edit (a posted
 * message whose render changes), post (a target without a message, young enough), delete (a
 * posted message whose target is gone, young enough). Rounds older than `maxAgeSec` are left.
 */
export async function discordEffects(
  db: SqlExecutor,
  outboxSchema: string,
  opts: { nowSec: number; maxAgeSec: number; publicUrl?: string | null },
): Promise<PostEffect[]> {
  const exists = await db.query<{ t: string | null }>("select to_regclass('discord_sink.messages')::text as t");
  const sent = exists.rows[0]?.t
    ? (
        await db.query<SentRow>(
          "select target_key, kind, state, content_hash, round_time_unix from discord_sink.messages where state in ('posted', 'kept', 'skipped', 'rejected', 'retracted', 'sending')",
        )
      ).rows
    : [];
  const byTarget = new Map(sent.map((s) => [`${s.target_key}\0${s.kind}`, s]));
  const rows = await db.query<OutboxRecord>(
    `select ${outboxColumns} from ${ident(outboxSchema)}.discord_outbox o order by o.position, o.kind`,
  );
  const effects: PostEffect[] = [];
  const kept = new Set<string>();
  for (const record of rows.rows) {
    const row = toOutboxRow(record);
    const key = `${row.targetKey}\0${row.kind}`;
    kept.add(key);
    if (!mayPost(row.roundTimeUnix, opts.nowSec, opts.maxAgeSec)) continue;
    const s = byTarget.get(key);
    const label = rowLabel(row);
    const hasMessage = s && (s.state === 'posted' || s.state === 'kept');
    if (!hasMessage) {
      effects.push({ action: 'post', targetKey: row.targetKey, kind: row.kind, label });
      continue;
    }
    // The rounds read model is not rebuilt with the correlator: what it holds now is what the sender reads.
    const message = await renderPost(db, row, { assumeCaughtUp: true, publicUrl: opts.publicUrl ?? null });
    if (message !== null && hashOf(message) !== s.content_hash)
      effects.push({ action: 'edit', targetKey: row.targetKey, kind: row.kind, label });
  }
  for (const s of sent) {
    if (s.state !== 'posted' || kept.has(`${s.target_key}\0${s.kind}`)) continue;
    const t = s.round_time_unix === null ? null : Number(s.round_time_unix);
    if (!mayDelete(t, opts.nowSec, opts.maxAgeSec)) continue;
    effects.push({ action: 'delete', targetKey: s.target_key, kind: s.kind, label: s.target_key });
  }
  return effects;
}
