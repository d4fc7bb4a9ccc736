// Child process for the crash test: runs the Discord sink on a store until killed.
//   sinkChild.ts <pglite dir | postgres url> <config json>

import type { DiscordConfig } from '../../../src/config/discord.ts';
import { createLogger } from '../../../src/logger.ts';
import { startDiscordSink } from '../../../src/sinks/discord/discordSink.ts';
import { openLedger } from '../../../src/store/openStore.ts';

const [where, configJson] = process.argv.slice(2);
const ledger = await openLedger(
  where!.startsWith('postgres') ? { kind: 'postgres', url: where! } : { kind: 'pglite', dir: where! },
);
const config = JSON.parse(configJson!) as DiscordConfig;
startDiscordSink({ db: ledger.db, config, log: createLogger('silent'), pollMs: 50 });
process.stdout.write('started\n');
