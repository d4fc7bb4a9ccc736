import { lstat, stat } from 'node:fs/promises';
import { basename } from 'node:path';
import { LedgerError } from '../../errors.ts';
import { clockTickIdentity } from '../../events/ids.ts';
import { listDeadLetters, POISON_ATTEMPTS } from '../../runtime/deadLetters.ts';
import { prepareRuntime, projectAllToHead } from '../../runtime/ledgerRuntime.ts';
import { createProgress } from '../../runtime/progress.ts';
import { loadProjections } from '../../runtime/registry.ts';
import { localDateTime } from '../../sinks/discord/renderFormat.ts';
import { appendArrivals } from '../../sources/factSink.ts';
import { type Arrival, type IdentifiedFact, identifyFact } from '../../sources/identifyFact.ts';
import { isOversized, listFiles, readRegularFile, type Skipped, skipReasonText } from '../../sources/readPaths.ts';
import { openLedger } from '../../store/openStore.ts';
import type { SqlExecutor } from '../../store/sqlDatabase.ts';
import { roundsAwaitingDeadline } from '../awaitingDeadline.ts';
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
  /** The clock ticks `close` appended: one per server the files came from, at the time of the ingest. */
  ticks: { serverId: string; atUnix: number; appended: boolean }[];
  /** Rounds the correlator still waits on (no verdict, deadline not passed by their server's clock). */
  awaitingDeadline: number;
};

const errnoText: Record<string, string> = {
  ENOENT: 'no such file or folder',
  EACCES: 'permission denied',
  EPERM: 'permission denied',
  ENOTDIR: 'a part of the path is not a folder',
  ELOOP: 'too many symbolic links',
  ENAMETOOLONG: 'the name is too long',
  EISDIR: 'a folder where a file was expected',
  EIO: 'input/output error',
};

/** An error reading the file system as one line naming the path: `cannot read /x: permission denied`. */
function unreadable(e: unknown, path: string): LedgerError {
  const err = e as NodeJS.ErrnoException;
  const why = errnoText[err.code ?? ''] ?? err.message;
  return new LedgerError('INPUT_UNREADABLE', `cannot read ${err.path ?? path}: ${why}`, { cause: e });
}

/**
 * Every path given must be there before anything is read or any store opened: a typo is a usage
 * error naming the path (exit 2), and nothing is appended.
 */
async function checkPaths(paths: string[], followLinks: boolean): Promise<void> {
  const missing: string[] = [];
  for (const p of paths) {
    try {
      await (followLinks ? stat(p) : lstat(p));
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') missing.push(p);
      else throw unreadable(e, p);
    }
  }
  if (missing.length > 0)
    throw new LedgerError(
      'USAGE',
      `${missing.map((p) => `${p}: no such file or folder`).join('; ')}; nothing was ingested`,
    );
}

/** The server each fact names (a Lua report may name its own; the rest take --server). */
const serverOf = (fact: IdentifiedFact): string | null => {
  const id = (fact.events[0]?.data as { serverId?: unknown } | undefined)?.serverId;
  return typeof id === 'string' ? id : null;
};

/**
 * The zone the files are read in: --tz or ET_LEDGER_TZ; without either, the zone this server's
 * files were read in before (its latest round's), said; else this machine's zone, with a warning,
 * for a stats file's name is the game server's local time and a wrong zone shifts every round.
 */
async function zoneOfServer(db: SqlExecutor, ctx: Pick<CommandContext, 'config' | 'io'>): Promise<string> {
  const { config, io } = ctx;
  if (config.tzGiven) return config.tz;
  const known = await db
    .query<{ tz: string }>(
      'select tz from read.rounds where server_id = $1 order by file_time_unix desc nulls last limit 1',
      [config.serverId],
    )
    .then((r) => r.rows[0]?.tz ?? null)
    .catch(() => null); // no rounds read model yet: a new store
  if (known) {
    io.err(
      `no --tz: reading server ${config.serverId}'s stats files in ${known}, the zone its files were read in before`,
    );
    return known;
  }
  io.err(
    `warning: no --tz or ET_LEDGER_TZ, and server ${config.serverId} has no zone yet: its stats file names are read in this machine's zone, ${config.tz}.
` +
      `    If the game server's clock is in another zone, ingest with --tz ZONE, or correct it afterwards: et-ledger correct-zone --server ${config.serverId} --tz ZONE`,
  );
  return config.tz;
}

