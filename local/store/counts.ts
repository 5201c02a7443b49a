/**
 * What `/local/health` counts (events, and deliveries by status), kept in memory as the Store records each write
 * instead of counted in the tables at each request. Counting took ~0.5–0.8 s at 1,000,000 events (2,000,000
 * deliveries; measured 2026-12-07 on a file of that size built for it): every poll of the health endpoint, the
 * web console's every 2 s included, blocked ingest and delivery that long, and longer the longer the stack ran.
 * The tables are counted once, when the Store opens; the Store is the file's only writer (its lock), so the
 * counts stay exact from then on.
 */
import type { ClaimedDelivery } from "./rows";

/** Deliveries by status, as `/local/health` reports them, and the events archived. */
export interface RecordedCounts {
  events: number;
  /** Not yet attempted, or being attempted for the first time. */
  pending: number;
  /** Waiting for a retry, or being retried. */
  retrying: number;
  done: number;
  dead: number;
}

/** The counts, from the tables at open and from each recorded outcome after. */
export class StatusCounts {
  private events: number;
  private retrying: number;
  private done: number;
  private dead: number;

  /** `byStatus`: the deliveries table's counts (`GROUP BY status`) when the Store opened. */
  constructor(events: number, byStatus: Record<string, number>) {
    this.events = events;
    this.retrying = byStatus.retrying ?? 0;
    this.done = byStatus.done ?? 0;
    this.dead = byStatus.dead ?? 0;
  }

  inserted(events: number): void {
    this.events += events;
  }

  markedDone(d: ClaimedDelivery): void {
    this.done += 1;
    if (wasRetrying(d)) this.retrying -= 1;
  }

  markedRetry(d: ClaimedDelivery): void {
    if (!wasRetrying(d)) this.retrying += 1;
  }

  markedDead(d: ClaimedDelivery): void {
    this.dead += 1;
    if (wasRetrying(d)) this.retrying -= 1;
  }

  /** Dead-lettered deliveries put back as pending. */
  redriven(n: number): void {
    this.dead -= n;
  }

  /** The counts now; `open` is the Store's count of deliveries neither done nor dead-lettered. */
  snapshot(open: number): RecordedCounts {
    return {
      events: this.events,
      pending: Math.max(0, open - this.retrying),
      retrying: this.retrying,
      done: this.done,
      dead: this.dead,
    };
  }
}

/** Whether the delivery's row said `retrying` when it was claimed (a delivery from memory never did). */
function wasRetrying(d: ClaimedDelivery): boolean {
  return d.claimedAs === "retrying";
}
