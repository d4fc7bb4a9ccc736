import { LedgerError } from '../../errors.ts';
import type { Command } from '../command.ts';

const kB = (n: number) => (n < 1024 * 1024 ? `${(n / 1024).toFixed(1)} kB` : `${(n / 1024 / 1024).toFixed(1)} MB`);

export const backupCommand: Command = {
  name: 'backup',
  usage: 'et-ledger backup FILE [--force] [--store STORE]',
  summary: "write the store's log and the catalog it cannot be derived without to FILE (gzip'd NDJSON, checksummed)",
  details: `The log is the truth and the read models are derived: a backup holds every event of the log
exactly as stored (position, id, stream, recorded time, data, the fact's bytes), the correlator's
generations, and the tables that record the outside world (which Discord message shows which round,
the Kafka sink's checkpoint, the sources' file cursors). Read models are not in it: \`et-ledger
restore\` rebuilds them. Everything is read in one snapshot while the store keeps running
(PostgreSQL, EventStoreDB); a PGlite folder is one process at a time, so stop \`run\` first.

The file is gzip'd NDJSON: a header (format version, et-ledger version, head position, events per
type), one line per event, the catalog, and a trailer with the counts and the sha256 of everything
before it (docs/backup.md). It is written beside FILE and renamed into place when complete; an
existing FILE is kept unless --force. FILE - writes to stdout. Progress on a terminal.

Options:
  --force   replace FILE if it exists

Examples:
  et-ledger backup /var/backups/et-ledger-$(date +%F).etl.gz
  et-ledger backup --store postgres:postgres://etl@db/etl - | ssh backup-host 'cat > etl.gz'`,
  options: { force: { type: 'boolean' } },
  async run(ctx) {
    const [file, ...extra] = ctx.args;
    if (!file || extra.length > 0)
      throw new LedgerError('USAGE', 'name one file to write the backup to (- for stdout): et-ledger backup FILE');
    const { createWriteStream, existsSync, renameSync, rmSync, statSync } = await import('node:fs');
    const { resolve, dirname, basename, join } = await import('node:path');
    const { openBackupSource, storeText } = await import('../../backup/stores.ts');
    const { writeBackup } = await import('../../backup/writeBackup.ts');
    const { createProgress } = await import('../../runtime/progress.ts');
    const toStdout = file === '-';
    const path = toStdout ? null : resolve(file);
    if (path && existsSync(path) && ctx.values.force !== true)
      throw new LedgerError('USAGE', `${file} exists: name a new file, or --force to replace it`);
    if (path && !existsSync(dirname(path)))
      throw new LedgerError('INPUT_UNREADABLE', `cannot write ${file}: there is no folder ${dirname(path)}`);
    const source = await openBackupSource(ctx.config.store);
    const partial = path ? join(dirname(path), `.${basename(path)}.partial-${process.pid}`) : null;
    try {
      const out = partial ? createWriteStream(partial, { flags: 'wx' }) : process.stdout;
      let progress: ReturnType<typeof createProgress> | null = null;
      let head = 0;
      const summary = await writeBackup(source, out, {
        endOutput: !toStdout,
        onStart: (h) => {
          head = h;
          if (ctx.io.isTTY && h > 0) progress = createProgress('backup', h);
        },
        onProgress: (position) => progress?.update(Math.min(position, head)),
      });
      (progress as ReturnType<typeof createProgress> | null)?.finish();
      if (partial && path) renameSync(partial, path);
      const types = Object.entries(summary.types)
        .map(([t, n]) => `${t} ${n}`)
        .join(', ');
      const rows = Object.entries(summary.rows)
        .filter(([, n]) => n > 0)
        .map(([t, n]) => `${n} ${t}`)
        .join(', ');
      const say = toStdout ? ctx.io.err : ctx.io.out;
      say(
        `backup of ${storeText(ctx.config.store)} → ${toStdout ? 'stdout' : `${file} (${kB(statSync(path!).size)})`}: ${summary.events} events, head ${summary.headPosition}${types ? ` (${types})` : ''}`,
      );
      say(
        `  catalog: ${summary.generations} generations, ${summary.builds} builds${rows ? `; ${rows}` : ''}; sha256 ${summary.sha256}`,
      );
      return 0;
    } catch (e) {
      if (partial) rmSync(partial, { force: true });
      throw e;
    } finally {
      await source.close();
    }
  },
};
