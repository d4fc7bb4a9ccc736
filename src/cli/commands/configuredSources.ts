// The sources as the run config describes them, shared by `run` (facts into the log) and
// `collect` (facts into Kafka): the same servers, folders, keys and limits either way.
import { readFile } from 'node:fs/promises';
import type { RunConfig } from '../../config/run.ts';
import { LedgerError } from '../../errors.ts';
import { type CertificateInfo, readTlsPairAtStart, reloadTlsOnSighup, type TlsPair } from '../../ops/tlsFiles.ts';
import { createDirWatcher, type DirWatcher } from '../../sources/dirWatcher.ts';
import type { SourceDeps } from '../../sources/factSink.ts';
import type { CursorStore } from '../../sources/fileCursor.ts';
import { createReportReceiver, type HealthReport, type ReportReceiver } from '../../sources/reportReceiver.ts';
import type { SftpPoller } from '../../sources/sftpPoller.ts';

/**
 * The HTTP receiver as the run config describes it (servers, secrets, tokens, limits, TLS): shared by
 * run and collect. With TLS, start() reads the certificate and key (unless `tls` was read already:
 * `run` reads them before anything starts) and re-reads them on every SIGHUP until stop().
 */
export function createConfiguredReceiver(
  rc: RunConfig,
  deps: SourceDeps,
  health: () => Promise<HealthReport>,
  tls?: TlsPair & { info: CertificateInfo },
): ReportReceiver {
  const options = {
    ...deps,
    servers: rc.servers.map((s) => ({
      id: s.id,
      tz: s.tz,
      ...(s.reportSecret ? { reportSecret: s.reportSecret } : {}),
      ...(s.legacyToken ? { legacyToken: s.legacyToken } : {}),
    })),
    host: rc.http.host,
    port: rc.http.port,
    maxFileBytes: rc.maxFileBytes,
    headersTimeoutMs: rc.http.headersTimeoutMs,
    requestTimeoutMs: rc.http.requestTimeoutMs,
    ...(rc.http.metricsToken ? { metricsToken: rc.http.metricsToken } : {}),
    health,
  };
  const tlsConfig = rc.http.tls;
  if (!tlsConfig) return createReportReceiver(options);
  let inner: ReportReceiver | null = null;
  let stopReloading = () => {};
  const started = () => {
    if (!inner) throw new Error('the HTTP receiver has not started');
    return inner;
  };
  const showExpiry = (info: CertificateInfo) => {
    deps.metrics.tlsCertificateExpiry.reset();
    deps.metrics.tlsCertificateExpiry.set({ subject: info.subject }, info.notAfterUnix);
  };
  return {
    get server() {
      return started().server;
    },
    setTls: (pair) => started().setTls(pair),
    async start() {
      const { info, ...pair } = tls ?? (await readTlsPairAtStart(tlsConfig));
      const receiver = createReportReceiver({ ...options, tls: pair });
      inner = receiver;
      const address = await receiver.start();
      showExpiry(info);
      deps.log.info({ certificate: info, cert: tlsConfig.certPath }, 'serving HTTPS with this certificate');
      stopReloading = reloadTlsOnSighup(
        tlsConfig,
        (next, nextInfo) => {
          receiver.setTls(next);
          showExpiry(nextInfo);
        },
        deps.log,
      );
      return address;
    },
    async stop() {
      stopReloading();
      await inner?.stop();
    },
  };
}

/** One folder watcher per server that has watched folders. */
export function createConfiguredWatchers(rc: RunConfig, deps: SourceDeps, cursors: CursorStore): DirWatcher[] {
  return rc.servers
    .filter((s) => s.watchDirs.length > 0)
    .map((s) =>
      createDirWatcher({
        ...deps,
        serverId: s.id,
        tz: s.tz,
        dirs: s.watchDirs,
        cursors,
        maxFileBytes: rc.maxFileBytes,
        stableMs: rc.watch.stableMs,
        scanIntervalMs: rc.watch.scanMs,
      }),
    );
}

/**
 * One SFTP poller per server with an `sftp` block, by server id; `keys` from readPrivateKeys. The
 * SSH client (ssh2, ≈ 20 MB resident) is loaded only when a server has one.
 */
export async function createConfiguredPollers(
  rc: RunConfig,
  deps: SourceDeps,
  cursors: CursorStore,
  keys: Map<string, Buffer>,
): Promise<Map<string, SftpPoller>> {
  const pollers = new Map<string, SftpPoller>();
  if (!rc.servers.some((s) => s.sftp)) return pollers;
  const { createSftpPoller } = await import('../../sources/sftpPoller.ts');
  for (const s of rc.servers) {
    if (!s.sftp) continue;
    pollers.set(
      s.id,
      createSftpPoller({
        ...deps,
        serverId: s.id,
        tz: s.tz,
        host: s.sftp.host,
        port: s.sftp.port,
        username: s.sftp.user,
        privateKey: keys.get(s.id)!,
        knownHostKey: s.sftp.knownHostKey,
        folders: s.sftp.folders,
        cursors,
        maxFileBytes: rc.maxFileBytes,
        pollMs: s.sftp.pollSec * 1000,
      }),
    );
  }
  return pollers;
}

/** Every server's SSH private key, read before anything starts: a missing key is a configuration error. */
export async function readPrivateKeys(rc: RunConfig): Promise<Map<string, Buffer>> {
  const keys = new Map<string, Buffer>();
  for (const [i, s] of rc.servers.entries()) {
    if (!s.sftp) continue;
    try {
      keys.set(s.id, await readFile(s.sftp.privateKeyPath));
    } catch (e) {
      throw new LedgerError(
        'CONFIG_INVALID',
        `servers[${i}].sftp.privateKeyPath = ${JSON.stringify(s.sftp.privateKeyPath)}: cannot read the key (${(e as Error).message})\n    example: "privateKeyPath": "/etc/et-ledger/id_ed25519" (readable by this user)`,
        { cause: e },
      );
    }
  }
  return keys;
}
