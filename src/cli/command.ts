import type { ParseArgsConfig } from 'node:util';
import type { Config } from '../config/common.ts';
import type { Logger } from '../logger.ts';

export type Output = {
  /** A line of results on stdout; dropped once nobody reads stdout any more (see outClosed). */
  out: (line: string) => void;
  err: (line: string) => void;
  isTTY: boolean;
  /**
   * Aborted when stdout's reader has gone (EPIPE: `et-ledger … | head -1`): later lines are dropped
   * quietly, and a command that only produces output (an export) may stop early. Absent for
   * writers that never close (tests' collectors).
   */
  outClosed?: AbortSignal;
};

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
