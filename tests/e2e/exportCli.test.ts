// `et-ledger export` as a careful user meets it, through the real executable on PGlite and
// PostgreSQL: values printed exactly (spreadsheet-safe only when asked), rows in time order, an
// empty CSV with its header, exactly the exportable names, --as-of within the log, a reader that
// leaves early (`| head -1`), and many rows streamed in order.
import { spawn } from 'node:child_process';
import { copyFileSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { exportableNames } from '../../src/export/names.ts';
import { activeBuild } from '../../src/runtime/catalog.ts';
import { loadProjections } from '../../src/runtime/registry.ts';
import { openLedger, type StoreSpec } from '../../src/store/openStore.ts';
import { binPath, runCli } from '../support/cli.ts';
import { freshPgliteDir, freshPostgresUrl, postgresAvailable } from '../support/databases.ts';
import { fillerColumns } from '../support/fillerColumns.ts';

const samples = fileURLToPath(new URL('../../samples/', import.meta.url));
const everyone = join(samples, 'stats/2026-08-20-201512-etl_frostbite-round-1.txt');

/**
 * The sample evening's stats and Lua reports, plus the round of `@everyone` again a day later with
 * that player renamed to a clan tag `-=TAG=-`: two names a spreadsheet would take for formulas.
 */
function facts(): string[] {
  const dir = mkdtempSync(join(tmpdir(), 'etl-export-'));
  const tagged = readFileSync(everyone, 'latin1').replace('\\@everyone\\', '\\-=TAG=-\\');
  writeFileSync(join(dir, '2026-08-21-201512-etl_frostbite-round-1.txt'), tagged, 'latin1');
  copyFileSync(everyone, join(dir, '2026-08-20-201512-etl_frostbite-round-1.txt'));
  return [join(samples, 'stats'), join(samples, 'lua-legacy'), dir];
}

const stores = [
  {
    kind: 'PGlite',
    skip: false,
    open: async (): Promise<{ text: string; spec: StoreSpec }> => {
      const dir = freshPgliteDir();
      return { text: `pglite:${dir}`, spec: { kind: 'pglite', dir } };
    },
  },
  {
    kind: 'PostgreSQL',
    skip: !postgresAvailable(),
    open: async (): Promise<{ text: string; spec: StoreSpec }> => {
      const url = await freshPostgresUrl('export');
      return { text: `postgres:${url}`, spec: { kind: 'postgres', url } };
    },
  },
];

function cli(store: string) {
  const env = { ET_LEDGER_STORE: store, ET_LEDGER_TZ: 'Europe/Ljubljana' };
  const run = async (...args: string[]) => {
    const r = await runCli(args, env);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).not.toMatch(/\n\s+at /);
    return r.stdout;
  };
  const ndjson = async (...args: string[]) =>
    (await run('export', ...args))
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l) as Record<string, unknown>);
  return { env, run, ndjson };
}

/** Ascending by `time` (missing last), then by `key`: the order export promises. */
function expectTimeOrder<T>(rows: T[], time: (r: T) => number | null, key: (r: T) => string) {
  const sorted = [...rows].sort(
    (a, b) =>
      (time(a) ?? Number.POSITIVE_INFINITY) - (time(b) ?? Number.POSITIVE_INFINITY) ||
      (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0),
  );
  expect(rows.map(key)).toEqual(sorted.map(key));
}

const pad = (n: unknown) => String(n).padStart(6, '0');

/** `extra` rows more per round in player_weapon_stats of the serving build, straight into its table. */
async function addWeaponRows(spec: StoreSpec, extra: number): Promise<number> {
  const ledger = await openLedger(spec);
  try {
    const schema = (await activeBuild(ledger.db, 'rounds'))!.schemaName;
    // One weapon row each: a player line of one weapon (player_weapon_stats is a view of player_rows).
    const players = await fillerColumns(ledger.db, schema, 'player_rows', {
      round_id: 'r.round_id',
      line: '1000 + g',
      guid8: "'ABCDEF01'",
      weapons: 'array[array[0, g % 100, g % 400, g % 5, g % 4, g % 3]]',
    });
    await ledger.db.exec(
      `insert into "${schema}".player_rows (${players.names})
         select ${players.values} from "${schema}".rounds r cross join generate_series(1, ${extra}) g`,
    );
    return (await ledger.db.query<{ n: number }>(`select count(*)::int as n from "${schema}".player_weapon_stats`))
      .rows[0]!.n;
  } finally {
    await ledger.close();
  }
}

