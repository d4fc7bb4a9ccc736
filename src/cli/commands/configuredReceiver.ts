import type { RunConfig } from '../../runConfig.ts';
import type { SourceDeps } from '../../sources/factSink.ts';
import { createReportReceiver, type HealthReport, type ReportReceiver } from '../../sources/reportReceiver.ts';

/** The HTTP receiver as the run config describes it (servers, secrets, tokens, limits): shared by run and collect. */
export function createConfiguredReceiver(
  rc: RunConfig,
  deps: SourceDeps,
  health: () => Promise<HealthReport>,
): ReportReceiver {
  return createReportReceiver({
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
    health,
  });
}
