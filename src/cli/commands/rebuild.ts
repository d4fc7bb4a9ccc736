import { postMaxAgeSec } from '../../config/discord.ts';
import { loadWebConfig } from '../../config/web.ts';
import { LedgerError } from '../../errors.ts';
import type { Build } from '../../runtime/catalog.ts';
import { changedFields } from '../../runtime/diffBuilds.ts';
import { buildAndSwap, prepareRuntime, type RebuildResult } from '../../runtime/ledgerRuntime.ts';
import type { Projection } from '../../runtime/projection.ts';
import { findProjection, loadProjections } from '../../runtime/registry.ts';
import type { PostEffect, VerdictChange } from '../../sinks/discord/swapEffects.ts';
import { openExistingLedger } from '../../store/openStore.ts';
import type { SqlExecutor } from '../../store/sqlDatabase.ts';
import type { Command, CommandContext } from '../command.ts';
import { cliRuntime } from './cliRuntime.ts';

export const rebuildCommand: Command = {
  name: 'rebuild',
  usage: 'et-ledger rebuild NAME [--report] [--dry-run] [--store STORE]',
  summary: 'rebuild one projection as the code defines it into a fresh schema, swap it in, print what changed',
  details: `After a parser or fold fix (bump the projection's version), this replays the whole log into a
new schema while the current version keeps serving readers, then swaps the read views in one
transaction and drops the old schema. An interrupted rebuild leaves the old version serving; the
next rebuild resumes where it stopped. It never creates a store: where there is none it says so
and exits 1.

NAME is a projection (rounds, lua-rounds, correlator, verdicts, quarantine, …) or one of its tables.

A processor (the correlator) is rebuilt together with the projections that follow it (verdicts,
discord-outbox): its new generation's verdicts are appended to the log while the old generation
keeps serving readers and Discord, and all of them are swapped in in one transaction.

Options:
  --report    row-level differences, and for the correlator: the verdicts that change (status,
              fighting time, surrender, flags: old → new) and the Discord messages the sender
              will edit, post or delete after the swap
  --dry-run   build and report without swapping: the new builds are dropped afterwards

Examples:
  et-ledger rebuild correlator --dry-run
  et-ledger rebuild rounds
  et-ledger rebuild quarantine --report`,
  options: { report: { type: 'boolean' }, 'dry-run': { type: 'boolean' } },
  async run({ args, values, config, io, log }) {
    const [name] = args;
    if (!name) throw new LedgerError('USAGE', 'name the projection to rebuild (see et-ledger rebuild --help)');
    const projections = await loadProjections();
    const projection = findProjection(projections, name);
    const ledger = await openExistingLedger(config.store);
    const dryRun = values['dry-run'] === true;
    try {
      const deps = cliRuntime(ledger, log, projections);
      await prepareRuntime(deps);
      let effects: SwapEffects | null = null;
      const result = await buildAndSwap(deps, projection, {
        report: true,
        dryRun,
        // Read while the new builds exist and the old ones still serve: what the swap will change.
        beforeSwap: async (members) => {
          if (values.report || dryRun) effects = await swapEffects(ledger.db, members);
        },
      });
      for (const r of [result, ...result.followers])
        printResult(io, r, {
          report: values.report === true,
          dryRun,
          processor: !!projections.find((p) => p.name === r.build.name)?.emits?.length,
        });
      if (effects) printEffects(io, effects, dryRun);
      return 0;
    } finally {
      await ledger.close();
    }
  },
};

type SwapEffects = { verdicts: VerdictChange[] | null; posts: PostEffect[] | null; maxAgeSec: number };

async function swapEffects(
  db: SqlExecutor,
  members: { p: Projection; build: Build; previous: Build | null }[],
): Promise<SwapEffects> {
  const verdicts = members.find((m) => Object.hasOwn(m.p.tables, 'verdicts'));
  const outbox = members.find((m) => Object.hasOwn(m.p.tables, 'discord_outbox'));
  const maxAgeSec = postMaxAgeSec(process.env);
  // Loaded when asked for (--report, --dry-run): the post renderer brings discord.js and the chart canvas.
  const { discordEffects, verdictChanges } = await import('../../sinks/discord/swapEffects.ts');
  return {
    verdicts: verdicts
      ? await verdictChanges(db, verdicts.previous?.schemaName ?? null, verdicts.build.schemaName)
      : null,
    posts: outbox
      ? await discordEffects(db, outbox.build.schemaName, {
          nowSec: Date.now() / 1000,
          maxAgeSec,
          publicUrl: loadWebConfig(process.env).publicUrl,
        })
      : null,
    maxAgeSec,
  };
}

function printResult(
  io: CommandContext['io'],
  result: RebuildResult,
  opts: { report: boolean; dryRun: boolean; processor: boolean },
): void {
  const { report, dryRun, processor } = opts;
  const from = result.previous ? `v${result.previous.version} (${result.previous.schemaName})` : 'nothing';
  io.out(
    `${result.build.name}: ${from} → v${result.build.version} (${result.build.schemaName}${generationNote(result.build, processor)}), ${result.applied} events applied, at position ${result.build.position}${dryRun ? ' — dry run: not swapped in, dropped' : ''}`,
  );
  for (const t of result.diff ?? []) {
    io.out(`  ${t.table.padEnd(22)} +${t.added} added  -${t.removed} removed  ~${t.changed} changed`);
    if (!report) continue;
    for (const ex of t.examples) {
      const detail =
        ex.kind === 'changed'
          ? JSON.stringify(changedFields(ex.before, ex.after))
          : JSON.stringify(ex.kind === 'added' ? ex.after : ex.before);
      io.out(`    ${ex.kind} ${JSON.stringify(ex.key)} ${detail.length > 600 ? `${detail.slice(0, 600)}…` : detail}`);
    }
  }
}

function printEffects(io: CommandContext['io'], e: SwapEffects, dryRun: boolean): void {
  if (e.verdicts) {
    io.out(`verdicts that ${dryRun ? 'would' : 'did'} change: ${e.verdicts.length}`);
    for (const v of e.verdicts) {
      const fields = Object.entries(v.fields)
        .map(([k, { before, after }]) => `${k} ${JSON.stringify(before)} → ${JSON.stringify(after)}`)
        .join(', ');
      io.out(`  ${v.change.padEnd(7)} ${v.label}  ${fields}`);
    }
  }
  if (e.posts) {
    const count = (a: PostEffect['action']) => e.posts!.filter((p) => p.action === a).length;
    io.out(
      `Discord, once the sender runs: ${count('edit')} edits, ${count('post')} new posts, ${count('delete')} deletions (rounds younger than ET_LEDGER_POST_MAX_AGE, ${Math.round(e.maxAgeSec / 3600)} h; older posts are left as they are)`,
    );
    for (const p of e.posts) io.out(`  ${p.action.padEnd(6)} ${p.kind.padEnd(15)} ${p.label}`);
  }
}

/** A processor's build is a generation; a follower's reads one; other builds have nothing to say. */
const generationNote = (b: Build, isProcessor: boolean): string =>
  b.followsGeneration !== null
    ? `, reading generation ${b.followsGeneration}`
    : isProcessor
      ? `, generation ${b.generation}`
      : '';
