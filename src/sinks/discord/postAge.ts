// Which rounds the sender may still touch (ET_LEDGER_POST_MAX_AGE): one rule for the sender and
// for the rebuild report that predicts it. Old rounds are neither posted, edited nor deleted: a
// bulk import or a correlator rebuild that re-decides all history must not flood a channel (or its
// rate limit) with old news.

/** Seconds since the round (a row without a round time counts as new: 0). */
export const ageSec = (roundTimeUnix: number | null, nowSec: number): number =>
  roundTimeUnix === null ? 0 : nowSec - roundTimeUnix;

/** A round the sender posts and edits: younger than the max age (0: no limit), or of unknown time. */
export const mayPost = (roundTimeUnix: number | null, nowSec: number, maxAgeSec: number): boolean =>
  maxAgeSec <= 0 || ageSec(roundTimeUnix, nowSec) <= maxAgeSec;

/**
 * A message the sender deletes when its target leaves the outbox. One recorded before round times
 * were kept (0.1) has no known age: it is never deleted, so an upgrade never empties a channel.
 */
export const mayDelete = (roundTimeUnix: number | null, nowSec: number, maxAgeSec: number): boolean =>
  roundTimeUnix !== null && mayPost(roundTimeUnix, nowSec, maxAgeSec);
