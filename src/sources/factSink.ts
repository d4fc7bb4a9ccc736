// What every source does with bytes it received: identify them (identifyFact), hand the events to
// the sink, count and log the outcome. The sink is a function, not the store, so the collector
// mode can publish to Kafka with the same sources.
import type { FactSource } from '../events/common.ts';
import { classifyFailure, errorLine } from '../failureKind.ts';
import type { Logger } from '../logger.ts';
import type { LedgerMetrics } from '../metrics.ts';
import type { AppendOutcome, NewEvent } from '../store/eventStore.ts';
import { type Arrival, type IdentifiedFact, identifyFact, quarantineArrival } from './identifyFact.ts';

/** Appends facts idempotently (by event id); `EventStore.appendFacts` is one. */
export type AppendFacts = (events: NewEvent[]) => Promise<AppendOutcome[]>;

export type SourceDeps = { append: AppendFacts; log: Logger; metrics: LedgerMetrics };

export type Delivered = {
  fact: IdentifiedFact;
  outcomes: AppendOutcome[];
  /** `duplicate` when every event of the fact was already in the log. */
  status: 'appended' | 'duplicate';
};

/**
 * Identifies and appends one arrival. A permanent refusal of the log (classifyFailure: the fact
 * itself is the problem, every retry would fail) keeps the bytes in quarantine with the reason, so
 * the arrival never blocks what comes after it; a transient one rejects, and the source retries.
 */
export async function deliverArrival(deps: SourceDeps, arrival: Arrival): Promise<Delivered> {
  let fact = identifyFact(arrival);
  let outcomes: AppendOutcome[];
  try {
    outcomes = await deps.append(fact.events);
  } catch (e) {
    if (classifyFailure(e) === 'transient' || fact.kind === 'unrecognized') throw e;
    fact = quarantineArrival(arrival, `store_refused: ${errorLine(e)}`);
    outcomes = await deps.append(fact.events);
  }
  const status = outcomes.some((o) => o.status === 'appended') ? 'appended' : 'duplicate';
  countAppended(deps.metrics, arrival.source.kind, arrival.serverId, fact.events, outcomes);
  const fields = {
    source: arrival.source.kind,
    server: arrival.serverId,
    ref: arrival.source.ref,
    kind: fact.kind,
    status,
    events: fact.events.length,
    position: outcomes[0]?.position,
  };
  if (fact.kind === 'unrecognized') deps.log.warn({ ...fields, reason: fact.reason }, 'fact quarantined');
  else deps.log.info(fields, status === 'appended' ? 'fact appended' : 'fact already in the log');
  return { fact, outcomes, status };
}

function countAppended(
  metrics: LedgerMetrics,
  source: FactSource['kind'],
  server: string,
  events: NewEvent[],
  outcomes: AppendOutcome[],
): void {
  const typeOf = new Map(events.map((e) => [e.eventId, e.type]));
  for (const o of outcomes)
    metrics.factsAppended.inc({ source, server, type: typeOf.get(o.eventId) ?? 'unknown', outcome: o.status });
}

/**
 * Appends many identified arrivals in one batch (ingest). When the log refuses the batch for good,
 * each arrival is appended alone, and the one it refuses is kept in quarantine with the reason: one
 * bad fact never fails the files around it. Returns each arrival's fact as appended, with outcomes.
 */
export async function appendArrivals(
  append: AppendFacts,
  items: { arrival: Arrival; fact: IdentifiedFact }[],
): Promise<{ fact: IdentifiedFact; outcomes: AppendOutcome[] }[]> {
  try {
    const outcomes = await append(items.flatMap((i) => i.fact.events));
    let at = 0;
    return items.map(({ fact }) => {
      const mine = outcomes.slice(at, at + fact.events.length);
      at += fact.events.length;
      return { fact, outcomes: mine };
    });
  } catch (e) {
    if (classifyFailure(e) === 'transient' || items.length === 0) throw e;
  }
  const out: { fact: IdentifiedFact; outcomes: AppendOutcome[] }[] = [];
  for (const { arrival, fact } of items) {
    try {
      out.push({ fact, outcomes: await append(fact.events) });
    } catch (e) {
      if (classifyFailure(e) === 'transient' || fact.kind === 'unrecognized') throw e;
      const kept = quarantineArrival(arrival, `store_refused: ${errorLine(e)}`);
      out.push({ fact: kept, outcomes: await append(kept.events) });
    }
  }
  return out;
}
