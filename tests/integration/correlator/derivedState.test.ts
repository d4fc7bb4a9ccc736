// Derived state that survives change (DESIGN invariants 7–9), tested on the change path: a tie that
// arrives in a later ingest retracts, a rule change rebuilds a new generation that reaches readers
// and Discord only at the swap, and the posts end as a clean run of the same facts leaves them.
import { copyFileSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { correlator, defineCorrelator } from '../../../projections/correlator.ts';
import { defaultCorrelatorConfig } from '../../../src/correlator/index.ts';
import { activeBuild } from '../../../src/runtime/catalog.ts';
import { buildAndSwap, catchUp, type RuntimeDeps } from '../../../src/runtime/ledgerRuntime.ts';
import type { Projection } from '../../../src/runtime/projection.ts';
import { loadProjections } from '../../../src/runtime/registry.ts';
import { startDiscordSink } from '../../../src/sinks/discord/discordSink.ts';
import { discordEffects, verdictChanges } from '../../../src/sinks/discord/swapEffects.ts';
import type { Ledger } from '../../../src/store/openStore.ts';
import { type DiscordFake, startDiscordFake } from '../../support/discordFake.ts';
import {
  appendFiles,
  appendTick,
  fakeConfig,
  openTestLedger,
  project,
  quietLogger,
  roundsChannel,
  sample,
  supplyR1,
  timingChannel,
} from '../discord/discordLedger.ts';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function setup() {
  const fake = await startDiscordFake();
  fake.addChannel(roundsChannel);
  fake.addChannel(timingChannel);
  const ledger = await openTestLedger();
  const sink = startDiscordSink({ db: ledger.db, config: fakeConfig(fake), log: quietLogger(), pollMs: 50 });
  cleanups.push(
    () => fake.close(),
    () => ledger.close(),
    () => sink.stop(),
  );
  return { fake, ledger, sink };
}

/** A copy of a sample under another file name: the same bytes, another fact (another round). */
function copyAs(file: string, name: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'etl-copy-'));
  copyFileSync(file, join(dir, name));
  return join(dir, name);
}

/** What a channel shows, order aside: each message's embeds, minus nothing. */
const shown = (fake: DiscordFake, channel: string) =>
  fake
    .messages(channel)
    .map((m) => JSON.stringify(m.embeds))
    .sort();

const verdictRows = async (ledger: Ledger) =>
  (
    await ledger.db.query<{ round_key: string; status: string; flags: string[]; lua_report_id: string | null }>(
      'select round_key, status, flags, lua_report_id from read.verdicts order by round_key',
    )
  ).rows;

describe('retractions (correlation.md scenario 22) across ingests', () => {
  const tieCopy = () => copyAs(supplyR1.stats, '2026-08-19-214130-supply-round-1.txt');

  it('a tie arriving in a second ingest retracts the joined verdict and deletes its posts; the end equals one ingest', async () => {
    const split = await setup();
    await appendFiles(split.ledger, [supplyR1.lua, supplyR1.stats]);
    await project(split.ledger);
    await split.sink.drain();
    expect((await verdictRows(split.ledger)).map((v) => v.status)).toEqual(['ALIGNED']);
    expect(split.fake.messages(roundsChannel)).toHaveLength(1);
    const copy = tieCopy();
    await appendFiles(split.ledger, [copy]);
    await project(split.ledger);
    await split.sink.drain();
    // No clock tick: the retraction alone takes the verdict and its posts away.
    expect(await verdictRows(split.ledger)).toEqual([]);
    const history = await split.ledger.db.query<{ kind: string; status: string; verdict: { reason?: string } }>(
      'select kind, status, verdict from read.verdict_history order by position',
    );
    expect(history.rows.map((r) => [r.kind, r.status, r.verdict.reason ?? null])).toEqual([
      ['verdict', 'ALIGNED', null],
      ['retraction', 'RETRACTED', 'ambiguous'],
    ]);
    expect(split.fake.messages(roundsChannel)).toEqual([]);
    expect(split.fake.messages(timingChannel)).toEqual([]);

    const once = await setup();
    await appendFiles(once.ledger, [supplyR1.lua, supplyR1.stats, copy]);
    await project(once.ledger);
    await once.sink.drain();
    expect(await verdictRows(once.ledger)).toEqual(await verdictRows(split.ledger));

    // Past the grace both halves decide the same, and the split run's chain goes through its retraction.
    for (const run of [split, once]) {
      await appendTick(run.ledger, supplyR1.fileTimeUnix + 600);
      await project(run.ledger);
      await run.sink.drain();
    }
    const final = await verdictRows(split.ledger);
    expect(final.map((v) => [v.status, v.flags.includes('ambiguous')])).toEqual([
      ['NO_LUA_DATA', true],
      ['NO_LUA_DATA', true],
      ['LUA_ONLY', true],
    ]);
    expect(final).toEqual(await verdictRows(once.ledger));
    // Every round's chain is whole: each event supersedes the one before it.
    for (const { round_key } of final) {
      const chain = await split.ledger.db.query<{ supersedes: string[]; event_id: string }>(
        'select supersedes, event_id from read.verdict_history where round_key = $1 order by position',
        [round_key],
      );
      for (const [i, link] of chain.rows.entries())
        if (i > 0) expect(link.supersedes).toContain(chain.rows[i - 1]!.event_id);
    }
    expect(history.rows).toHaveLength(2);
    for (const channel of [roundsChannel, timingChannel])
      expect(shown(split.fake, channel)).toEqual(shown(once.fake, channel));
  }, 60_000);
});

