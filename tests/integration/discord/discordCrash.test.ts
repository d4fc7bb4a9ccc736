// Against a FAKE of Discord's REST v10 (tests/support/discordFake.ts): a sender killed after Discord
// created a message but before it recorded the id must not post again when it restarts.
import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { startDiscordSink } from '../../../src/sinks/discord/discordSink.ts';
import { type DiscordFake, startDiscordFake } from '../../support/discordFake.ts';
import {
  appendFiles,
  appendTick,
  fakeConfig,
  openTestLedger,
  project,
  quietLogger,
  roundsChannel,
  supplyR1,
  timingChannel,
} from './discordLedger.ts';

const childPath = fileURLToPath(new URL('./sinkChild.ts', import.meta.url));
const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

const posts = (fake: DiscordFake, channel: string) =>
  fake.requests.filter((r) => r.method === 'POST' && r.path.endsWith(`/channels/${channel}/messages`));

describe('Discord sink after a crash', () => {
  it('finds the message it sent but never recorded, and posts nothing twice', async () => {
    // enforce_nonce off: the restart must find the message by its footer reference on its own.
    const fake = await startDiscordFake({ enforceNonce: false });
    fake.addChannel(roundsChannel);
    fake.addChannel(timingChannel);
    cleanups.push(() => fake.close());
    const ledger = await openTestLedger();
    await appendFiles(ledger, [supplyR1.lua, supplyR1.stats]);
    await appendTick(ledger, supplyR1.fileTimeUnix + 600);
    await project(ledger);
    await ledger.close();

    let child: ChildProcess | null = null;
    // Discord has created the message; the sender dies before it reads the answer.
    fake.hook = async (_req, created) => {
      if (created && child) {
        child.kill('SIGKILL');
        await once(child, 'exit');
        return 'drop';
      }
      return 'answer';
    };
    child = spawn(process.execPath, ['--import', 'tsx/esm', childPath, ledger.dir, JSON.stringify(fakeConfig(fake))], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    cleanups.push(async () => {
      if (child?.exitCode === null) child.kill('SIGKILL');
    });
    await expect.poll(() => child?.exitCode !== null || child?.signalCode !== null, { timeout: 30_000 }).toBe(true);
    expect(child.signalCode).toBe('SIGKILL');
    expect(fake.messages(roundsChannel)).toHaveLength(1);
    fake.hook = null;

    const reopened = await openTestLedger(ledger.dir);
    cleanups.push(() => reopened.close());
    const sink = startDiscordSink({ db: reopened.db, config: fakeConfig(fake), log: quietLogger(), pollMs: 50 });
    cleanups.push(() => sink.stop());
    await sink.drain();
    expect(fake.messages(roundsChannel)).toHaveLength(1);
    expect(posts(fake, roundsChannel)).toHaveLength(1);
    expect(fake.messages(timingChannel)).toHaveLength(1);
    const row = await reopened.db.query<{ state: string; message_id: string }>(
      "select state, message_id from discord_sink.messages where kind = 'round-summary'",
    );
    expect(row.rows).toEqual([{ state: 'posted', message_id: fake.messages(roundsChannel)[0]!.id }]);
  });
});
