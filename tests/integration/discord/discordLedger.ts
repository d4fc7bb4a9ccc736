// A ledger for the Discord tests: a fresh PGlite copy (or a PostgreSQL database), facts appended from
// the sample files, projections (discord-outbox included) run to the head.
import { readFile } from 'node:fs/promises';
import { basename } from 'node:path';
import { Writable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import type { DiscordConfig } from '../../../src/config/discord.ts';
import { clockTickIdentity } from '../../../src/events/ids.ts';
import { createLogger, type Logger } from '../../../src/logger.ts';
import { projectAllToHead } from '../../../src/runtime/ledgerRuntime.ts';
import type { Projection } from '../../../src/runtime/projection.ts';
import { loadProjections } from '../../../src/runtime/registry.ts';
import { identifyFact } from '../../../src/sources/identifyFact.ts';
import { type Ledger, openLedger } from '../../../src/store/openStore.ts';
import { freshPgliteDir } from '../../support/databases.ts';
import type { DiscordFake } from '../../support/discordFake.ts';

export const samples = fileURLToPath(new URL('../../../samples/', import.meta.url));
export const sample = (rel: string) => `${samples}${rel}`;

export const roundsChannel = '1012345678901234568';
export const timingChannel = '1012345678901234569';

export async function openTestLedger(dir = freshPgliteDir()): Promise<Ledger & { dir: string }> {
  return { ...(await openLedger({ kind: 'pglite', dir })), dir };
}

export async function appendFiles(ledger: Ledger, files: string[], serverId = 'default'): Promise<void> {
  for (const file of files) {
    const fact = identifyFact({
      bytes: new Uint8Array(await readFile(file)),
      fileName: basename(file),
      serverId,
      tz: 'Europe/Ljubljana',
      source: { kind: 'dir', ref: file },
      receivedAt: '2026-08-19T19:00:00.000Z',
      maxBytes: 1024 * 1024,
    });
    await ledger.store.appendFacts(fact.events);
  }
}

export async function appendTick(ledger: Ledger, atUnix: number, serverId = 'default'): Promise<void> {
  await ledger.store.appendFacts([
    { ...clockTickIdentity(serverId, atUnix), type: 'ClockTicked', schemaVersion: 2, data: { serverId, atUnix } },
  ]);
}

let projections: Projection[] | null = null;
export async function project(ledger: Ledger, log: Logger = quietLogger()): Promise<void> {
  projections ??= await loadProjections();
  await projectAllToHead({ db: ledger.db, store: ledger.store, log, projections });
}

export const quietLogger = (): Logger => createLogger('silent');

/** A logger whose JSON lines the test can read. */
export function capturedLogger(): { log: Logger; lines: () => Record<string, unknown>[] } {
  const out: string[] = [];
  const stream = new Writable({
    write(chunk, _enc, cb) {
      out.push(...String(chunk).split('\n').filter(Boolean));
      cb();
    },
  });
  return {
    log: createLogger('debug', stream),
    lines: () => out.map((l) => JSON.parse(l) as Record<string, unknown>),
  };
}

export function fakeConfig(fake: DiscordFake, over: Partial<DiscordConfig> = {}): DiscordConfig {
  return {
    token: fake.token,
    guildId: null,
    channels: { rounds: roundsChannel, timing: timingChannel },
    api: fake.api,
    postMaxAgeSec: 0,
    ...over,
  };
}

/** supply R1 as stats file and Lua report; 21:41:36 local. */
export const supplyR1 = {
  stats: sample('stats/2026-08-19-214136-supply-round-1.txt'),
  lua: sample('lua-legacy/01-supply-R1-objective-two-pauses.json'),
  fileTimeUnix: 1787168496,
};