describe('a report another stats round takes over (no retraction: the new verdict supersedes the old)', () => {
  // 214136 is 3 s after the report's end; a copy written at 214134 is 1 s after it, the better match.
  const closerCopy = () => copyAs(supplyR1.stats, '2026-08-19-214134-supply-round-1.txt');
  const readModels = async (ledger: Ledger) => ({
    players: (
      await ledger.db.query<{ file_name: string; full_guid: string | null; corrected_time_sec: number | null }>(
        `select r.file_name, p.name, p.full_guid, p.corrected_time_sec
         from read.player_stats p join read.rounds r using (round_id) order by r.file_name, p.name`,
      )
    ).rows,
    timing: (
      await ledger.db.query(
        `select r.file_name, t.fighting_time_sec from read.map_timing t join read.rounds r using (round_id)
         order by r.file_name`,
      )
    ).rows,
    verdicts: await verdictRows(ledger),
  });

  it('the old round stops showing the report’s links and timing at once, as one ingest of the same facts', async () => {
    const split = await setup();
    await appendFiles(split.ledger, [supplyR1.lua, supplyR1.stats]);
    await project(split.ledger);
    const first = await readModels(split.ledger);
    // The first ingest joined 214136: its players carry full GUIDs and corrected times.
    expect(first.players.filter((p) => p.full_guid !== null).length).toBeGreaterThan(0);
    expect(first.timing.map((t) => t.file_name)).toEqual(['2026-08-19-214136-supply-round-1.txt']);

    const copy = closerCopy();
    await appendFiles(split.ledger, [copy]);
    await project(split.ledger);
    const once = await setup();
    await appendFiles(once.ledger, [supplyR1.lua, supplyR1.stats, copy]);
    await project(once.ledger);

    const after = await readModels(split.ledger);
    expect(after.verdicts.map((v) => v.status)).toEqual(['ALIGNED']);
    // Only the closer copy shows the report; 214136 waits for its grace, showing nothing.
    expect(after.timing.map((t) => t.file_name)).toEqual(['2026-08-19-214134-supply-round-1.txt']);
    expect(
      after.players.filter(
        (p) => p.file_name.includes('214136') && (p.full_guid !== null || p.corrected_time_sec !== null),
      ),
    ).toEqual([]);
    expect(after).toEqual(await readModels(once.ledger));
    // The maps follow: no map is decided on the timing of a verdict that no longer stands.
    const maps = async (ledger: Ledger) =>
      (await ledger.db.query('select * from read.maps order by map_id')).rows.map((m) => JSON.stringify(m));
    expect(await maps(split.ledger)).toEqual(await maps(once.ledger));
  }, 60_000);
});

/** What `run` does all along: the projections outside the rebuilt group read on to the head. */
async function catchUpOthers(deps: RuntimeDeps) {
  for (const p of deps.projections.filter((x) => !['correlator', 'verdicts', 'discord-outbox'].includes(x.name)))
    await catchUp(deps, p, (await activeBuild(deps.db, p.name))!);
}

