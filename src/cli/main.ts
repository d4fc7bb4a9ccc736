import { readFileSync } from 'node:fs';
import { loadConfig } from '../config/common.ts';
import { groupTitle, variableGroups } from '../config/reference.ts';
import { LedgerError } from '../errors.ts';
import { createLogger } from '../logger.ts';
import { type Command, commonOptions, type Output } from './command.ts';
import { backupCommand } from './commands/backup.ts';
import { collectCommand } from './commands/collect.ts';
import { correctZoneCommand } from './commands/correctZone.ts';
import { demoCommand } from './commands/demo.ts';
import { exportCommand } from './commands/export.ts';
import { ingestCommand } from './commands/ingest.ts';
import { rebuildCommand } from './commands/rebuild.ts';
import { replayCommand } from './commands/replay.ts';
import { restoreCommand } from './commands/restore.ts';
import { runCommand } from './commands/run.ts';
import { statusCommand } from './commands/status.ts';
import { webCommand } from './commands/web.ts';
import { type ProcessOutput, processOutput } from './output.ts';
import { closest, type ParsedCommandLine, parseCommandLine, UsageProblem } from './parseCommandLine.ts';

// For bin/et-ledger.js, which loads this module from dist/ or the sources: the executable's own default.
export { limitHeapGrowth } from '../runtime/heapGrowth.ts';

export const commands: Command[] = [
  ingestCommand,
  correctZoneCommand,
  runCommand,
  collectCommand,
  exportCommand,
  rebuildCommand,
  replayCommand,
  statusCommand,
  backupCommand,
  restoreCommand,
  webCommand,
  demoCommand,
];

const version = (
  JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }
).version;

function mainHelp(): string {
  const width = Math.max(...commands.map((c) => c.name.length));
  const pad = Math.max(...variableGroups.flatMap((g) => Object.keys(g.variables).map((k) => k.length))) + 1;
  return `et-ledger ${version} — an event-sourced ledger of ET:Legacy round statistics.

Every raw fact (stats files, Lua round reports, pauses) is appended once to a log; read models
(rounds, player_stats, lua_round_teams, verdicts) are derived from it and can be rebuilt.

Usage: et-ledger <command> [options]

Commands:
${commands.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`).join('\n')}

Options for every command:
  --store STORE   embedded:DIR (default embedded:./.et-ledger: PostgreSQL run from the folder),
                  pglite:DIR (PostgreSQL in WASM, in-process), postgres:URL, or a bare postgres:
                  that takes DATABASE_URL; overrides ET_LEDGER_STORE
  -h, --help      help for a command: et-ledger <command> --help
  --version       print the version

Commands that only read a store (status, replay, rebuild, export) never create one: where there is
none they say so and exit 1.

Exit status:
  0   done (ingest: also when files were quarantined or skipped)
  1   failed: the store is unavailable, missing or locked, a file could not be read, a projection
      could make no progress, or an unexpected error (one line; ET_LEDGER_LOG_LEVEL=debug adds where)
  2   the command line or the configuration is wrong (a path that does not exist, an unknown
      option, a bad variable): nothing was done

Environment:
${variableGroups
  .map(
    (g) =>
      `  ${groupTitle(g)}:\n${Object.entries(g.variables)
        .map(([k, v]) => `    ${k.padEnd(pad)} ${v.help}\n    ${''.padEnd(pad)} example: ${v.example}`)
        .join('\n')}`,
  )
  .join('\n')}

