import { createHash } from 'node:crypto';

/**
 * Deterministic identity: the same fact always gets the same event id and stream, so a
 * re-delivery is recognised by the log (invariant 1). The id is a UUID (RFC 9562 v8 layout)
 * made of the first 16 bytes of sha256(kind NUL identity).
 */
export function deterministicUuid(kind: string, identity: string): string {
  const h = createHash('sha256').update(kind).update('\0').update(identity).digest();
  h[6] = (h[6]! & 0x0f) | 0x80;
  h[8] = (h[8]! & 0x3f) | 0x80;
  const hex = h.subarray(0, 16).toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

export function sha256Hex(bytes: Uint8Array | string): string {
  return createHash('sha256').update(bytes).digest('hex');
}

export type FactIdentity = { streamId: string; eventId: string };

function identify(kind: string, identity: string): FactIdentity {
  return { streamId: `${kind}-${identity}`, eventId: deterministicUuid(kind, identity) };
}

export const statsFileIdentity = (serverId: string, fileName: string, sha256: string) =>
  identify('stats', `${serverId}/${fileName}/${sha256}`);

/** `<server>:<map>:<round>:<roundEndUnix>`, the report id of lua-report.md, for every shape of a report. */
/**
 * A stats round: one per server and file name, whatever revisions of the file arrive (a file caught
 * while it was written, then whole). Each revision is its own fact; the round follows the latest.
 */
export const statsRoundId = (serverId: string, fileName: string) =>
  deterministicUuid('stats-round', `${serverId}/${fileName}`);

export const luaReportId = (serverId: string, map: string, round: number, roundEndUnix: number) =>
  `${serverId}:${map}:${round}:${roundEndUnix}`;

/**
 * Every delivery of one report by one script is one fact (a retry, the fallback file, a second
 * relay). Our script's report and the legacy webhook's of the same round are two: same stream, an
 * event id each, so that the second to arrive is kept rather than dropped as a duplicate of the
 * first (readers pick between them in an order-free way: src/correlator/luaDeliveries.ts). The
 * legacy shapes keep the id every delivery had before our script's got its own.
 */
export const luaReportIdentity = (
  serverId: string,
  map: string,
  round: number,
  roundEndUnix: number,
  shape: string,
): FactIdentity => {
  const reportId = luaReportId(serverId, map, round, roundEndUnix);
  const shared = identify('lua', reportId);
  return isOwnScriptShape(shape) ? { ...shared, eventId: deterministicUuid('lua', `${reportId}:own`) } : shared;
};

/** The shapes our own script (lua/) writes: `et-ledger.round/N`. */
export const isOwnScriptShape = (shape: string): boolean => shape.startsWith('et-ledger.');

export const pauseIdentity = (serverId: string, map: string, round: number, startUnix: number) =>
  identify('pause', `${serverId}:${map}:${round}:pause:${startUnix}`);

export const clockTickIdentity = (serverId: string, atUnix: number) => identify('tick', `${serverId}:${atUnix}`);

export const unrecognizedIdentity = (serverId: string, sha256: string) =>
  identify('unrecognized', `${serverId}/${sha256}`);

/** A verdict is identified by what it decided from, so re-running the correlator appends nothing new. */
export const verdictIdentity = (roundKey: string, contentHash: string) =>
  identify('verdict', `${roundKey}/${contentHash}`);

/** One retraction per superseded verdict and generation: a re-run appends nothing new. */
export const retractionIdentity = (roundKey: string, supersededEventId: string) =>
  identify('retraction', `${roundKey}/${supersededEventId}`);

/** Each correction is its own fact (made at `at`): correcting back and forth again is never a duplicate. */
export const zoneCorrectionIdentity = (
  serverId: string,
  tz: string,
  from: string | null,
  to: string | null,
  at: string,
) => identify('zone', `${serverId}/${tz}/${from ?? ''}/${to ?? ''}/${at}`);

/** One fact per Discord interaction: a retried interaction appends nothing new. */
export const accountLinkIdentity = (discordUserId: string, interactionId: string) =>
  identify('account', `${discordUserId}/${interactionId}`);
