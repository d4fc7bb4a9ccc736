// Supersession (spec/correlation.md "When to decide"): a verdict is appended when its content
// changed, and names every verdict it replaces. Its id hashes the content and `supersedes`, so a
// re-run appends the same ids (the log stores them once) while A → B → A gets a third id.
import { type RoundTimingReconciled, sha256Hex, type Verdict, verdictIdentity } from '../events/index.ts';
import { canonicalJson, compareStrings } from './canonicalJson.ts';
import type { CorrelatorConfig } from './types.ts';

export type PreviousVerdict = { eventId: string; verdict: Verdict };

export type PlannedVerdict = { streamId: string; eventId: string; event: RoundTimingReconciled };

export type AppendPlan = {
  /** Sorted by round key. */
  appends: PlannedVerdict[];
  /** Round keys whose previous verdict no longer stands and gets no verdict of its own key. */
  withdrawn: string[];
};

/** What a verdict decided, without when (watermark) and without its history (supersedes). */
export function verdictContent(v: Verdict): string {
  const { watermarkUnix: _w, supersedes: _s, ...content } = v;
  return canonicalJson(content);
}

const sharesAFact = (a: Verdict, b: Verdict): boolean =>
  (a.luaFactId !== null && a.luaFactId === b.luaFactId) || (a.statsFactId !== null && a.statsFactId === b.statsFactId);

/**
 * `previous` must hold the current verdict of every round key the desired set was computed for
 * (the keys of the loaded facts: stats factIds and `lua:<report id>`), and only those: a key in
 * `previous` without a desired verdict is withdrawn.
 */
export function planAppends(
  desired: readonly Verdict[],
  previous: ReadonlyMap<string, PreviousVerdict>,
  config: Pick<CorrelatorConfig, 'correlatorVersion'>,
): AppendPlan {
  const desiredKeys = new Set(desired.map((v) => v.roundKey));
  const withdrawn = [...previous.keys()].filter((k) => !desiredKeys.has(k)).sort(compareStrings);
  const appends: PlannedVerdict[] = [];
  for (const want of [...desired].sort((a, b) => compareStrings(a.roundKey, b.roundKey))) {
    const verdict: Verdict = { ...want, correlatorVersion: config.correlatorVersion };
    const own = previous.get(verdict.roundKey);
    // A withdrawn verdict is replaced by the one now holding its fact (a LUA_ONLY report now
    // joined, a joined verdict whose report moved to a better stats round).
    const replaced = withdrawn
      .map((k) => previous.get(k)!)
      .filter((p) => sharesAFact(p.verdict, verdict))
      .map((p) => p.eventId)
      .sort(compareStrings);
    const content = verdictContent(verdict);
    if (own !== undefined && replaced.length === 0 && verdictContent(own.verdict) === content) continue;
    const supersedes = own === undefined ? replaced : [own.eventId, ...replaced];
    const { streamId, eventId } = verdictIdentity(verdict.roundKey, sha256Hex(`${content}\n${supersedes.join(',')}`));
    appends.push({
      streamId,
      eventId,
      event: { type: 'RoundTimingReconciled', schemaVersion: 1, data: { ...verdict, supersedes } },
    });
  }
  return { appends, withdrawn };
}