describe('a rule change, rebuilt as a new generation', () => {
  /** The same supply R1 file written 45 s after the report's end: outside the spec's +30 s window. */
  const lateFile = () => copyAs(supplyR1.stats, '2026-08-19-214218-supply-round-1.txt');
  const wider = defineCorrelator({ ...defaultCorrelatorConfig, windowAfterSec: 60, correlatorVersion: 99 }, 99);
  const withRule = (all: Projection[], c: Projection) => all.map((p) => (p.name === 'correlator' ? c : p));

  it('reaches readers and Discord only at the swap, leaves no stale verdict, and the sink sends exactly the reported effects', async () => {
    const { fake, ledger, sink } = await setup();
    await appendFiles(ledger, [supplyR1.lua, lateFile()]);
    await appendTick(ledger, supplyR1.fileTimeUnix + 600);
    await project(ledger);
    await sink.drain();
    expect((await verdictRows(ledger)).map((v) => v.status).sort()).toEqual(['LUA_ONLY', 'NO_LUA_DATA']);
    const before = { rounds: shown(fake, roundsChannel), timing: shown(fake, timingChannel) };
    expect(before.timing).toHaveLength(2);
    const requestsBefore = fake.requests.length;

    const all = withRule(await loadProjections(), wider);
    const deps = { db: ledger.db, store: ledger.store, log: quietLogger(), projections: all };
    const oldGeneration = (await activeBuild(ledger.db, 'correlator'))!.generation;
    let predicted: Awaited<ReturnType<typeof discordEffects>> = [];
    let changes: Awaited<ReturnType<typeof verdictChanges>> = [];
    await buildAndSwap(deps, wider, {
      report: false,
      beforeSwap: async (members) => {
        // Caught up, not swapped: the new generation's verdicts are in the log, yet nothing reads them.
        const newGen = members[0]!.build.generation;
        const inLog = (await ledger.store.readAll(0, 1000)).filter(
          (e) => e.type === 'RoundTimingReconciled' && (e.data as { generation: number }).generation === newGen,
        );
        expect(inLog.length).toBeGreaterThan(0);
        expect((await verdictRows(ledger)).map((v) => v.status).sort()).toEqual(['LUA_ONLY', 'NO_LUA_DATA']);
        await sink.drain();
        expect(fake.requests.length).toBe(requestsBefore);
        const byName = (n: string) => members.find((m) => m.p.name === n)!;
        changes = await verdictChanges(
          ledger.db,
          byName('verdicts').previous!.schemaName,
          byName('verdicts').build.schemaName,
        );
        predicted = await discordEffects(ledger.db, byName('discord-outbox').build.schemaName, {
          nowSec: 0,
          maxAgeSec: 0,
        });
      },
    });
    await catchUpOthers(deps);
    expect((await activeBuild(ledger.db, 'correlator'))!.generation).toBeGreaterThan(oldGeneration);
    // No stale verdict and no duplicate round: one joined verdict, nothing else.
    const after = await verdictRows(ledger);
    expect(after.map((v) => [v.status, v.lua_report_id !== null])).toEqual([['ALIGNED', true]]);
    expect(changes.map((c) => [c.change, c.fields.status?.after ?? null]).sort()).toEqual([
      ['changed', 'ALIGNED'],
      ['removed', null],
    ]);
    expect(predicted.map((p) => `${p.action} ${p.kind}`).sort()).toEqual([
      'delete timing-check',
      'edit round-summary',
      'edit timing-check',
    ]);

    await sink.drain();
    const sent = fake.requests.slice(requestsBefore).filter((r) => /\/channels\/\d+\/messages/.test(r.path));
    expect(sent.map((r) => r.method).sort()).toEqual(['DELETE', 'PATCH', 'PATCH']);
    expect(fake.messages(roundsChannel)).toHaveLength(1);
    expect(fake.messages(timingChannel)).toHaveLength(1);
    expect(fake.messages(timingChannel)[0]!.embeds[0]!.title).toContain('ALIGNED');

    // Rebuilding the code's own correlator again (the rule reverted) goes back, edits again, posts nothing twice.
    await buildAndSwap({ ...deps, projections: withRule(all, correlator) }, correlator, { report: false });
    await catchUpOthers(deps);
    await sink.drain();
    expect((await verdictRows(ledger)).map((v) => v.status).sort()).toEqual(['LUA_ONLY', 'NO_LUA_DATA']);
    expect(shown(fake, roundsChannel)).toHaveLength(1);
    expect(fake.messages(timingChannel)).toHaveLength(2);
  }, 60_000);
});

describe('session summaries are derived state too (issue 14, item 5)', () => {
  const evening = [
    'stats/2026-08-19-214136-supply-round-1.txt',
    'stats/2026-08-19-214737-supply-round-2.txt',
    'stats/2026-08-19-220005-etl_adlernest-round-1.txt',
    'stats/2026-08-19-220523-etl_adlernest-round-2.txt',
    'stats/2026-08-19-222249-te_escape2-round-1.txt',
    'stats/2026-08-19-223456-te_escape2-round-2.txt',
  ].map(sample);
  const lateTick = 1787176800; // 2026-08-20 00:00 local: the evening ended before `run` caught up.

  it('a summary posted for half a session is edited when its later rounds arrive, ending as a clean run', async () => {
    const live = await setup();
    await appendFiles(live.ledger, evening.slice(0, 2));
    await appendTick(live.ledger, lateTick);
    await project(live.ledger);
    await live.sink.drain();
    const half = live.fake.messages(roundsChannel).find((m) => m.embeds[0]?.title?.startsWith('Session'));
    expect(JSON.stringify(half?.embeds[0])).toContain('2 rounds');
    for (const f of evening.slice(2)) {
      await appendFiles(live.ledger, [f]);
      await project(live.ledger);
      await live.sink.drain();
    }
    const sessions = live.fake.messages(roundsChannel).filter((m) => m.embeds[0]?.title?.startsWith('Session'));
    expect(sessions).toHaveLength(1);
    expect(JSON.stringify(sessions[0]!.embeds[0])).toContain('6 rounds');
    expect(sessions[0]!.edits).toBeGreaterThan(0);

    const clean = await setup();
    await appendFiles(clean.ledger, evening);
    await appendTick(clean.ledger, lateTick);
    await project(clean.ledger);
    await clean.sink.drain();
    expect(shown(live.fake, roundsChannel)).toEqual(shown(clean.fake, roundsChannel));
  }, 60_000);
});

