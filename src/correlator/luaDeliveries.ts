// Two deliveries of one round report can differ: our script's report and the legacy webhook's of
// the same round (a community moving from one script to the other runs both for a while). Each
// family has an identity of its own on the log (src/events/ids.ts), so neither is lost, and every
// reader takes the same one whatever order they came in (DESIGN invariant 2): our script's, which
// knows the warmup and each player's time in play, `/2` before `/1`, then the content's hash.
import { luaReportId, sha256Hex } from '../events/ids.ts';
import type { LuaReport } from '../events/luaRoundEnded.ts';
import { normalizeMapName } from '../parser/names.ts';
import { canonicalJson } from './canonicalJson.ts';

// The legacy shapes rank alike: the webhook's post and its fallback file are one payload, stored
// once under one id, whichever came first.
const shapeRank: Record<LuaReport['shape'], number> = {
  'et-ledger.round/2': 0,
  'et-ledger.round/1': 1,
  'legacy.stats-ready': 2,
  'legacy.gametime': 2,
};

/** Sorts first for the delivery every reader takes; how, where and when it came play no part. */
export function deliveryRank(report: LuaReport): string {
  const { source: _source, receivedAt: _receivedAt, shape, ...content } = report;
  return `${shapeRank[shape]}:${sha256Hex(canonicalJson(content))}`;
}

/** The report id (lua-report.md) every delivery of one round report shares. */
export const reportIdOf = (r: Pick<LuaReport, 'serverId' | 'map' | 'round' | 'roundEndUnix'>): string =>
  luaReportId(r.serverId, normalizeMapName(r.map), r.round, r.roundEndUnix);
