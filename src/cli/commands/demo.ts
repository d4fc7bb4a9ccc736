import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { resolveStore } from '../../config/store.ts';
import { DEFAULT_WEB_PORT, loadWebConfig } from '../../config/web.ts';
import { clockTickIdentity } from '../../events/ids.ts';
import { projectAllToHead } from '../../runtime/ledgerRuntime.ts';
import { loadProjections } from '../../runtime/registry.ts';
import { mapLabel, plainText } from '../../sinks/discord/inertText.ts';
import { clock } from '../../sinks/discord/renderFormat.ts';
import type { OutboxRecord } from '../../sinks/discord/renderPost.ts';
import { renderText } from '../../sinks/discord/renderText.ts';
import { type MapExportRow, type MapRecord, mapColumns, mapExportRows, toStoredMap } from '../../stopwatch/mapRows.ts';
import { openLedger } from '../../store/openStore.ts';
import type { SqlDatabase, SqlExecutor } from '../../store/sqlDatabase.ts';
import type { Command, CommandContext } from '../command.ts';
import { ingestPaths } from './ingest.ts';
import { waitForStopSignal } from './run.ts';

const samplesDir = new URL('../../../samples/', import.meta.url);
const zone = 'Europe/Ljubljana';
const serverId = 'demo';
/**
 * The tick lands this long after the last fact: past the correlator's grace (120 s) for every round
 * and past the session gap (45 min), so the last session's summary is decided too.
 */
const tickAfterSec = 46 * 60;

const localTime = (unix: number) =>
  new Intl.DateTimeFormat('sv-SE', { timeZone: zone, dateStyle: 'short', timeStyle: 'medium' }).format(unix * 1000);

const channelLabel = { rounds: '#rounds (production)', timing: '#timing (dev channel)' } as const;

async function lastFactUnix(db: SqlExecutor): Promise<number> {
  const r = await db.query<{ t: number | null }>(
    `select max(t)::bigint as t from (
       select max(file_time_unix) as t from read.rounds
       union all select max(round_end_unix) from read.lua_round_teams) x`,
  );
  return Number(r.rows[0]?.t ?? Math.floor(Date.now() / 1000));
}

async function postsText(
  db: SqlExecutor,
  chartsDir: string | null,
): Promise<{ text: string[]; counts: Record<string, number> }> {
  // The renderer and its chart canvas loaded here: every command's module is loaded for any command.
  const { outboxColumns, renderPost, rowLabel, toOutboxRow } = await import('../../sinks/discord/renderPost.ts');
  const rows = await db.query<OutboxRecord>(
    `select ${outboxColumns} from read.discord_outbox o order by o.round_time_unix nulls last, o.target_key, o.kind`,
  );
  const text: string[] = [];
  const counts: Record<string, number> = { rounds: 0, timing: 0, sessions: 0 };
  for (const record of rows.rows) {
    const row = toOutboxRow(record);
    const message = await renderPost(db, row);
    if (message === null) continue;
    const counted = row.kind === 'session-summary' ? 'sessions' : row.channel;
    counts[counted] = (counts[counted] ?? 0) + 1;
    if (chartsDir)
      for (const f of message.files ?? [])
        await writeFile(join(chartsDir, `${row.targetKey.replace(/[^A-Za-z0-9_.-]/g, '_')}-${f.name}`), f.data);
    const when = row.roundTimeUnix === null ? '' : ` · ${localTime(row.roundTimeUnix)}`;
    text.push(`── ${channelLabel[row.channel]} · ${rowLabel(row)}${when} ${'─'.repeat(8)}`, renderText(message), '');
  }
  return { text, counts };
}

type VerdictRow = {
  map: string;
  round: number;
  status: string;
  stats_playtime_sec: number | null;
  lua_playtime_sec: number | null;
  fighting_time_sec: number | null;
  diff_sec: number | null;
  surrender: boolean;
  surrender_team: number | null;
  outcome: string | null;
  flags: string[];
  t: number | null;
};

