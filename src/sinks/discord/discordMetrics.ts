// Prometheus metrics of the Discord sink, registered on the service's registry (GET /metrics).
import { Counter, Registry } from 'prom-client';

export type DiscordMetrics = {
  /** Messages handled, by kind and what was done: post, edit, unchanged, adopt, reconciled, skip_old, retire. */
  posts: Counter<'kind' | 'action'>;
  /** Failures by channel and reason (missing_permission, unknown_channel, server_error, …). */
  errors: Counter<'channel' | 'reason'>;
  /** Requests @discordjs/rest held back for a rate limit. */
  rateLimited: Counter<'global'>;
};

export function createDiscordMetrics(registry: Registry = new Registry()): DiscordMetrics {
  const existing = (name: string) => registry.getSingleMetric(name);
  const counter = <L extends string>(name: string, help: string, labelNames: L[]): Counter<L> =>
    (existing(name) as Counter<L> | undefined) ?? new Counter({ name, help, labelNames, registers: [registry] });
  return {
    posts: counter('et_ledger_discord_posts_total', 'Discord messages handled by the sender, by kind and action', [
      'kind',
      'action',
    ]),
    errors: counter('et_ledger_discord_errors_total', 'Discord requests that failed, by channel id and reason', [
      'channel',
      'reason',
    ]),
    rateLimited: counter('et_ledger_discord_rate_limited_total', 'Discord requests delayed by a rate limit', [
      'global',
    ]),
  };
}
