// How far one fact may move its server's watermark (spec/correlation.md "When to decide"). The
// watermark follows event time, so that a replay decides as live operation did; but a fact cannot
// truthfully report an event after it reached the log. A forged or misread time (a report ending in
// the year 33658, a stats file read in a zone hours off) moved the watermark that far, and every
// later round of the server was decided the moment its first fact came, before its partner could.
// So a fact moves the watermark to its event time, at most MAX_EVENT_LEAD_SEC past its arrival.
// The arrival is recorded with the fact, so a replay clamps alike; history ingested late (event
// times long before arrival) is never clamped.

/** Clock skew between a game server and et-ledger's host that a fact's time may show. */
export const MAX_EVENT_LEAD_SEC = 60;

/** The time `eventUnix` of a fact that reached the log at `recordedAt` moves the watermark to. */
export function watermarkTime(eventUnix: number, recordedAt: Date): number {
  return Math.min(eventUnix, Math.floor(recordedAt.getTime() / 1000) + MAX_EVENT_LEAD_SEC);
}
