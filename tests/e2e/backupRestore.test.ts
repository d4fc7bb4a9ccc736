// `et-ledger backup` and `restore` through the real CLI: a store restored into an empty database or
// folder (PostgreSQL → PostgreSQL, PostgreSQL → PGlite, PGlite → PGlite, PGlite → embedded) has the same log, byte
// for byte, the same head and facts, the same read models and the same correlator state; a store
// that holds events is refused; a damaged backup is refused and leaves the target empty.
import {
  chmodSync,
  createReadStream,
  createWriteStream,
  existsSync,
  mkdtempSync,
  readFileSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
import { PGlite } from '@electric-sql/pglite';
import pg from 'pg';
import { beforeAll, describe, expect, it } from 'vitest';
import { restoreLog } from '../../src/backup/restoreLedger.ts';
import { writeBackup } from '../../src/backup/writeBackup.ts';
import { ensureSentTable } from '../../src/sinks/discord/sentMessages.ts';
import { openSinkCheckpoint } from '../../src/sinks/kafkaSinkCheckpoint.ts';
import { openSqlCursorStore } from '../../src/sources/fileCursor.ts';
import { openLedger } from '../../src/store/openStore.ts';
import { openPostgresDatabase } from '../../src/store/postgresDatabase.ts';
import { runBackupCli } from '../support/backupCli.ts';
import { runCli } from '../support/cli.ts';
import { freshPgliteDir, freshPostgresUrl, postgresAvailable } from '../support/databases.ts';
import { startEsdbDouble } from '../support/esdbDouble.ts';

const tz = { ET_LEDGER_TZ: 'Europe/Ljubljana' };
const scratch = () => mkdtempSync(join(tmpdir(), 'etl-backup-'));

async function ok(run: Promise<{ code: number; stdout: string; stderr: string }>): Promise<string> {
  const r = await run;
  expect(r.code, r.stderr).toBe(0);
  return r.stdout;
}

/** What `status --json` says, without the store's name and the build schemas' names. */
async function statusOf(store: string) {
  const s = JSON.parse(await ok(runCli(['status', '--json', '--store', store])));
  return {
    headPosition: s.headPosition,
    facts: s.facts,
    quarantined: s.quarantined,
    deadLetters: s.deadLetters.length,
    projections: s.projections.map((p: Record<string, unknown>) => [p.name, p.version, p.status, p.position, p.lag]),
  };
}

const exportsCompared = ['rounds', 'verdicts', 'player-stats', 'verdict-history'];
/** The exports, side by side where the store takes several processes (a PGlite folder takes one). */
async function exportsOf(store: string): Promise<Record<string, string>> {
  const one = async (name: string) => [name, await ok(runCli(['export', name, '--store', store]))] as const;
  if (store.startsWith('postgres:')) return Object.fromEntries(await Promise.all(exportsCompared.map(one)));
  const out: Record<string, string> = {};
  for (const name of exportsCompared) out[name] = (await one(name))[1];
  return out;
}

type Query = (sql: string) => Promise<Record<string, unknown>[]>;
const pgQuery =
  (url: string): Query =>
  async (sql) => {
    const c = new pg.Client({ connectionString: url });
    await c.connect();
    try {
      return (await c.query(sql)).rows;
    } finally {
      await c.end();
    }
  };
/**
 * Runs `check` with queries over a PGlite folder opened once (an open takes seconds, and a folder
 * takes one process at a time: close it before a CLI command opens the same folder).
 */
async function withPglite<T>(dir: string, check: (q: Query) => Promise<T>): Promise<T> {
  const db = await PGlite.create(join(dir, 'pgdata'));
  try {
    return await check(async (sql) => (await db.query<Record<string, unknown>>(sql)).rows);
  } finally {
    await db.close();
  }
}

/** The log as stored: every column, the bytes by digest, times to the microsecond. */
const eventsSql = `select position::int, event_id::text, stream_id, stream_version, type, schema_version,
  data::text as data, md5(raw) as raw, octet_length(raw) as raw_bytes,
  to_char(recorded_at at time zone 'UTC', 'YYYY-MM-DD HH24:MI:SS.US') as recorded_at
  from ledger.events order by position`;

/** Every table of the active correlator build, each row as jsonb text (json columns compared as values). */
async function correlatorState(q: Query): Promise<Record<string, string[]>> {
  const [{ s }] = (await q(
    "select schema_name as s from ledger.projection_builds where name = 'correlator' and status = 'active'",
  )) as [{ s: string }];
  const tables = (await q(
    `select table_name as t from information_schema.tables where table_schema = '${s}' order by 1`,
  )) as { t: string }[];
  const out: Record<string, string[]> = {};
  for (const { t } of tables)
    out[t] = ((await q(`select to_jsonb(x)::text as j from "${s}"."${t}" x order by 1`)) as { j: string }[]).map(
      (r) => r.j,
    );
  return out;
}

const carriedSql = {
  messages: 'select to_jsonb(m)::text as j from discord_sink.messages m order by 1',
  checkpoints: 'select to_jsonb(c)::text as j from ledger.sink_checkpoints c order by 1',
  cursors: 'select to_jsonb(c)::text as j from ledger.source_cursors c order by 1',
};

describe('backup and restore through the CLI', () => {
  // One PGlite store where the Lua reports came first (ingested alone), so verdicts were decided
  // LUA_ONLY and then superseded when the stats files came: a history with chains.
  let pgliteSource = '';
  let pgliteBackup = '';
  beforeAll(async () => {
    pgliteSource = join(scratch(), 'source');
    await ok(runCli(['ingest', '--store', `pglite:${pgliteSource}`, 'samples/lua-legacy'], tz));
    await ok(runCli(['ingest', '--store', `pglite:${pgliteSource}`, 'samples/stats'], tz));
    pgliteBackup = join(scratch(), 'pglite.etl.gz');
    await ok(runBackupCli(['backup', '--store', `pglite:${pgliteSource}`, pgliteBackup]));
  }, 240_000);

  it.skipIf(!postgresAvailable())(
    'PostgreSQL → an empty PostgreSQL and an empty PGlite folder: same log, head, facts, read models and outside-world rows; a store with events is refused',
    async () => {
      const url = await freshPostgresUrl('backup_src');
      const source = `postgres:${url}`;
      await ok(runCli(['ingest', '--store', source, 'samples/stats', 'samples/lua-legacy'], tz));
      // What the outside world was told: a Discord message, the Kafka sink's checkpoint, a source cursor.
      const db = await openPostgresDatabase(url);
      try {
        await ensureSentTable(db);
        const [verdict] = (
          await db.query<{ event_id: string; round_key: string }>(
            'select event_id, round_key from read.verdicts order by round_key limit 1',
          )
        ).rows;
        await db.query(
          `insert into discord_sink.messages (target_key, kind, channel_id, state, message_id, ref, verdict_event_id, content_hash, round_time_unix)
           values ($1, 'round', '111', 'posted', '999888777', 'ref-1', $2, 'abc', 1787168496)`,
          [verdict!.round_key, verdict!.event_id],
        );
        await openSinkCheckpoint(db, 'kafka');
        await db.query("update ledger.sink_checkpoints set position = 40, generation = 1 where name = 'kafka'");
        await (await openSqlCursorStore(db)).record('dir:default:/srv/gamestats', 'a.txt', {
          size: 1234,
          mtimeMs: 1787168496123,
        });
      } finally {
        await db.close();
      }

      const file = join(scratch(), 'etl.gz');
      const made = await ok(runBackupCli(['backup', '--store', source, file]));
      expect(made).toMatch(/46 events, head 46/);
      const header = JSON.parse(gunzipSync(readFileSync(file)).toString('utf8').split('\n')[0]!);
      expect(header).toMatchObject({ kind: 'header', format: 'et-ledger-backup', formatVersion: 1, headPosition: 46 });
      const want = await statusOf(source);
      expect(want.headPosition).toBe(46);
      expect(header.types).toEqual(want.facts);
      // An existing file is kept unless --force.
      const again = await runBackupCli(['backup', '--store', source, file]);
      expect(again.code).toBe(2);
      expect(again.stderr).toMatch(/exists: name a new file, or --force to replace it/);

      const pgTarget = await freshPostgresUrl('backup_dst');
      const pgliteTarget = join(scratch(), 'restored');
      for (const target of [`postgres:${pgTarget}`, `pglite:${pgliteTarget}`]) {
        const out = await ok(runBackupCli(['restore', file, '--store', target]));
        expect(out).toMatch(/log: 46 events, head 46/);
        expect(out).toMatch(/correlator: generation 1 active again, its verdicts kept as they are in the log\n/);
      }
      const wantExports = await exportsOf(source);
      expect(wantExports.verdicts!.trim().split('\n')).toHaveLength(15);
      const q = pgQuery(url);
      const wantEvents = await q(eventsSql);
      const wantState = await correlatorState(q);
      const generationsSql = 'select name, generation, activated_position from ledger.generations order by 1, 2';
      const wantGenerations = await q(generationsSql);
      const wantCarried = await Promise.all(Object.values(carriedSql).map((sql) => q(sql)));
      const usings: [string, <T>(check: (q: Query) => Promise<T>) => Promise<T>][] = [
        [`postgres:${pgTarget}`, (check) => check(pgQuery(pgTarget))],
        [`pglite:${pgliteTarget}`, (check) => withPglite(pgliteTarget, check)],
      ];
      for (const [target, using] of usings) {
        expect(await statusOf(target), target).toEqual(want);
        expect(await exportsOf(target), target).toEqual(wantExports);
        await using(async (tq) => {
          expect(await tq(eventsSql), target).toEqual(wantEvents);
          expect(await correlatorState(tq), target).toEqual(wantState);
          for (const [i, sql] of Object.values(carriedSql).entries())
            expect(await tq(sql), `${target}: ${sql}`).toEqual(wantCarried[i]);
          expect(await tq(generationsSql)).toEqual(wantGenerations);
        });
      }

      // Never over a log: one line, the store untouched.
      for (const target of [`postgres:${pgTarget}`, `pglite:${pgliteTarget}`]) {
        const refused = await runBackupCli(['restore', file, '--store', target]);
        expect(refused.code).toBe(1);
        expect(refused.stdout).toBe('');
        expect(refused.stderr.trim().split('\n')).toHaveLength(1);
        expect(refused.stderr).toMatch(
          /^et-ledger restore: .* already holds 46 events \(head 46\): restore writes only into an empty store and never over a log; name a new database or folder \[STORE_CONFLICT\]\n$/,
        );
        expect((await statusOf(target)).headPosition).toBe(46);
      }
    },
    600_000,
  );

  it('PGlite → an empty PGlite folder: verdicts superseded over two ingests keep their ids, replay --from T sees the same facts', async () => {
    const target = join(scratch(), 'new', 'restored');
    const out = await ok(runBackupCli(['restore', pgliteBackup, '--store', `pglite:${target}`]));
    expect(out).toMatch(/correlator: generation 1 active again/);
    const [from, to] = [`pglite:${pgliteSource}`, `pglite:${target}`];
    expect(await statusOf(to)).toEqual(await statusOf(from));
    const restoredExports = await exportsOf(to);
    expect(restoredExports).toEqual(await exportsOf(from));
    // The chains: LUA_ONLY verdicts superseded by the joined ones.
    const history = restoredExports['verdict-history']!.trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { status: string; supersedes: string[] });
    expect(history.filter((h) => h.status === 'LUA_ONLY').length).toBeGreaterThan(0);
    expect(history.filter((h) => h.supersedes.length > 0).length).toBeGreaterThan(0);
    const t = await withPglite(pgliteSource, (sq) =>
      withPglite(target, async (tq) => {
        expect(await tq(eventsSql)).toEqual(await sq(eventsSql));
        expect(await correlatorState(tq)).toEqual(await correlatorState(sq));
        const [first] = (await sq(
          "select to_char(min(recorded_at) at time zone 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.US\"Z\"') as t from ledger.events where type = 'StatsFileArrived'",
        )) as [{ t: string }];
        return first.t;
      }),
    );
    // Recorded times are kept: a replay from the second ingest's time sees the same facts.
    const replay = async (store: string) =>
      (await ok(runCli(['replay', '--from', t, '--projection', 'rounds', '--store', store]))).replace(/into \S+/g, '');
    const replayed = await replay(from);
    expect(replayed).toMatch(/rounds\s+15 rows/);
    expect(await replay(to)).toBe(replayed);
    // --check reads a backup without a store.
    const checked = await ok(runBackupCli(['restore', pgliteBackup, '--check']));
    expect(checked).toMatch(/intact \(sha256 [0-9a-f]{64}\).*from a pglite store/);
  }, 600_000);

  it('PGlite → an empty embedded folder (moving a store of the old default to the new one): the same log, status and exports', async () => {
    const parent = scratch();
    chmodSync(parent, 0o755); // as root, the embedded server runs as the user postgres, who must enter it
    const target = join(parent, 'embedded');
    await ok(runBackupCli(['restore', pgliteBackup, '--store', `embedded:${target}`]));
    const [from, to] = [`pglite:${pgliteSource}`, `embedded:${target}`];
    expect(await statusOf(to)).toEqual(await statusOf(from));
    expect(await exportsOf(to)).toEqual(await exportsOf(from));
    const restored = await openLedger({ kind: 'embedded', dir: target });
    try {
      const events = (await restored.db.query<Record<string, unknown>>(eventsSql)).rows;
      expect(events).toEqual(await withPglite(pgliteSource, (q) => q(eventsSql)));
    } finally {
      await restored.close();
    }
  }, 600_000);

  it('a cut-off, damaged or tampered backup is refused with a one-line error and the target stays empty', async () => {
    const dir = scratch();
    const bytes = readFileSync(pgliteBackup);
    const text = gunzipSync(bytes).toString('utf8');
    const lines = text.split('\n');
    const files = {
      // gzip stream cut in the middle
      truncated: bytes.subarray(0, Math.floor(bytes.length / 2)),
      // one character of an event changed, compressed again: gzip is whole, the sha256 is not
      tampered: gzipSync(text.replace('"map": "supply"', '"map": "supplz"')),
      // every line but the trailer
      noTrailer: gzipSync(lines.slice(0, -2).join('\n').concat('\n')),
      // a verdict dropped, the trailer kept
      lineDropped: gzipSync(
        lines
          .filter((l) => !(l.startsWith('{"kind":"event"') && l.includes('"type":"RoundTimingReconciled"')))
          .join('\n'),
      ),
    };
    const reasons = {
      truncated: /is damaged: not a complete gzip stream/,
      tampered: /is damaged: checksum mismatch/,
      noTrailer: /is damaged: it has no trailer: the file is cut off/,
      lineDropped: /is damaged: checksum mismatch/,
    };
    for (const [name, content] of Object.entries(files)) {
      const file = join(dir, `${name}.etl.gz`);
      writeFileSync(file, content);
      const target = join(dir, `into-${name}`);
      const r = await runBackupCli(['restore', file, '--store', `pglite:${target}`]);
      expect(r.code, name).toBe(1);
      expect(r.stderr.trim().split('\n'), name).toHaveLength(1);
      expect(r.stderr, name).toMatch(reasons[name as keyof typeof reasons]);
      expect(r.stderr, name).toMatch(/nothing was restored \[INPUT_UNREADABLE\]\n$/);
      // The whole file is checked before a store is opened: nothing was created.
      expect(existsSync(join(target, 'pgdata')), name).toBe(false);
    }
    // From stdin there is one pass: the log is written in a transaction the bad trailer rolls back.
    const into = freshPgliteDir();
    const piped = await runBackupCli(
      ['restore', '-', '--store', `pglite:${into}`],
      {},
      { stdin: join(dir, 'tampered.etl.gz') },
    );
    expect(piped.code).toBe(1);
    expect(piped.stderr).toMatch(
      /^et-ledger restore: the backup on stdin is damaged: checksum mismatch .*\[INPUT_UNREADABLE\]\n$/,
    );
    expect(await withPglite(into, (q) => q('select count(*)::int as n from ledger.events'))).toEqual([{ n: 0 }]);
    // …and the same store then takes the intact backup.
    const out = await ok(runBackupCli(['restore', '-', '--store', `pglite:${into}`], {}, { stdin: pgliteBackup }));
    expect(out).toMatch(/log: 45 events, head 45/);
  }, 300_000);

  it.skipIf(!postgresAvailable())(
    'EventStoreDB (a protocol double) → an empty PGlite folder: its sparse positions, ids and read models come back',
    async () => {
      const double = await startEsdbDouble();
      try {
        const source = `eventstoredb:${double.url}`;
        const env = { ...tz, DATABASE_URL: await freshPostgresUrl('backup_esdb') };
        await ok(runCli(['ingest', '--store', source, 'samples/stats', 'samples/lua-legacy'], env));
        const file = join(scratch(), 'esdb.etl.gz');
        const made = await ok(runBackupCli(['backup', '--store', source, file], env));
        expect(made).toMatch(/46 events/);
        const target = `pglite:${join(scratch(), 'from-esdb')}`;
        const out = await ok(runBackupCli(['restore', file, '--store', target]));
        expect(out).toMatch(/correlator: generation 1 active again/);
        const restored = await statusOf(target);
        const original = JSON.parse(await ok(runCli(['status', '--json', '--store', source], env)));
        expect(restored.headPosition).toBe(original.headPosition);
        expect(restored.headPosition).toBeGreaterThan(1_000_000); // EventStoreDB's commit positions, kept
        expect(restored.facts.RoundTimingReconciled).toBe(19);
        const wanted: Record<string, string> = {};
        for (const name of exportsCompared) wanted[name] = await ok(runCli(['export', name, '--store', source], env));
        expect(await exportsOf(target)).toEqual(wanted);
        // Restoring into EventStoreDB is refused: it would assign positions and times of its own.
        const refused = await runBackupCli(['restore', file, '--store', source], env);
        expect(refused.code).toBe(2);
        expect(refused.stderr).toMatch(/restore writes into embedded:, pglite: and postgres: stores only/);
      } finally {
        await double.close();
      }
    },
    600_000,
  );

  it('a fact over 1 MiB travels in chunks; empty bytes, no bytes, data text and numbers beyond a double stay exact', async () => {
    const [from, to] = [
      await openLedger({ kind: 'pglite', dir: null }),
      await openLedger({ kind: 'pglite', dir: null }),
    ];
    try {
      // Rows as an old log may hold them (written before facts were capped), straight into the table.
      await from.db.query(
        `insert into ledger.events (position, event_id, stream_id, stream_version, type, schema_version, data, raw, recorded_at)
         values (1, md5('a')::uuid, 'a', 0, 'UnrecognizedFactArrived', 1, '{"n": 12345678901234567890123, "x": 0.1000000000000000055511}',
                 convert_to(repeat(md5('x'), 110000), 'UTF8'), '2026-08-19 21:41:36.123456+02'),
                (2, md5('b')::uuid, 'b', 0, 'UnrecognizedFactArrived', 1, '{"s": "line\\nbreak, \\"data\\": here"}', ''::bytea, now()),
                (3, md5('c')::uuid, 'c', 0, 'ClockTicked', 1, '{}', null, now())`,
      );
      const file = join(scratch(), 'chunks.etl.gz');
      const summary = await writeBackup(
        { kind: 'pglite', db: from.db, store: null, close: async () => {} },
        createWriteStream(file),
      );
      expect(summary).toMatchObject({ events: 3, headPosition: 3 });
      const lines = gunzipSync(readFileSync(file)).toString('utf8').split('\n');
      expect(lines.filter((l) => l.startsWith('{"kind":"raw"'))).toHaveLength(4); // 3.52 MB in 1 MiB chunks
      await restoreLog(to, createReadStream(file), { target: 'memory' });
      const rows = (q: typeof from) =>
        q.db.query(`select position, event_id, data::text, md5(raw) as raw, octet_length(raw) as bytes,
          to_char(recorded_at at time zone 'UTC', 'YYYY-MM-DD HH24:MI:SS.US') as t from ledger.events order by 1`);
      const restored = (await rows(to)).rows;
      expect(restored).toEqual((await rows(from)).rows);
      expect(restored.map((r) => [r.bytes, r.t])).toEqual([
        [3_520_000, '2026-08-19 19:41:36.123456'],
        [0, expect.any(String)],
        [null, expect.any(String)],
      ]);
      expect(restored[0]!.data).toBe('{"n": 12345678901234567890123, "x": 0.1000000000000000055511}');
    } finally {
      await from.close();
      await to.close();
    }
  }, 120_000);
});
