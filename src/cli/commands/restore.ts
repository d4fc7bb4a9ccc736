import type { Readable } from 'node:stream';
import { LedgerError } from '../../errors.ts';
import type { Command, CommandContext } from '../command.ts';

export const restoreCommand: Command = {
  name: 'restore',
  usage: 'et-ledger restore FILE --store STORE | et-ledger restore FILE --check',
  summary: 'restore a backup into an empty store and rebuild its read models',
  details: `Appends every event of the backup with its own position, id, recorded time and bytes, so
positions, ids and \`replay --from T\` stay exactly as they were, then rebuilds the read models from
the log. The store must be empty (a new folder or database): a store that holds an event is refused,
never overwritten. The file is checked as it is read (counts and the sha256 in its trailer) and the
log is written in one transaction: a damaged or cut-off file leaves the store empty.

The correlator's verdicts are in the log and are kept as they are: the generation that was active
is active again, so verdict history, Discord messages and Kafka consumers keep their ids. A backup
made by an older correlator (another version) is decided again by a new generation, as after an
upgrade. The Discord messages, Kafka sink checkpoint and source cursors of the backup are restored
with the log, so a service started on the restored store edits its old posts and does not post them
again. EventStoreDB keeps its own backups (docs/backup.md); restore writes into pglite: and
postgres: stores. --store is required: a restore never falls back to ET_LEDGER_STORE.

Options:
  --store STORE   the empty store to restore into (pglite:DIR or postgres:URL)
  --check         only check FILE (whole, checksum, counts) and print what it holds
FILE - reads stdin (checked in the same pass as it is written).

Examples:
  et-ledger restore etl-2026-08-21.etl.gz --store pglite:./restored
  et-ledger restore etl.gz --store postgres:postgres://etl@127.0.0.1/etl_new
  et-ledger restore etl.gz --check`,
  options: { check: { type: 'boolean' } },
  async run(ctx) {
    const [file, ...extra] = ctx.args;
    if (!file || extra.length > 0)
      throw new LedgerError(
        'USAGE',
        'name one backup file to restore (- for stdin): et-ledger restore FILE --store STORE',
      );
    const check = ctx.values.check === true;
    const spec = ctx.config.store;
    if (!check) {
      if (typeof ctx.values.store !== 'string')
        throw new LedgerError(
          'USAGE',
          'name the empty store to restore into with --store (embedded:DIR, pglite:DIR or postgres:URL); a restore never takes ET_LEDGER_STORE or the default',
        );
      if (spec.kind === 'eventstoredb')
        throw new LedgerError(
          'USAGE',
          'restore writes into embedded:, pglite: and postgres: stores only: EventStoreDB assigns positions and times itself, so they could not stay as they were; restore EventStoreDB from its own backup (docs/backup.md)',
        );
      if (spec.kind === 'pglite' && spec.dir === null)
        throw new LedgerError('USAGE', 'restore into a folder (pglite:DIR), not an in-memory store');
    }
    const { createReadStream, existsSync } = await import('node:fs');
    if (file !== '-' && !existsSync(file)) throw new LedgerError('INPUT_UNREADABLE', `there is no file ${file}`);
    const open = (): Readable => (file === '-' ? process.stdin : createReadStream(file));
    const name = file === '-' ? 'the backup on stdin' : file;
    const { DamagedBackup } = await import('../../backup/lineFile.ts');
    const { UnreadableBackup, verifyBackup } = await import('../../backup/readBackup.ts');
    const damaged = (e: unknown) => {
      if (e instanceof DamagedBackup)
        return new LedgerError('INPUT_UNREADABLE', `${name} is damaged: ${e.message}; nothing was restored`, {
          cause: e,
        });
      if (e instanceof UnreadableBackup)
        return new LedgerError('INPUT_UNREADABLE', `${name} cannot be read: ${e.message}; nothing was restored`, {
          cause: e,
        });
      const code = (e as NodeJS.ErrnoException).code;
      if (code === 'ENOENT' || code === 'EACCES' || code === 'EISDIR')
        return new LedgerError('INPUT_UNREADABLE', `cannot read ${name}: ${(e as Error).message}`, { cause: e });
      return e;
    };
    const { createProgress } = await import('../../runtime/progress.ts');
    const bar = (label: string, total: number) => (ctx.io.isTTY && total > 0 ? createProgress(label, total) : null);

    let expected: number | null = null;
    if (file !== '-') {
      // First the whole file, before a store is opened: a damaged one creates nothing.
      let progress: ReturnType<typeof bar> = null;
      try {
        const { header, trailer } = await verifyBackup(open(), {
          header: (h) => {
            progress = bar('check', h.headPosition);
          },
          event: (p) => progress?.update(p),
        });
        (progress as ReturnType<typeof bar>)?.finish();
        expected = trailer.events;
        if (check) {
          ctx.io.out(
            `${file}: intact (sha256 ${trailer.sha256}); backup format ${header.formatVersion}, made ${header.createdAt} by et-ledger ${header.etLedgerVersion} from a ${header.source.kind} store`,
          );
          ctx.io.out(`  ${trailer.events} events, head ${trailer.headPosition}${typesText(trailer.types)}`);
          ctx.io.out(`  catalog: ${catalogText(trailer)}`);
          return 0;
        }
      } catch (e) {
        throw damaged(e);
      }
    } else if (check) {
      try {
        const { trailer } = await verifyBackup(open());
        ctx.io.out(
          `${name}: intact (sha256 ${trailer.sha256}); ${trailer.events} events, head ${trailer.headPosition}`,
        );
        return 0;
      } catch (e) {
        throw damaged(e);
      }
    }
    return restoreInto(ctx, open, name, expected, damaged, bar);
  },
};