describe('a file caught while it was written (issue 15, item 4)', () => {
  it('a prefix, then the whole file: one round, one post per channel, edited; a late prefix changes nothing', async () => {
    const { fake, ledger, sink } = await setup();
    const whole = readFileSync(supplyR1.stats);
    const cut = whole.subarray(0, whole.indexOf(0x0a, whole.indexOf(0x0a) + 1) + 15);
    const dir = mkdtempSync(join(tmpdir(), 'etl-prefix-'));
    const prefix = join(dir, '2026-08-19-214136-supply-round-1.txt');
    writeFileSync(prefix, cut);
    await appendFiles(ledger, [supplyR1.lua, prefix]);
    await project(ledger);
    await sink.drain();
    const players = async () =>
      (await ledger.db.query<{ n: number }>('select player_count as n from read.rounds')).rows.map((r) => Number(r.n));
    expect(await players()).toEqual([1]);
    expect(fake.messages(roundsChannel)).toHaveLength(1);

    await appendFiles(ledger, [supplyR1.stats]);
    await project(ledger);
    await sink.drain();
    expect(await players()).toEqual([6]);
    expect((await verdictRows(ledger)).map((v) => v.status)).toEqual(['ALIGNED']);
    expect(fake.messages(roundsChannel)).toHaveLength(1);
    expect(fake.messages(roundsChannel)[0]!.edits).toBe(1);
    expect(fake.messages(timingChannel)).toHaveLength(1);

    // The prefix delivered again later (an SFTP re-poll): the kept file is longer, nothing changes.
    const again = join(mkdtempSync(join(tmpdir(), 'etl-prefix-')), '2026-08-19-214136-supply-round-1.txt');
    writeFileSync(again, Buffer.concat([cut.subarray(0, cut.length - 5)]));
    await appendFiles(ledger, [again]);
    await project(ledger);
    await sink.drain();
    expect(await players()).toEqual([6]);
    expect(fake.messages(roundsChannel)[0]!.edits).toBe(1);

    // Other bytes under the same name (not a longer copy): the round follows them, flagged revised.
    const other = Buffer.from(whole);
    other[other.indexOf('bramble')] = 'B'.charCodeAt(0);
    const revised = join(mkdtempSync(join(tmpdir(), 'etl-revised-')), '2026-08-19-214136-supply-round-1.txt');
    writeFileSync(revised, other);
    await appendFiles(ledger, [revised]);
    await project(ledger);
    await sink.drain();
    const flags = await ledger.db.query<{ flags: string[] }>('select flags from read.rounds');
    expect(flags.rows[0]!.flags).toContain('revised');
    expect(fake.messages(roundsChannel)).toHaveLength(1);
    expect(
      fake
        .messages(roundsChannel)[0]!
        .embeds[0]!.fields?.map((f) => f.value)
        .join(' '),
    ).toContain('Bramble');
  }, 60_000);
});

describe('an upgrade never deletes a channel', () => {
  it('a message recorded without its round time (before 0.2) whose target is gone is kept, not deleted', async () => {
    const { fake, ledger, sink } = await setup();
    await appendFiles(ledger, [supplyR1.lua, supplyR1.stats]);
    await project(ledger);
    await sink.drain();
    expect(fake.messages(roundsChannel)).toHaveLength(1);
    // As a 0.1 sink left it: no round time, and a target key the new round ids no longer produce.
    await ledger.db.query(
      "update discord_sink.messages set round_time_unix = null, target_key = 'pre-0.2:' || target_key where kind = 'round-summary'",
    );
    await appendTick(ledger, supplyR1.fileTimeUnix + 30);
    await project(ledger);
    await sink.drain();
    const kept = await ledger.db.query<{ state: string }>(
      "select state from discord_sink.messages where target_key like 'pre-0.2:%'",
    );
    expect(kept.rows.map((r) => r.state)).toEqual(['kept']);
    expect(fake.requests.filter((r) => r.method === 'DELETE')).toEqual([]);
  }, 60_000);
});
