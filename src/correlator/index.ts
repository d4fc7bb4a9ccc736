export { canonicalJson } from './canonicalJson.ts';
export { collapseLua, collapseStats } from './collapseDuplicates.ts';
export { ambiguousFactIds, decideVerdicts, decisionDeadlineUnix, factEventTimeUnix } from './decideVerdicts.ts';
export { type MatchResult, type MatchWindow, matchRounds, type RoundMatch, roundGroupKey } from './matchRounds.ts';
export {
  type CandidateLoader,
  expandUntilStable,
  type LoadedNeighbourhood,
  type Neighbourhood,
  neighbourhoodWindow,
  ownRoundKey,
} from './neighbourhood.ts';
export {
  type AppendPlan,
  type PlannedRetraction,
  type PlannedVerdict,
  type PreviousVerdict,
  planAppends,
  verdictContent,
} from './planAppends.ts';
export * from './types.ts';