async function verdictsTable(db: SqlExecutor): Promise<string[]> {
  const r = await db.query<VerdictRow>(
    `select map, round, status, stats_playtime_sec, lua_playtime_sec, fighting_time_sec, diff_sec, surrender,
            surrender_team, outcome, flags, coalesce(file_time_unix, lua_round_end_unix) as t
     from read.verdicts order by t nulls last, round_key`,
  );
  const head = ['time', 'map', 'R', 'status', 'stats', 'lua', 'fighting', 'diff', 'surrender', 'outcome', 'flags'];
  const rows = r.rows.map((v) => [
    v.t === null ? '' : localTime(Number(v.t)).slice(5, 16),
    mapLabel(v.map),
    String(v.round),
    v.status,
    clock(v.stats_playtime_sec),
    clock(v.lua_playtime_sec),
    v.fighting_time_sec === null ? '–' : `${clock(v.fighting_time_sec)} (${Math.round(v.fighting_time_sec)} s)`,
    v.diff_sec === null ? '–' : `${Math.round(v.diff_sec)} s`,
    v.surrender ? `surrender, team ${v.surrender_team ?? '?'}` : '–',
    v.outcome ?? '–',
    v.flags.join(' '),
  ]);
  const widths = head.map((h, i) => rows.reduce((m, row) => Math.max(m, row[i]!.length), h.length));
  const line = (cells: string[]) =>
    cells
      .map((c, i) => c.padEnd(widths[i]!))
      .join('  ')
      .trimEnd();
  return [line(head), line(widths.map((w) => '─'.repeat(w))), ...rows.map(line)];
}

