// Every environment variable et-ledger reads, in one list of groups: what `et-ledger --help` prints,
// what `npm run docs:config` turns into table rows, and what tests/unit/config/readmeTable.test.ts
// holds the README and docs/ to. A group's page is where its table lives.
import { z } from 'zod';
import { Env, envVariables } from './common.ts';
import { DiscordEnv, discordEnvVariables } from './discord.ts';
import { KafkaEnv, kafkaEnvVariables } from './kafka.ts';
import { RunEnv, runEnvVariables } from './service.ts';
import type { EnvVariable } from './variables.ts';
import { WebEnv, webEnvVariables } from './web.ts';

export type VariableGroup = {
  /** Who reads them (`the service`), and the commands that do (`et-ledger run`). */
  part: string;
  commands: string | null;
  /** The page whose table documents each variable. */
  page: 'README.md' | 'docs/run.md' | 'docs/discord.md' | 'docs/scale-out.md';
  variables: Readonly<Record<string, EnvVariable>>;
  /** The schema that parses them: its keys are `variables`' keys. */
  schema: z.ZodObject;
};

export const variableGroups: readonly VariableGroup[] = [
  { part: 'every command', commands: null, page: 'README.md', variables: envVariables, schema: Env },
  {
    part: 'the service',
    commands: 'et-ledger run',
    page: 'docs/run.md',
    variables: runEnvVariables,
    schema: RunEnv,
  },
  {
    part: 'Discord',
    commands: 'et-ledger run',
    page: 'docs/discord.md',
    variables: discordEnvVariables,
    schema: DiscordEnv,
  },
  {
    part: 'Kafka',
    commands: 'et-ledger run and collect',
    page: 'docs/scale-out.md',
    variables: kafkaEnvVariables,
    schema: KafkaEnv,
  },
  {
    part: 'web pages',
    commands: 'et-ledger web and run',
    page: 'README.md',
    variables: webEnvVariables,
    schema: WebEnv,
  },
];

/** `Discord (et-ledger run; docs/discord.md)`: the group, its commands and, beyond the README, its page. */
export function groupTitle(g: VariableGroup): string {
  const where = [g.commands, g.page === 'README.md' ? null : g.page].filter((w) => w !== null);
  return where.length === 0 ? g.part : `${g.part} (${where.join('; ')})`;
}

/** The value a variable takes when unset, as text; null when it has none (unset means off, or a guess). */
export function variableDefault(schema: z.ZodObject, key: string): string | null {
  const field = schema.shape[key];
  return field instanceof z.ZodDefault ? String(field.def.defaultValue) : null;
}

/** The group's variables as Markdown table rows: variable, default, example, meaning. */
export function variableRows(g: VariableGroup): string[] {
  const cell = (text: string) => text.replaceAll('|', '\\|');
  const code = (text: string) => `\`${cell(text)}\``;
  // Outside code spans, `<token>` would be read as HTML.
  const prose = (text: string) =>
    cell(text)
      .split('`')
      .map((part, i) => (i % 2 === 0 ? part.replaceAll('<', '&lt;').replaceAll('>', '&gt;') : part))
      .join('`');
  return [
    '| variable | default | example | meaning |',
    '|---|---|---|---|',
    ...Object.entries(g.variables).map(([key, v]) => {
      const fallback = variableDefault(g.schema, key);
      return `| ${code(key)} | ${fallback === null ? '—' : code(fallback)} | ${code(v.example)} | ${prose(v.help)} |`;
    }),
  ];
}
