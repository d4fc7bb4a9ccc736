import type { ParseArgsConfig } from 'node:util';
import type { Config } from '../config.ts';
import type { Logger } from '../logger.ts';

export type Output = { out: (line: string) => void; err: (line: string) => void; isTTY: boolean };

export type CommandContext = {
  args: string[];
  values: Record<string, string | boolean | (string | boolean)[] | undefined>;
  config: Config;
  log: Logger;
  io: Output;
};

/** One `et-ledger` sub-command: its help is written next to its code, and `--help` is built from these. */
export type Command = {
  name: string;
  usage: string;
  summary: string;
  /** Longer help: what it does, examples. */
  details: string;
  options: NonNullable<ParseArgsConfig['options']>;
  /** Log level when ET_LEDGER_LOG_LEVEL is unset: services log their work, one-shot commands only problems. */
  defaultLogLevel?: 'info' | 'warn';
  run(ctx: CommandContext): Promise<number>;
};

/** Options every command takes. */
export const commonOptions = {
  store: { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const satisfies NonNullable<ParseArgsConfig['options']>;