/** Appends every file under `paths` as raw facts, then runs projections and the correlator to the head. */
export async function ingestPaths(
  ctx: Pick<CommandContext, 'config' | 'log' | 'io'>,
  paths: string[],
  opts: { followLinks?: boolean; close?: boolean } = {},
): Promise<IngestSummary> {
  await checkPaths(paths, opts.followLinks === true);
  const { files, skipped: notRead } = await listFiles(paths, opts).catch((e: unknown) => {
    throw unreadable(e, paths.join(', '));
  });
  const ledger = await openLedger(ctx.config.store);
  try {
    const tz = await zoneOfServer(ledger.db, ctx);
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
    const servers = new Set<string>();
    for (const [i, file] of files.entries()) {
      const got = await readRegularFile(file, { ...opts, maxBytes: ctx.config.maxFileBytes }).catch((e: unknown) => {
        throw unreadable(e, file);
      });
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
        tz,
        source: { kind: 'dir', ref: file },
        receivedAt,
        maxBytes: ctx.config.maxFileBytes,
      };
      const fact = identifyFact(arrival);
      const server = serverOf(fact);
      if (server !== null) servers.add(server);
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
    // --close: the clock of every server these files came from moves to now, as a fact, so every
    // round of a one-off import is decided (a replay reads the same tick and decides the same way).
    const ticks: IngestSummary['ticks'] = [];
    if (opts.close) {
      const atUnix = Math.floor(Date.now() / 1000);
      const touched = [...servers].sort();
      const outcomes = await ledger.store.appendFacts(
        touched.map((serverId) => ({
          ...clockTickIdentity(serverId, atUnix),
          type: 'ClockTicked',
          schemaVersion: 2,
          data: { serverId, atUnix },
        })),
      );
      for (const [i, serverId] of touched.entries())
        ticks.push({ serverId, atUnix, appended: outcomes[i]?.status === 'appended' });
    }
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
      ticks,
      awaitingDeadline: await roundsAwaitingDeadline(ledger.db),
    };
  } finally {
    await ledger.close();
  }
}

export const ingestCommand: Command = {
  name: 'ingest',
  usage: 'et-ledger ingest [--server ID] [--tz ZONE] [--follow-links] [--close] [--json] [--store STORE] PATH…',
  summary: 'append every file under PATH as raw facts, then run projections and the correlator to the head',
  details: `Files are recognised by their content, not their name: c0rnp0rn stats files, our Lua
reports (.lua.json) and pause records, the legacy STATS_READY body and the legacy gametime-*.json
fallback file. Anything else is kept in the log and listed in the quarantine with the reason.
Ingesting the same files again appends nothing. A PATH that does not exist is refused before
anything is read (exit 2, nothing ingested); a file that cannot be read is named (exit 1). A fact that a projection cannot apply (a value
out of a column's range, say) is skipped after ${POISON_ATTEMPTS} attempts and listed: a dead letter,
shown by \`et-ledger status\` and retried by a rebuild. Exit 0 even when files were quarantined or
skipped; non-zero only when the store failed or a projection could make no progress at all.
A symbolic link (named here or found in a folder) is not followed: it is listed as skipped and
not read, unless --follow-links. A FIFO, device or socket is never read.

A round whose other half (its Lua report, or its stats file) has not arrived is decided — as
stats only, or Lua only — once a later fact from its server carries that server's clock past the
round's time plus a grace of two minutes. The last rounds of an import have no later fact: ingest
ends by saying how many rounds are still awaiting their deadline. \`et-ledger run\` ticks the clock
itself; for a one-off import, --close appends a clock tick at the current time for every server the
files came from, so every round is decided. The tick is a fact in the log like any other: a
rebuild or a replay reads it and decides the same way.

Options:
  --server ID       the game server these files came from (default ET_LEDGER_SERVER_ID or "default")
  --tz ZONE         the game server's IANA zone: stats file names are its local time
                    (default ET_LEDGER_TZ, else this machine's zone)
  --follow-links    read the targets of symbolic links (default: list them as skipped, unread)
  --close           then append a clock tick at the current time for each server the files came
                    from: every round still awaiting its deadline is decided (no more facts of
                    these rounds are expected; a report arriving later still supersedes)
  --json            print the summary as one JSON object

Examples:
  et-ledger ingest --tz Europe/Ljubljana ./gamestats ./gametimes
  et-ledger ingest --close --tz Europe/Ljubljana ./old-season    (a one-off import, fully decided)
  et-ledger ingest --server eu1 --store postgres: /srv/et/legacy/gamestats`,
  options: {
    server: { type: 'string' },
    tz: { type: 'string' },
    json: { type: 'boolean' },
    'follow-links': { type: 'boolean' },
    close: { type: 'boolean' },
  },
  async run(ctx) {
    if (ctx.args.length === 0)
      throw new LedgerError('USAGE', 'give at least one file or folder to ingest (see et-ledger ingest --help)');
    const s = await ingestPaths(ctx, ctx.args, {
      followLinks: ctx.values['follow-links'] === true,
      close: ctx.values.close === true,
    });
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
      for (const t of s.ticks)
        ctx.io.out(
          `clock of server ${t.serverId} ticked at ${localDateTime(t.atUnix, ctx.config.tz)}${t.appended ? '' : ' (already ticked this second)'}`,
        );
      if (s.awaitingDeadline > 0)
        ctx.io.out(
          s.awaitingDeadline === 1
            ? '1 round awaiting its deadline: decided once a later fact from its server passes it, or now with et-ledger ingest --close'
            : `${s.awaitingDeadline} rounds awaiting their deadline: each decided once a later fact from its server passes it, or now with et-ledger ingest --close`,
        );
      else if (s.ticks.length > 0) ctx.io.out('0 rounds awaiting their deadline: every round is decided');
    }
    return 0;
  },
};