async function restoreInto(
  ctx: CommandContext,
  open: () => Readable,
  name: string,
  expected: number | null,
  damaged: (e: unknown) => unknown,
  bar: (label: string, total: number) => { update(n: number): void; finish(): void } | null,
): Promise<number> {
  const { openLedger } = await import('../../store/openStore.ts');
  const { storeText } = await import('../../backup/stores.ts');
  const { restoreLog } = await import('../../backup/restoreLedger.ts');
  const { rebuildReadModels } = await import('../../backup/rebuildRestored.ts');
  const { loadProjections } = await import('../../runtime/registry.ts');
  const { createProgress } = await import('../../runtime/progress.ts');
  const target = storeText(ctx.config.store);
  const ledger = await openLedger(ctx.config.store);
  try {
    const progress = expected === null ? null : bar('restore', expected);
    let loaded: Awaited<ReturnType<typeof restoreLog>>;
    try {
      loaded = await restoreLog(ledger, open(), { target, onEvent: (n) => progress?.update(n) });
    } catch (e) {
      throw damaged(e);
    }
    progress?.finish();
    const { header, trailer } = loaded;
    ctx.io.out(
      `restored ${name} (made ${header.createdAt} by et-ledger ${header.etLedgerVersion} from a ${header.source.kind} store) into ${target}`,
    );
    ctx.io.out(`  log: ${trailer.events} events, head ${trailer.headPosition}${typesText(trailer.types)}`);
    ctx.io.out(`  catalog: ${catalogText(trailer)}`);
    let rebuilt: Awaited<ReturnType<typeof rebuildReadModels>>;
    try {
      rebuilt = await rebuildReadModels(ledger, loaded, {
        log: ctx.log,
        projections: await loadProjections(),
        ...(ctx.io.isTTY ? { progress: (label: string, total: number) => createProgress(label, total) } : {}),
      });
    } catch (e) {
      throw new LedgerError(
        e instanceof LedgerError ? e.code : 'PROJECTION_FAILED',
        `the log was restored (${trailer.events} events, head ${trailer.headPosition}) but rebuilding its read models failed: ${(e as Error).message}. Delete ${target} and restore again`,
        { cause: e },
      );
    }
    const p = rebuilt.processor;
    if (p)
      ctx.io.out(
        p.continued
          ? `  ${p.name}: generation ${p.generation} active again, its verdicts kept as they are in the log${p.reason ? ` (${p.reason})` : ''}`
          : `  ${p.name}: generation ${p.generation} decided the verdicts again (${p.reason})`,
      );
    ctx.io.out(
      `  read models rebuilt: ${rebuilt.projections.map((b) => `${b.name} v${b.version}`).join(', ')}; head ${rebuilt.headAfter}`,
    );
    if (rebuilt.headAfter > trailer.headPosition)
      ctx.io.out(
        `  ${rebuilt.headAfter - trailer.headPosition} events appended after the backup's head: decisions on facts the correlator had not read yet when the backup was made${p && !p.continued ? ', or its new generation' : ''}`,
      );
    if (rebuilt.deadLetters > 0)
      ctx.io.out(`  ${rebuilt.deadLetters} dead letters (events a projection skipped; see et-ledger status)`);
    return 0;
  } finally {
    await ledger.close();
  }
}

const typesText = (types: Record<string, number>) => {
  const t = Object.entries(types)
    .map(([k, n]) => `${k} ${n}`)
    .join(', ');
  return t ? ` (${t})` : '';
};

const catalogText = (t: { generations: number; builds: number; rows: Record<string, number> }) => {
  const rows = Object.entries(t.rows)
    .filter(([, n]) => n > 0)
    .map(([k, n]) => `${n} ${k}`);
  return [
    `${t.generations} generations`,
    `${t.builds} builds (information only: read models are rebuilt)`,
    ...rows,
  ].join(', ');
};
