import { basename } from 'node:path';
import { LedgerError } from '../../errors.ts';
import { listDeadLetters, POISON_ATTEMPTS } from '../../runtime/deadLetters.ts';
import { prepareRuntime, projectAllToHead } from '../../runtime/ledgerRuntime.ts';
import { createProgress } from '../../runtime/progress.ts';
import { loadProjections } from '../../runtime/registry.ts';
import { identifyFact } from '../../sources/identifyFact.ts';
import { listFiles, readBytes } from '../../sources/readPaths.ts';
import type { NewEvent } from '../../store/eventStore.ts';
import { openLedger } from '../../store/openStore.ts';
import type { Command, CommandContext } from '../command.ts';
import { cliRuntime } from './cliRuntime.ts';

export type IngestSummary = {
  files: number;
  appended: number;
  duplicate: number;
  quarantined: number;
  quarantinedFiles: { file: string; reason: string }[];
  skipped: { projection: string; eventId: string; position: number; file: string | null; error: string }[];
};

/** Appends every file under `paths` as raw facts, then runs projections and the correlator to the head. */
export async function ingestPaths(
  ctx: Pick<CommandContext, 'config' | 'log' | 'io'>,
  paths: string[],
): Promise<IngestSummary> {
  const files = await listFiles(paths);
  const ledger = await openLedger(ctx.config.store);
  try {
    const receivedAt = new Date().toISOString();
    const factIds = new Map<string, string>();
    let appended = 0;
    let duplicate = 0;
    let pending: NewEvent[] = [];
    const flush = async () => {
      if (pending.length === 0) return;
      for (const r of await ledger.store.appendFacts(pending)) r.status === 'appended' ? appended++ : duplicate++;
      pending = [];
    };
    const progress = files.length > 200 ? createProgress('append', files.length) : null;
    for (const [i, file] of files.entries()) {
      const fact = identifyFact({
        bytes: await readBytes(file),
        fileName: basename(file),
        serverId: ctx.config.serverId,
        tz: ctx.config.tz,
        source: { kind: 'dir', ref: file },
        receivedAt,
        maxBytes: ctx.config.maxFileBytes,
      });
      for (const e of fact.events) factIds.set(e.eventId, file);
      pending.push(...fact.events);
      if (pending.length >= 500) await flush();
      progress?.update(i + 1);
    }
    await flush();
    progress?.finish();
    const projections = await loadProjections();
    const runtime = cliRuntime(ledger, ctx.log, projections);
    await prepareRuntime(runtime);
    const deadBefore = new Set(
      (await listDeadLetters(ledger.db, { state: 'skipped' })).map((d) => `${d.schemaName}/${d.position}`),
    );
    await projectAllToHead(runtime);
    const skipped = (await listDeadLetters(ledger.db, { state: 'skipped' })).filter(
      (d) => !deadBefore.has(`${d.schemaName}/${d.position}`),
    );
    const q = await ledger.db.query<{ fact_id: string; reason: string }>(
      'select fact_id, reason from read.quarantine where fact_id = any($1::text[]) order by position',
      [[...factIds.keys()]],
    );
    return {
      files: files.length,
      appended,
      duplicate,
      quarantined: q.rows.length,
      quarantinedFiles: q.rows.map((r) => ({ file: factIds.get(r.fact_id) ?? '?', reason: r.reason })),
      // Events a projection could not apply (invariant 10): skipped, listed by `status`, retried by a rebuild.
      skipped: skipped.map((d) => ({
        projection: d.projection,
        eventId: d.eventId,
        position: d.position,
        file: factIds.get(d.eventId) ?? null,
        error: d.error,
      })),
    };
  } finally {
    await ledger.close();
  }
}

export const ingestCommand: Command = {
  name: 'ingest',
  usage: 'et-ledger ingest [--server ID] [--tz ZONE] [--store STORE] PATH…',
  summary: 'append every file under PATH as raw facts, then run projections and the correlator to the head',
  details: `Files are recognised by their content, not their name: c0rnp0rn stats files, our Lua
reports (.lua.json) and pause records, the legacy STATS_READY body and the legacy gametime-*.json
fallback file. Anything else is kept in the log and listed in the quarantine with the reason.
Ingesting the same files again appends nothing. A fact that a projection cannot apply (a value
out of a column's range, say) is skipped after ${POISON_ATTEMPTS} attempts and listed: a dead letter,
shown by \`et-ledger status\` and retried by a rebuild. Exit 0 even when files were quarantined or
skipped; non-zero only when the store failed or a projection could make no progress at all.

Options:
  --server ID   the game server these files came from (default ET_LEDGER_SERVER_ID or "default")
  --tz ZONE     the game server's IANA zone: stats file names are its local time
                (default ET_LEDGER_TZ, else this machine's zone)

Examples:
  et-ledger ingest --tz Europe/Ljubljana ./gamestats ./gametimes
  et-ledger ingest --server eu1 --store postgres: /srv/et/legacy/gamestats`,
  options: { server: { type: 'string' }, tz: { type: 'string' }, json: { type: 'boolean' } },
  async run(ctx) {
    if (ctx.args.length === 0)
      throw new LedgerError('USAGE', 'give at least one file or folder to ingest (see et-ledger ingest --help)');
    const s = await ingestPaths(ctx, ctx.args);
    if (ctx.values.json) ctx.io.out(JSON.stringify(s));
    else {
      ctx.io.out(
        `${s.files} files: ${s.appended} facts appended, ${s.duplicate} duplicate, ${s.quarantined} quarantined`,
      );
      for (const q of s.quarantinedFiles) ctx.io.out(`  quarantined ${q.file}: ${q.reason}`);
      if (s.skipped.length > 0)
        ctx.io.out(`${s.skipped.length} events skipped by a projection (dead letters; see et-ledger status):`);
      for (const d of s.skipped)
        ctx.io.out(
          `  skipped by ${d.projection}: ${d.file ?? `event ${d.eventId}`} at position ${d.position}: ${d.error}`,
        );
    }
    return 0;
  },
};
