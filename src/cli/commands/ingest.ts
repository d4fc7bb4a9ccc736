import { basename } from 'node:path';
import { LedgerError } from '../../errors.ts';
import { listDeadLetters, POISON_ATTEMPTS } from '../../runtime/deadLetters.ts';
import { prepareRuntime, projectAllToHead } from '../../runtime/ledgerRuntime.ts';
import { createProgress } from '../../runtime/progress.ts';
import { loadProjections } from '../../runtime/registry.ts';
import { appendArrivals } from '../../sources/factSink.ts';
import { type Arrival, type IdentifiedFact, identifyFact } from '../../sources/identifyFact.ts';
import { isOversized, listFiles, readRegularFile, type Skipped, skipReasonText } from '../../sources/readPaths.ts';
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
  /** Entries not read: symbolic links (unless `followLinks`), FIFOs, devices, sockets. */
  notRead: Skipped[];
};

/** Appends every file under `paths` as raw facts, then runs projections and the correlator to the head. */
export async function ingestPaths(
  ctx: Pick<CommandContext, 'config' | 'log' | 'io'>,
  paths: string[],
  opts: { followLinks?: boolean } = {},
): Promise<IngestSummary> {
  const { files, skipped: notRead } = await listFiles(paths, opts);
  const ledger = await openLedger(ctx.config.store);
  try {
    const receivedAt = new Date().toISOString();
    const factIds = new Map<string, string>();
    let appended = 0;
    let duplicate = 0;
    let pending: { arrival: Arrival; fact: IdentifiedFact }[] = [];
    let pendingEvents = 0;
    let pendingBytes = 0;
    const flush = async () => {
      if (pending.length === 0) return;
      const results = await appendArrivals((e) => ledger.store.appendFacts(e), pending);
      for (const [i, { fact, outcomes }] of results.entries()) {
        for (const e of fact.events) factIds.set(e.eventId, fileOf.get(pending[i]!.fact) ?? '?');
        for (const r of outcomes) r.status === 'appended' ? appended++ : duplicate++;
      }
      pending = [];
      pendingEvents = 0;
      pendingBytes = 0;
    };
    const fileOf = new Map<IdentifiedFact, string>();
    const progress = files.length > 200 ? createProgress('append', files.length) : null;
    let read = 0;
    for (const [i, file] of files.entries()) {
      const got = await readRegularFile(file, { ...opts, maxBytes: ctx.config.maxFileBytes });
      if (typeof got === 'string') {
        notRead.push({ file, reason: got }); // swapped for a link or a FIFO since the listing
        continue;
      }
      read++;
      const arrival: Arrival = {
        bytes: isOversized(got) ? new Uint8Array(0) : got,
        ...(isOversized(got) ? { oversized: got } : {}),
        fileName: basename(file),
        serverId: ctx.config.serverId,
        tz: ctx.config.tz,
        source: { kind: 'dir', ref: file },
        receivedAt,
        maxBytes: ctx.config.maxFileBytes,
      };
      const fact = identifyFact(arrival);
      fileOf.set(fact, file);
      pending.push({ arrival, fact });
      pendingEvents += fact.events.length;
      pendingBytes += arrival.bytes.length;
      // By count and by bytes: 500 files at the cap would otherwise be held at once.
      if (pendingEvents >= 500 || pendingBytes >= 64 * 1024 * 1024) await flush();
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
      files: read,
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
      notRead,
    };
  } finally {
    await ledger.close();
  }
}

export const ingestCommand: Command = {
  name: 'ingest',
  usage: 'et-ledger ingest [--server ID] [--tz ZONE] [--follow-links] [--store STORE] PATH…',
  summary: 'append every file under PATH as raw facts, then run projections and the correlator to the head',
  details: `Files are recognised by their content, not their name: c0rnp0rn stats files, our Lua
reports (.lua.json) and pause records, the legacy STATS_READY body and the legacy gametime-*.json
fallback file. Anything else is kept in the log and listed in the quarantine with the reason.
Ingesting the same files again appends nothing. A fact that a projection cannot apply (a value
out of a column's range, say) is skipped after ${POISON_ATTEMPTS} attempts and listed: a dead letter,
shown by \`et-ledger status\` and retried by a rebuild. Exit 0 even when files were quarantined or
skipped; non-zero only when the store failed or a projection could make no progress at all.
A symbolic link (named here or found in a folder) is not followed: it is listed as skipped and
not read, unless --follow-links. A FIFO, device or socket is never read.

Options:
  --server ID       the game server these files came from (default ET_LEDGER_SERVER_ID or "default")
  --tz ZONE         the game server's IANA zone: stats file names are its local time
                    (default ET_LEDGER_TZ, else this machine's zone)
  --follow-links    read the targets of symbolic links (default: list them as skipped, unread)

Examples:
  et-ledger ingest --tz Europe/Ljubljana ./gamestats ./gametimes
  et-ledger ingest --server eu1 --store postgres: /srv/et/legacy/gamestats`,
  options: {
    server: { type: 'string' },
    tz: { type: 'string' },
    json: { type: 'boolean' },
    'follow-links': { type: 'boolean' },
  },
  async run(ctx) {
    if (ctx.args.length === 0)
      throw new LedgerError('USAGE', 'give at least one file or folder to ingest (see et-ledger ingest --help)');
    const s = await ingestPaths(ctx, ctx.args, { followLinks: ctx.values['follow-links'] === true });
    if (ctx.values.json) ctx.io.out(JSON.stringify(s));
    else {
      ctx.io.out(
        `${s.files} files: ${s.appended} facts appended, ${s.duplicate} duplicate, ${s.quarantined} quarantined`,
      );
      for (const n of s.notRead)
        ctx.io.out(
          `  skipped ${n.file}: ${skipReasonText[n.reason]}${n.reason === 'symlink' ? ' (--follow-links reads it)' : ''}`,
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
