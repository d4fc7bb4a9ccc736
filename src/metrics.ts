// Prometheus metrics of `et-ledger run` (GET /metrics): one registry per service instance, never
// prom-client's global one, so tests and benches can run several side by side.
import { Counter, collectDefaultMetrics, Gauge, Registry } from 'prom-client';

export type FactOutcome = 'appended' | 'duplicate';

export type LedgerMetrics = {
  registry: Registry;
  /** Facts handed to the log, by source (`dir`, `sftp`, `http`, `tick`), server, event type and outcome. */
  factsAppended: Counter<'source' | 'server' | 'type' | 'outcome'>;
  /** Requests the HTTP receiver refused, by reason (`bad_signature`, `stale`, `too_large`, …). */
  rejections: Counter<'reason'>;
  relayIgnored: Counter<'reason'>;
  /** Source failures (connection lost, host key refused, store unavailable), by source, server and reason. */
  sourceErrors: Counter<'source' | 'server' | 'reason'>;
  /** Entries of a watched folder a source did not read, by reason (`symlink`, `not_a_file`): counted once per appearance. */
  sourceSkipped: Counter<'source' | 'server' | 'reason'>;
  projectionLag: Gauge<'projection'>;
  /** Events each active build skipped as poison (invariant 10): alert when it is above 0. */
  deadLetters: Gauge<'projection'>;
  /** Standing verdicts (read.verdicts) by server and status, read when /metrics is scraped. */
  verdicts: Gauge<'server' | 'status'>;
  /** Rounds decided (or decided again) while this process ran, by server and status (src/ops/decisionLog.ts). */
  verdictsDecided: Counter<'server' | 'status'>;
  /** Seconds since each configured game server's last fact (ticks excluded), read when scraped. */
  lastFactAge: Gauge<'server'>;
  /** When the receiver's TLS certificate expires (Unix seconds), by its subject; absent without TLS. */
  tlsCertificateExpiry: Gauge<'subject'>;
};

export type MetricsOptions = {
  /** Events each projection's active build is behind the head, read when /metrics is scraped. */
  projectionLag?: () => Promise<Record<string, number>>;
  /** Dead letters (skipped poison events) per projection, read when /metrics is scraped. */
  deadLetters?: () => Promise<Record<string, number>>;
  /** Standing verdicts per server and status (read.verdicts), read when /metrics is scraped. */
  verdicts?: () => Promise<{ server: string; status: string; count: number }[]>;
  /** Seconds since the last fact per server, read when /metrics is scraped. */
  lastFactAges?: () => Record<string, number>;
  /** Also prom-client's process and Node metrics (CPU, memory, event loop lag, GC, handles): the service's. */
  processMetrics?: boolean;
};

export function createMetrics(opts: MetricsOptions = {}): LedgerMetrics {
  const registry = new Registry();
  const lagSource = opts.projectionLag;
  if (opts.processMetrics) collectDefaultMetrics({ register: registry });
  return {
    registry,
    factsAppended: new Counter({
      name: 'et_ledger_facts_appended_total',
      help: 'Facts a source handed to the log; outcome=duplicate when the log already held the event',
      labelNames: ['source', 'server', 'type', 'outcome'],
      registers: [registry],
    }),
    rejections: new Counter({
      name: 'et_ledger_http_rejections_total',
      help: 'Requests the HTTP receiver refused without appending anything (422 is counted too: it appends a quarantined fact)',
      labelNames: ['reason'],
      registers: [registry],
    }),
    relayIgnored: new Counter({
      name: 'et_ledger_discord_relay_ignored_total',
      help: 'Messages in a relay channel the Discord relay did not take (not from a whitelisted webhook, not a STATS_READY report, empty)',
      labelNames: ['reason'],
      registers: [registry],
    }),
    sourceErrors: new Counter({
      name: 'et_ledger_source_errors_total',
      help: 'Failures of a source (it retries): connection lost, host key refused, transfer or append failed',
      labelNames: ['source', 'server', 'reason'],
      registers: [registry],
    }),
    sourceSkipped: new Counter({
      name: 'et_ledger_source_skipped_total',
      help: 'Entries of a watched folder a source did not read: symbolic links (never followed) and FIFOs, devices, sockets',
      labelNames: ['source', 'server', 'reason'],
      registers: [registry],
    }),
    projectionLag: new Gauge({
      name: 'et_ledger_projection_lag_events',
      help: "Events between the log's head and the checkpoint of each projection's active build",
      labelNames: ['projection'],
      registers: [registry],
      async collect() {
        if (!lagSource) return;
        this.reset();
        // A store that cannot answer leaves the gauge empty rather than failing the whole scrape.
        const lags = await lagSource().catch(() => ({}));
        for (const [projection, lag] of Object.entries(lags)) this.set({ projection }, lag);
      },
    }),
    deadLetters: new Gauge({
      name: 'et_ledger_dead_letters',
      help: 'Events a projection skipped after they failed it the same way every time (see et-ledger status)',
      labelNames: ['projection'],
      registers: [registry],
      async collect() {
        const source = opts.deadLetters;
        if (!source) return;
        this.reset();
        const counts = await source().catch(() => ({}));
        for (const [projection, n] of Object.entries(counts)) this.set({ projection }, n);
      },
    }),
    verdicts: new Gauge({
      name: 'et_ledger_verdicts',
      help: "Rounds by their standing verdict's status (read.verdicts): ALIGNED, MINOR_DIFF, DISCREPANCY, NO_LUA_DATA, LUA_ONLY, NO_STATS_TIME",
      labelNames: ['server', 'status'],
      registers: [registry],
      async collect() {
        const source = opts.verdicts;
        if (!source) return;
        this.reset();
        const rows = await source().catch(() => []);
        for (const r of rows) this.set({ server: r.server, status: r.status }, r.count);
      },
    }),
    verdictsDecided: new Counter({
      name: 'et_ledger_verdicts_decided_total',
      help: 'Verdicts the correlator appended while this process ran (a round decided, or decided again), by server and status',
      labelNames: ['server', 'status'],
      registers: [registry],
    }),
    lastFactAge: new Gauge({
      name: 'et_ledger_last_fact_age_seconds',
      help: "Seconds since the last fact of each configured game server (clock ticks excluded; since this process started when it has none): a silent game server's age grows",
      labelNames: ['server'],
      registers: [registry],
      collect() {
        const source = opts.lastFactAges;
        if (!source) return;
        this.reset();
        for (const [server, age] of Object.entries(source())) this.set({ server }, age);
      },
    }),
    tlsCertificateExpiry: new Gauge({
      name: 'et_ledger_tls_certificate_expiry_timestamp_seconds',
      help: "When the HTTP receiver's TLS certificate stops being valid (Unix seconds); it follows a SIGHUP reload",
      labelNames: ['subject'],
      registers: [registry],
    }),
  };
}
