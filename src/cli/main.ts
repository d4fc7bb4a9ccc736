import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { envVariables, loadConfig } from '../config.ts';
import { LedgerError } from '../errors.ts';
import { createLogger } from '../logger.ts';
import { webEnvVariables } from '../web/webConfig.ts';
import { type Command, commonOptions, type Output } from './command.ts';
import { collectCommand } from './commands/collect.ts';
import { demoCommand } from './commands/demo.ts';
import { exportCommand } from './commands/export.ts';
import { ingestCommand } from './commands/ingest.ts';
import { rebuildCommand } from './commands/rebuild.ts';
import { replayCommand } from './commands/replay.ts';
import { runCommand } from './commands/run.ts';
import { statusCommand } from './commands/status.ts';
import { webCommand } from './commands/web.ts';

export const commands: Command[] = [
  ingestCommand,
  runCommand,
  collectCommand,
  exportCommand,
  rebuildCommand,
  replayCommand,
  statusCommand,
  webCommand,
  demoCommand,
];

const version = (
  JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }
).version;

function mainHelp(): string {
  const width = Math.max(...commands.map((c) => c.name.length));
  return `et-ledger ${version} — an event-sourced ledger of ET:Legacy round statistics.

Every raw fact (stats files, Lua round reports, pauses) is appended once to a log; read models
(rounds, player_stats, lua_round_teams, verdicts) are derived from it and can be rebuilt.

Usage: et-ledger <command> [options]

Commands:
${commands.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`).join('\n')}

Options for every command:
  --store STORE   pglite:DIR (default pglite:./.et-ledger), postgres:URL, or a bare postgres:
                  that takes DATABASE_URL; overrides ET_LEDGER_STORE
  -h, --help      help for a command: et-ledger <command> --help
  --version       print the version

Environment:
${Object.entries({ ...envVariables, ...webEnvVariables })
  .map(([k, v]) => `  ${k.padEnd(26)} ${v.help}\n  ${''.padEnd(26)} example: ${v.example}`)
  .join('\n')}

Start with: et-ledger demo`;
}

const commandHelp = (c: Command) => `Usage: ${c.usage}\n\n${c.summary}.\n\n${c.details}`;

export async function main(argv: string[], env: NodeJS.ProcessEnv, io: Output = defaultOutput()): Promise<number> {
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
    io.err(
      `et-ledger: unknown command ${JSON.stringify(name)}. Commands: ${commands.map((c) => c.name).join(', ')}. See et-ledger --help.`,
    );
    return 2;
  }
  let parsed: ReturnType<typeof parseArgs>;
  try {
    parsed = parseArgs({
      args: rest,
      options: { ...commonOptions, ...command.options },
      allowPositionals: true,
      strict: true,
    });
  } catch (e) {
    io.err(`et-ledger ${name}: ${(e as Error).message}\n\n${commandHelp(command)}`);
    return 2;
  }
  if (parsed.values.help) {
    io.out(commandHelp(command));
    return 0;
  }
  const str = (k: string) => (typeof parsed.values[k] === 'string' ? (parsed.values[k] as string) : undefined);
  try {
    const config = loadConfig(env, { store: str('store'), tz: str('tz'), server: str('server') });
    const log = createLogger(config.logLevel ?? command.defaultLogLevel ?? 'warn').child({ command: name });
    return await command.run({ args: parsed.positionals, values: parsed.values, config, log, io });
  } catch (e) {
    if (e instanceof LedgerError) {
      io.err(`et-ledger ${name}: ${e.message} [${e.code}]`);
      return e.code === 'CONFIG_INVALID' || e.code === 'USAGE' ? 2 : 1;
    }
    throw e;
  }
}

function defaultOutput(): Output {
  return {
    out: (line) => process.stdout.write(`${line}\n`),
    err: (line) => process.stderr.write(`${line}\n`),
    isTTY: Boolean(process.stderr.isTTY),
  };
}