Start with: et-ledger demo`;
}

const commandHelp = (c: Command) => `Usage: ${c.usage}\n\n${c.summary}.\n\n${c.details}`;

/** What a command line error adds: the command's usage line and where its help is. */
const usageHint = (c: Command) => `Usage: ${c.usage}\nSee et-ledger ${c.name} --help.`;

/** Exit status of a failure (documented in mainHelp): 2 when the command line or configuration is wrong. */
const exitCodeOf = (e: LedgerError): number => (e.code === 'CONFIG_INVALID' || e.code === 'USAGE' ? 2 : 1);

export async function main(argv: string[], env: NodeJS.ProcessEnv, io: Output = processOutput()): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    io.out(mainHelp());
    return name === undefined ? 2 : 0;
  }
  if (name === '--version' || name === '-v') {
    io.out(version);
    return 0;
  }
  const command = commands.find((c) => c.name === name);
  if (!command) {
    const near = name.startsWith('-')
      ? closest(name.replace(/^-+/, ''), ['help', 'version'])
      : closest(
          name,
          commands.map((c) => c.name),
        );
    const meant = near
      ? ` Did you mean ${name.startsWith('-') ? `--${near}` : near}?`
      : name.startsWith('-')
        ? ' Options come after the command (et-ledger status --store STORE).'
        : '';
    io.err(
      `et-ledger: unknown command ${JSON.stringify(name)}.${meant} Commands: ${commands.map((c) => c.name).join(', ')}. See et-ledger --help.`,
    );
    return 2;
  }
  let parsed: ParsedCommandLine;
  try {
    parsed = parseCommandLine(rest, { ...commonOptions, ...command.options }, (option) =>
      commands.filter((c) => c !== command && Object.hasOwn(c.options, option)).map((c) => c.name),
    );
  } catch (e) {
    if (!(e instanceof UsageProblem)) throw e;
    io.err(`et-ledger ${name}: ${e.message} [USAGE]\n${usageHint(command)}`);
    return 2;
  }
  if (parsed.values.help) {
    io.out(commandHelp(command));
    return 0;
  }
  const str = (k: string) => (typeof parsed.values[k] === 'string' ? (parsed.values[k] as string) : undefined);
  if (isProcessOutput(io)) lastResort(name, env, io);
  try {
    const config = loadConfig(env, { store: str('store'), tz: str('tz'), server: str('server') });
    const log = createLogger(config.logLevel ?? command.defaultLogLevel ?? 'warn').child({ command: name });
    const code = await command.run({ args: parsed.positionals, values: parsed.values, config, log, io });
    // stdout failed for another reason than a reader that left (a full disk): the output is incomplete.
    return isProcessOutput(io) && io.failure() !== null ? 1 : code;
  } catch (e) {
    if (e instanceof LedgerError) {
      io.err(`et-ledger ${name}: ${e.message} [${e.code}]${e.code === 'USAGE' ? `\n${usageHint(command)}` : ''}`);
      return exitCodeOf(e);
    }
    reportUnexpected(name, env, io, e);
    return 1;
  }
}

const isProcessOutput = (io: Output): io is ProcessOutput => 'failure' in io;

/** Never a stack trace: one line saying what failed; the stack only when asked for (debug logs). */
function reportUnexpected(name: string, env: NodeJS.ProcessEnv, io: Output, e: unknown): void {
  io.err(`et-ledger ${name}: ${firstLine(e)} (an unexpected error; ET_LEDGER_LOG_LEVEL=debug shows where)`);
  if (/^(debug|trace)$/.test(env.ET_LEDGER_LOG_LEVEL ?? '') && e instanceof Error && e.stack) io.err(e.stack);
}

let lastResortInstalled = false;

/**
 * An error no command awaited (an emitter's 'error', a promise nobody caught) would otherwise end
 * the process with Node's stack trace: it ends it with the same one line, exit 1. Installed only
 * when main() writes to the process' own stdout and stderr (the et-ledger executable).
 */
function lastResort(name: string, env: NodeJS.ProcessEnv, io: Output): void {
  if (lastResortInstalled) return;
  lastResortInstalled = true;
  const end = (e: unknown) => {
    reportUnexpected(name, env, io, e);
    process.exit(1);
  };
  process.on('uncaughtException', end);
  process.on('unhandledRejection', end);
}

function firstLine(e: unknown): string {
  const text = e instanceof Error ? e.message || e.name : String(e);
  return text.split('\n').find((l) => l.trim() !== '') ?? 'failed';
}
