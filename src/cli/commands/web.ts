import { DEFAULT_WEB_PORT, loadWebConfig, webEnvVariables } from '../../config/web.ts';
import { LedgerError } from '../../errors.ts';
import { folderStoreExists, openSqlDatabase, type StoreSpec } from '../../store/openStore.ts';
import { openPostgresDatabase } from '../../store/postgresDatabase.ts';
import type { SqlDatabase } from '../../store/sqlDatabase.ts';
import type { Command } from '../command.ts';
import { describeStore } from '../describeStore.ts';
import { waitForStopSignal } from './run.ts';

export const webCommand: Command = {
  name: 'web',
  usage: 'et-ledger web [--port N] [--host H] [--store STORE]',
  summary: 'serve the live evening page and the history pages (read models only) until SIGTERM',
  details: `Serves, on ${`127.0.0.1:${DEFAULT_WEB_PORT}`} unless told otherwise:
  /                    Tonight: each server's current evening (sessions by the gap rule), live
                       (Server-Sent Events, updated within about a second of a projection committing)
  /sessions            every session, newest first; /sessions/SERVER/START one session
  /rounds/ROUND_ID     both teams, weapons, the timing check and its verdict history
  /players/GUID8       totals over a period, per-map record, DPM per evening
  /leaderboard         ?metric=dpm|kills|kd|accuracy|revives&period=30d|all|2026-08-01

It only reads read.* and never writes: on PostgreSQL give it a role that may only select on read.*
(README, "Web pages"); it never runs projections, so run it beside \`et-ledger run\`. A PGlite store
is one process: there set ET_LEDGER_WEB_PORT and \`run\` serves the same pages itself.

Environment:
${Object.entries(webEnvVariables)
  .map(([k, v]) => `  ${k.padEnd(22)} ${v.help}\n  ${''.padEnd(22)} example: ${v.example}`)
  .join('\n')}

Examples:
  et-ledger web --store postgres:postgres://et_ledger_web@127.0.0.1/etl
  et-ledger demo --web          (the sample evening in an embedded store, on http://127.0.0.1:${DEFAULT_WEB_PORT})`,
  options: { port: { type: 'string' }, host: { type: 'string' } },
  defaultLogLevel: 'info',
  async run({ config, values, log, io }) {
    const web = loadWebConfig(process.env, {
      port: typeof values.port === 'string' ? values.port : undefined,
      host: typeof values.host === 'string' ? values.host : undefined,
    });
    const stopSignal = waitForStopSignal(log);
    const db = await openReadModels(config.store);
    try {
      // Loaded when asked for: every other command starts without the web server's modules.
      const { startWebServer } = await import('../../web/webServer.ts');
      const server = await startWebServer(
        { db, log, sessionGapMin: config.sessionGapMin },
        { host: web.host, port: web.port ?? DEFAULT_WEB_PORT },
      ).catch((e: unknown) => {
        throw new LedgerError(
          'CONFIG_INVALID',
          `the web pages cannot listen on ${web.host}:${web.port ?? DEFAULT_WEB_PORT}: ${(e as Error).message}\n    example: et-ledger web --port 8791`,
          { cause: e },
        );
      });
      io.out(`et-ledger web: ${server.url}/ (read models of ${describeStore(config.store)}); Ctrl-C stops`);
      log.info({ url: server.url }, 'web pages are up');
      await stopSignal.promise;
      await server.stop();
      return 0;
    } finally {
      stopSignal.dispose();
      await db.close();
    }
  },
};

/**
 * The read models' database alone: no log schema is created or migrated (a select-only role could
 * not), and a PGlite folder that holds no store is an error, not a new store.
 */
export async function openReadModels(spec: StoreSpec): Promise<SqlDatabase> {
  if (spec.kind === 'pglite' || spec.kind === 'embedded') {
    if (!folderStoreExists(spec))
      throw new LedgerError(
        'STORE_MISSING',
        `there is no et-ledger store in ${spec.dir ?? '(memory)'}: ingest into it first, or name another with --store\n    example: et-ledger web --store embedded:./.et-ledger`,
      );
    return openSqlDatabase(spec, { create: false });
  }
  // Not openExistingLedger: a select-only role may not even look at ledger.events.
  return openPostgresDatabase(spec.kind === 'postgres' ? spec.url : spec.readModelsUrl);
}
