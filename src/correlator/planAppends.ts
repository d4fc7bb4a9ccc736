// Supersession and retraction (spec/correlation.md "When to decide", "Retractions"): a verdict is
// appended when its content changed, and names every verdict it replaces; a verdict that stops
// being true with nothing to replace it is retracted. Ids hash the content, `supersedes` and the
// generation, so a re-run of the same build appends the same ids (the log stores them once) while
// A → B → A gets a third id.
import {
  type RoundTimingReconciled,
  type RoundVerdictRetracted,
  retractionIdentity,
  sha256Hex,
  type Verdict,
  verdictIdentity,
} from '../events/index.ts';
import { canonicalJson, compareStrings } from './canonicalJson.ts';
import type { CorrelatorConfig } from './types.ts';

/**
 * What stands for a round key: its current verdict, or a tombstone (`verdict: null`) naming the
 * last event of its chain (a retraction, or its last verdict when another key's verdict took its fact).
 * The tombstone is what keeps the chain whole: the key's next verdict supersedes it.
 */
export type PreviousVerdict = { eventId: string; verdict: Verdict | null };

export type PlannedVerdict = { streamId: string; eventId: string; event: RoundTimingReconciled };
export type PlannedRetraction = { streamId: string; eventId: string; event: RoundVerdictRetracted };

export type AppendPlan = {
  /** Verdicts sorted by round key. */
  appends: PlannedVerdict[];
  /** Retractions sorted by round key: verdicts withdrawn that no appended verdict replaces. */
  retractions: PlannedRetraction[];
  /** The standing entry of every round key this plan changed (verdicts and tombstones). */
  standing: Map<string, PreviousVerdict>;
};

/** What a verdict decided, without when (watermark) and without its history (supersedes). */
export function verdictContent(v: Omit<Verdict, 'generation'> & { generation?: number }): string {
  const { watermarkUnix: _w, supersedes: _s, ...content } = v;
  return canonicalJson(content);
}

const sharesAFact = (a: Verdict, b: Verdict): boolean =>
  (a.luaFactId !== null && a.luaFactId === b.luaFactId) || (a.statsFactId !== null && a.statsFactId === b.statsFactId);

/**
 * `previous` must hold the standing entry of every round key the desired set was computed for
 * (the keys of the loaded facts: stats factIds and `lua:<report id>`), and only those: a key whose
 * verdict stands in `previous` without a desired verdict is withdrawn. `context.ambiguous` names the
 * facts a tie keeps unmatched (the reason a retraction gives); `context.watermarks` the servers'
 * watermarks (when a retraction was decided).
 */
export function planAppends(
  desired: readonly Verdict[],
  previous: ReadonlyMap<string, PreviousVerdict>,
  config: Pick<CorrelatorConfig, 'correlatorVersion' | 'generation'>,
  context: { ambiguous?: ReadonlySet<string>; watermarks?: ReadonlyMap<string, number> } = {},
): AppendPlan {
  const ambiguous = context.ambiguous ?? new Set<string>();
  const desiredKeys = new Set(desired.map((v) => v.roundKey));
  const withdrawn = [...previous.entries()]
    .filter(
      (e): e is [string, { eventId: string; verdict: Verdict }] => e[1].verdict !== null && !desiredKeys.has(e[0]),
    )
    .sort((a, b) => compareStrings(a[0], b[0]));
  const appends: PlannedVerdict[] = [];
  const standing = new Map<string, PreviousVerdict>();
  const replacedBy = new Set<string>();
  for (const want of [...desired].sort((a, b) => compareStrings(a.roundKey, b.roundKey))) {
    const verdict: Verdict = { ...want, correlatorVersion: config.correlatorVersion, generation: config.generation };
    const own = previous.get(verdict.roundKey);
    // A withdrawn verdict is replaced by the one now holding its fact (a LUA_ONLY report now
    // joined, a joined verdict whose report moved to a better stats round).
    const replaced = withdrawn.filter(([, p]) => sharesAFact(p.verdict, verdict));
    const content = verdictContent(verdict);
    if (own?.verdict && replaced.length === 0 && verdictContent(own.verdict) === content) continue;
    const supersedes = [...(own ? [own.eventId] : []), ...replaced.map(([, p]) => p.eventId).sort(compareStrings)];
    const { streamId, eventId } = verdictIdentity(verdict.roundKey, sha256Hex(`${content}\n${supersedes.join(',')}`));
    appends.push({
      streamId,
      eventId,
      event: { type: 'RoundTimingReconciled', schemaVersion: 2, data: { ...verdict, supersedes } },
    });
    standing.set(verdict.roundKey, { eventId, verdict: { ...verdict, supersedes } });
    for (const [key] of replaced) replacedBy.add(key);
  }
  const retractions: PlannedRetraction[] = [];
  for (const [key, p] of withdrawn) {
    // Replaced by another key's verdict: the tombstone names the verdict itself (never the
    // replacing verdict, which still stands and must not be superseded by this key's next one).
    if (replacedBy.has(key)) {
      standing.set(key, { eventId: p.eventId, verdict: null });
      continue;
    }
    const v = p.verdict;
    const { streamId, eventId } = retractionIdentity(key, p.eventId);
    const isAmbiguous =
      (v.statsFactId !== null && ambiguous.has(v.statsFactId)) || (v.luaFactId !== null && ambiguous.has(v.luaFactId));
    retractions.push({
      streamId,
      eventId,
      event: {
        type: 'RoundVerdictRetracted',
        schemaVersion: 1,
        data: {
          roundKey: key,
          serverId: v.serverId,
          map: v.map,
          round: v.round,
          statsFactId: v.statsFactId,
          luaReportId: v.luaReportId,
          reason: isAmbiguous ? 'ambiguous' : 'undecided',
          supersedes: [p.eventId],
          correlatorVersion: config.correlatorVersion,
          generation: config.generation,
          watermarkUnix: Math.max(v.watermarkUnix, context.watermarks?.get(v.serverId) ?? v.watermarkUnix),
        },
      },
    });
    standing.set(key, { eventId, verdict: null });
  }
  return { appends, retractions, standing };
}
