import { LedgerError } from '../../errors.ts';
import { IanaZone, ServerId } from '../../events/common.ts';
import { type ServerZoneCorrected, zoneCorrectionIdentity } from '../../events/index.ts';
import { prepareRuntime, projectAllToHead } from '../../runtime/ledgerRuntime.ts';
import { loadProjections } from '../../runtime/registry.ts';
import { openLedger } from '../../store/openStore.ts';
import type { Command } from '../command.ts';
import { cliRuntime } from './cliRuntime.ts';

/** `2026-08-19`, `2026-08-19T21:30`, `2026-08-19 21:30:05` or `2026-08-19-213005` → `2026-08-19-213005`. */
export function localStamp(text: string, end: 'from' | 'to'): string | null {
  const m = /^(\d{4})-(\d{2})-(\d{2})(?:[T -](\d{2}):?(\d{2})(?::?(\d{2}))?)?$/.exec(text.trim());
  if (!m) return null;
  const [, y, mo, d, h, mi, s] = m;
  const day = new Date(Date.UTC(Number(y), Number(mo) - 1, Number(d)));
  if (day.getUTCMonth() !== Number(mo) - 1 || day.getUTCDate() !== Number(d)) return null;
  if (
    (h !== undefined && Number(h) > 23) ||
    (mi !== undefined && Number(mi) > 59) ||
    (s !== undefined && Number(s) > 59)
  )
    return null;
  const time =
    h === undefined ? (end === 'from' ? '000000' : '235959') : `${h}${mi}${s ?? (end === 'from' ? '00' : '59')}`;
  return `${y}-${mo}-${d}-${time}`;
}

export const correctZoneCommand: Command = {
  name: 'correct-zone',
  usage: 'et-ledger correct-zone --server ID --tz ZONE [--from T] [--to T] [--store STORE]',
  summary: "say which zone a game server's clock was in: its stats files are read in it from now on",
  details: `Appends a ServerZoneCorrected fact: the stats files of server ID whose names' local time lies
between --from and --to (the game server's clock; either end open when left out) are read in ZONE.
The facts themselves stay as they arrived. Every projection that reads a stats file's time (rounds,
their R1/R2 pairing, the maps, the correlator's verdicts) reads them again in ZONE, and a file of
that range that arrives later is read in ZONE too; a rebuild or a replay honours the correction,
for it is a fact in the log. A later correction wins where two overlap. Then the projections run to
the head, as after an ingest: verdicts that change supersede the old ones (Discord posts follow).

T is a date (2026-08-19: the whole day) or a local time (2026-08-19T21:30).

Examples:
  et-ledger correct-zone --server eu1 --tz Europe/Ljubljana
  et-ledger correct-zone --server eu1 --tz Europe/Berlin --from 2026-03-01 --to 2026-03-29T02:00`,
  options: { server: { type: 'string' }, tz: { type: 'string' }, from: { type: 'string' }, to: { type: 'string' } },
  async run({ config, values, log, io }) {
    const usage = (message: string) =>
      new LedgerError('USAGE', `${message}\n    example: et-ledger correct-zone --server eu1 --tz Europe/Ljubljana`);
    if (typeof values.server !== 'string') throw usage('--server is required: the server whose zone is corrected');
    if (typeof values.tz !== 'string') throw usage('--tz is required: the zone its clock was in');
    const server = ServerId.safeParse(values.server);
    if (!server.success)
      throw usage(`--server ${JSON.stringify(values.server)}: a server id is letters, digits, dot, dash or underscore`);
    const tz = IanaZone.safeParse(values.tz);
    if (!tz.success)
      throw usage(`--tz ${JSON.stringify(values.tz)}: not an IANA time zone (example: Europe/Ljubljana)`);
    const bound = (flag: 'from' | 'to') => {
      const v = values[flag];
      if (typeof v !== 'string') return null;
      const stamp = localStamp(v, flag);
      if (stamp === null)
        throw usage(`--${flag} ${JSON.stringify(v)}: a date (2026-08-19) or a local time (2026-08-19T21:30)`);
      return stamp;
    };
    const fromLocal = bound('from');
    const toLocal = bound('to');
    if (fromLocal !== null && toLocal !== null && fromLocal > toLocal)
      throw usage(`--from ${fromLocal} is after --to ${toLocal}`);

    const ledger = await openLedger(config.store);
    try {
      const at = new Date().toISOString();
      const event: ServerZoneCorrected & { streamId: string; eventId: string } = {
        ...zoneCorrectionIdentity(server.data, tz.data, fromLocal, toLocal, at),
        type: 'ServerZoneCorrected',
        schemaVersion: 1,
        data: { serverId: server.data, tz: tz.data, fromLocal, toLocal, at },
      };
      await ledger.store.appendFacts([event]);
      const runtime = cliRuntime(ledger, log, await loadProjections());
      await prepareRuntime(runtime);
      await projectAllToHead(runtime);
      const covered = await ledger.db.query<{ n: number }>(
        `select count(*)::int as n from read.rounds where server_id = $1
           and ($2::text is null or left(file_name, 17) >= $2) and ($3::text is null or left(file_name, 17) <= $3)`,
        [server.data, fromLocal, toLocal],
      );
      const range =
        fromLocal === null && toLocal === null
          ? 'all its stats files'
          : `its stats files from ${fromLocal ?? 'the first'} to ${toLocal ?? 'the last'}`;
      io.out(
        `server ${server.data}: ${range} are read in ${tz.data} (${covered.rows[0]?.n ?? 0} rounds); the projections are at the head`,
      );
      return 0;
    } finally {
      await ledger.close();
    }
  },
};