export const demoCommand: Command = {
  name: 'demo',
  usage: 'et-ledger demo [--charts DIR] [--web] [--port N]',
  summary: 'ingest the bundled sample evening into a temporary store and show its Discord posts and verdicts',
  details: `Start here. The demo copies nothing and touches no store of yours: it ingests samples/stats and
samples/lua-legacy (server zone ${zone}, server id "${serverId}") into an embedded PGlite store in a
temporary folder, appends one clock tick ${tickAfterSec / 60} minutes after the last fact so that every
round is decided, runs the projections and the correlator, prints every Discord message the sink
would post (embeds as text) and the verdicts table, then deletes the folder.

In live operation (et-ledger run) rounds older than ET_LEDGER_POST_MAX_AGE (6 h) are not posted;
the demo shows them all. Logs go to stderr (warn and above).

Options:
  --charts DIR   also write the session summaries' chart images (PNG) into DIR
  --web          then serve the web pages of the sample evening (http://127.0.0.1:8790/, or --port)
                 until Ctrl-C; the folder is deleted when it stops`,
  options: { charts: { type: 'string' }, web: { type: 'boolean' }, port: { type: 'string' } },
  defaultLogLevel: 'warn',
  async run(ctx) {
    const dir = await mkdtemp(join(tmpdir(), 'et-ledger-demo-'));
    try {
      const store = resolveStore(`embedded:${dir}`, undefined); // the default store's kind, in a fresh folder
      const config = { ...ctx.config, store, storeText: `${store.kind}:${dir}`, tz: zone, tzGiven: true, serverId };
      const paths = [fileURLToPath(new URL('stats/', samplesDir)), fileURLToPath(new URL('lua-legacy/', samplesDir))];
      ctx.io.out(`et-ledger demo: the bundled sample evening (samples/stats, samples/lua-legacy), zone ${zone}\n`);
      const s = await ingestPaths({ ...ctx, config }, paths);
      ctx.io.out(
        `Ingested ${s.files} files: ${s.appended} facts appended, ${s.duplicate} duplicate (a second delivery of one report), ${s.quarantined} quarantined:`,
      );
      for (const q of s.quarantinedFiles) ctx.io.out(`  ${q.file.slice(q.file.lastIndexOf('samples/'))}: ${q.reason}`);
      const ledger = await openLedger(store);
      try {
        const tickAt = (await lastFactUnix(ledger.db)) + tickAfterSec;
        await ledger.store.appendFacts([
          {
            ...clockTickIdentity(serverId, tickAt),
            type: 'ClockTicked',
            schemaVersion: 2,
            data: { serverId, atUnix: tickAt },
          },
        ]);
        await projectAllToHead({
          db: ledger.db,
          store: ledger.store,
          log: ctx.log,
          projections: await loadProjections(),
        });
        ctx.io.out(
          `Clock tick at ${localTime(tickAt)} (${tickAfterSec / 60} min after the last fact): every round and session is decided.\n`,
        );
        const chartsDir = typeof ctx.values.charts === 'string' ? ctx.values.charts : null;
        if (chartsDir) await mkdir(chartsDir, { recursive: true });
        const posts = await postsText(ledger.db, chartsDir);
        ctx.io.out(
          `What the Discord sink would post: ${posts.counts.rounds} round summaries and ${posts.counts.sessions} session summaries to ${channelLabel.rounds}, ${posts.counts.timing} timing checks to ${channelLabel.timing}\n`,
        );
        for (const line of posts.text) ctx.io.out(line);
        ctx.io.out('Stopwatch maps and the evening score by logical team (et-ledger export maps):\n');
        for (const line of await mapsTable(ledger.db, Number(ctx.config.sessionGapMin))) ctx.io.out(`  ${line}`);
        ctx.io.out('\nVerdicts (et-ledger export verdicts):\n');
        for (const line of await verdictsTable(ledger.db)) ctx.io.out(`  ${line}`);
        ctx.io.out(
          '\nNext: et-ledger ingest --tz <zone> <your stats and Lua folders>, then et-ledger export verdicts; docs/discord.md for the bot.',
        );
        if (ctx.values.web === true) await serveDemoPages(ctx, ledger.db);
      } finally {
        await ledger.close();
      }
      return 0;
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  },
};

/** The sample evening's web pages until a signal (the store is deleted afterwards). */
async function serveDemoPages(ctx: CommandContext, db: SqlDatabase): Promise<void> {
  const web = loadWebConfig(process.env, { port: typeof ctx.values.port === 'string' ? ctx.values.port : undefined });
  const stopSignal = waitForStopSignal(ctx.log);
  try {
    // Loaded when asked for: every other command starts without the web server's modules.
    const { startWebServer } = await import('../../web/webServer.ts');
    const server = await startWebServer(
      { db, log: ctx.log, sessionGapMin: Number(ctx.config.sessionGapMin) },
      { host: web.host, port: web.port ?? DEFAULT_WEB_PORT },
    );
    ctx.io.out(`\nThe sample evening's pages: ${server.url}/ (Ctrl-C stops and deletes the demo store)`);
    await stopSignal.promise;
    await server.stop();
  } finally {
    stopSignal.dispose();
  }
}

/** Each map's time set, result and winner by logical team, then each evening's score. */
async function mapsTable(db: SqlExecutor, gapMin: number): Promise<string[]> {
  const r = await db.query<MapRecord>(`select ${mapColumns} from read.maps`);
  const rows = mapExportRows(r.rows.map(toStoredMap), gapMin);
  const lines: string[] = [];
  let evening: string | null = null;
  let score: [number, number] = [0, 0];
  const flush = (last: MapExportRow | undefined) => {
    if (last)
      lines.push(`  score: ${plainText(last.teamA, 40)} ${score[0]} – ${score[1]} ${plainText(last.teamB, 40)}`, '');
  };
  let previous: MapExportRow | undefined;
  for (const m of rows) {
    if (m.sessionStartUtc !== evening) {
      flush(previous);
      evening = m.sessionStartUtc;
      score = [0, 0];
      lines.push(
        `evening of ${m.sessionStartUtc === null ? 'unknown time' : localTime(Date.parse(m.sessionStartUtc) / 1000)}:`,
      );
    }
    score = [score[0] + m.teamAPoints, score[1] + m.teamBPoints];
    const result =
      m.result === 'unknown'
        ? `unknown (${m.flags.join(', ')})`
        : m.result === 'draw'
          ? 'draw'
          : `${m.result} → ${plainText(m.winnerTeam ?? '', 40)}`;
    lines.push(
      `${mapLabel(m.map).padEnd(16)} set ${clock(m.timeSetSec).padStart(5)}  R2 ${clock(m.r2TimeSec).padStart(5)}  ${result}`,
    );
    previous = m;
  }
  flush(previous);
  return lines;
}