/** Spawns `et-ledger …`, reads its first line, then closes the pipe as `head -1` does. */
function firstLineThenClose(args: string[], env: Record<string, string>) {
  return new Promise<{ code: number | null; signal: string | null; line: string; stderr: string }>((resolve) => {
    const child = spawn(process.execPath, [binPath, ...args], {
      env: { ...process.env, ET_LEDGER_LOG_LEVEL: 'warn', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => {
      out += c.toString();
      if (out.includes('\n')) child.stdout.destroy();
    });
    child.stderr.on('data', (c: Buffer) => {
      stderr += c.toString();
    });
    child.on('close', (code, signal) => resolve({ code, signal, line: out.split('\n')[0]!, stderr }));
  });
}

describe.each(stores)('et-ledger export through the CLI ($kind)', ({ skip, open }) => {
  it.skipIf(skip)(
    'prints values exactly, rows in time order, an empty CSV with its header; refuses what it cannot do',
    async () => {
      const store = await open();
      const c = cli(store.text);
      await c.run('ingest', ...facts());

      // Names as stored; spreadsheet-safe quoting only with --csv-safe.
      const csv = await c.run('export', 'player-stats', '--format', 'csv');
      expect(csv).toMatch(/,@everyone,@everyone,/);
      expect(csv).toMatch(/,-=TAG=-,-=TAG=-,/);
      expect(csv).not.toMatch(/'@everyone|'-=TAG=-/);
      const safe = await c.run('export', 'player-stats', '--format', 'csv', '--csv-safe');
      expect(safe).toMatch(/,'@everyone,'@everyone,/);
      expect(safe).toMatch(/,'-=TAG=-,'-=TAG=-,/);
      expect(safe.replace(/'(@everyone|-=TAG=-)/g, '$1')).toBe(csv);
      const lines = csv.split('\r\n');
      expect(lines.at(-1)).toBe('');

      // Time order, then key: rounds by their file time, players by their round's.
      const rounds = await c.ndjson('rounds');
      expectTimeOrder(
        rounds,
        (r) => r.fileTimeUnix as number | null,
        (r) => String(r.roundId),
      );
      const roundTime = new Map(rounds.map((r) => [r.roundId, r.fileTimeUnix as number | null]));
      const players = await c.ndjson('player-stats');
      expect(players.length).toBe(lines.length - 2);
      expectTimeOrder(
        players,
        (p) => roundTime.get(p.roundId) ?? null,
        (p) => `${p.roundId}/${pad(p.line)}`,
      );
      // The CSV holds the same rows in the same order.
      expect(lines.slice(1, -1).map((l) => l.split(',').slice(0, 2).join(','))).toEqual(
        players.map((p) => `${p.roundId},${p.line}`),
      );
      const verdicts = await c.ndjson('verdicts');
      expectTimeOrder(
        verdicts,
        (v) => (v.fileTimeUnix ?? v.luaRoundEndUnix) as number | null,
        (v) => String(v.roundKey),
      );

      // An empty table: CSV prints its header row, NDJSON nothing.
      const empty = await c.run('export', 'account-links', '--format', 'csv');
      expect(empty).toMatch(/^discordUserId,guid,linkedAt,[a-zA-Z,]*\r\n$/);
      expect(await c.run('export', 'account-links')).toBe('');

      // Exactly the exportable names, for a typo and for --list.
      const names = exportableNames(await loadProjections());
      const typo = await runCli(['export', 'roundz'], c.env);
      expect(typo.code).toBe(2);
      expect(typo.stderr).toContain(`(did you mean rounds?); exportable: ${names.join(', ')} [USAGE]`);
      expect(names).toContain('player-stats');
      expect(names).not.toContain('correlator');
      expect((await c.run('export', '--list')).trim().split('\n')).toEqual(names);

      // --as-of: beyond the head is refused with the head named; at the head it is today's state.
      const beyond = await runCli(['export', 'player-stats', '--as-of', '999999'], c.env);
      expect(beyond.code).toBe(2);
      const head = /beyond the head of the log \(position (\d+)\)/.exec(beyond.stderr);
      expect(head, beyond.stderr).not.toBeNull();
      expect(beyond.stderr).not.toMatch(/\n\s+at /);
      expect(await c.ndjson('player-stats', '--as-of', head![1]!)).toEqual(players);
      const early = await c.ndjson('rounds', '--as-of', '5');
      expect(early.length).toBeLessThan(rounds.length);
      expectTimeOrder(
        early,
        (r) => r.fileTimeUnix as number | null,
        (r) => String(r.roundId),
      );
    },
    600_000,
  );

  it.skipIf(skip)(
    'streams many rows in order, and stops quietly when the reader goes away (| head -1)',
    async () => {
      const store = await open();
      const c = cli(store.text);
      await c.run('ingest', join(samples, 'stats'));
      const total = await addWeaponRows(store.spec, 4000);
      expect(total).toBeGreaterThan(50_000);

      const rows = await c.ndjson('player-weapon-stats');
      expect(rows).toHaveLength(total);
      const roundTime = new Map((await c.ndjson('rounds')).map((r) => [r.roundId, r.fileTimeUnix as number | null]));
      expectTimeOrder(
        rows,
        (w) => roundTime.get(w.roundId) ?? null,
        (w) => `${w.roundId}/${pad(w.line)}/${pad(w.weaponId)}`,
      );

      for (const format of ['ndjson', 'csv']) {
        const r = await firstLineThenClose(['export', 'player-weapon-stats', '--format', format], c.env);
        expect(r.stderr).toBe('');
        expect({ code: r.code, signal: r.signal }).toEqual({ code: 0, signal: null });
        expect(r.line).toMatch(format === 'csv' ? /^roundId,line,/ : /^\{"roundId":/);
      }
    },
    600_000,
  );
});
