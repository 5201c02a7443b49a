/**
 * Ingest before delivery during a burst. The local stack runs HTTP and the processors on one event loop, and a
 * delivery (processor, emits, bookkeeping) costs several times what accepting an event does. When events
 * arrive faster than the processors could keep up anyway, every millisecond given to delivery is taken from
 * producers, who then wait or get 429s while the backlog grows all the same. So, like EventBridge (which accepts
 * PutEvents at its own rate, whatever its targets do), the bus accepts first and drains after: while producers'
 * requests (`POST /events`, `POST /`) arrive at `rate` or faster, deliveries start at a trickle, until the
 * burst ends or the backlog reaches half its bound (then delivery gets the loop back, so a sustained overload
 * is processed at full speed and producers see 429s instead of an ever longer wait).
 */

/** Settings of an `IngestPriority`. */
export interface IngestPriorityOptions {
  /**
   * Producer requests per second at which delivery yields; 0 turns the gate off. Requests, not committed
   * events: processors' emits are committed too, and counting them would make a drain hold itself back.
   */
  rate: number;
  /**
   * Deliveries that may still start per second while delivery yields, oldest first (so processing shows
   * progress; retries due meanwhile wait behind the new deliveries kept in memory).
   */
  trickle: number;
  /** Width of the window the request rate is measured over, ms. */
  windowMs: number;
  /** Whether the backlog is past the point where draining matters more than accepting. */
  backlogHigh: () => boolean;
}

/** Trickle tokens held at most: one, as starting several deliveries at once stalls the requests behind them. */
const BURST = 1;

export class IngestPriority {
  private windowStart = -Infinity;
  private current = 0;
  private previous = 0;
  private tokens = BURST;
  private refilledAt = 0;

  constructor(private readonly options: IngestPriorityOptions) {}

  /** Counts producer requests that just arrived. */
  arrived(n: number, now: number): void {
    this.roll(now);
    this.current += n;
  }

  /** Whether delivery yields to ingest now. */
  yielding(now: number): boolean {
    if (this.options.rate <= 0) return false;
    this.roll(now);
    const threshold = (this.options.rate * this.options.windowMs) / 1000;
    // The previous full window, or the current one as soon as it alone crosses the line.
    const busy = this.previous >= threshold || this.current >= threshold;
    return busy && !this.options.backlogHigh();
  }

  /** How many attempts may start now (`Infinity` when delivery is not yielding). */
  allowance(now: number): number {
    if (!this.yielding(now)) return Infinity;
    this.refill(now);
    return Math.floor(this.tokens);
  }

  /** Records attempts started after `allowance`. */
  started(n: number): void {
    this.tokens = Math.max(0, this.tokens - n);
  }

  /** Milliseconds until `allowance` may change: the next trickle token, or the end of the burst window. */
  retryInMs(): number {
    const perToken = this.options.trickle > 0 ? 1000 / this.options.trickle : this.options.windowMs;
    return Math.max(1, Math.min(perToken, this.options.windowMs));
  }

  private refill(now: number): void {
    const elapsed = now - this.refilledAt;
    this.refilledAt = now;
    if (elapsed > 0) this.tokens = Math.min(BURST, this.tokens + (elapsed * this.options.trickle) / 1000);
  }

  private roll(now: number): void {
    const { windowMs } = this.options;
    if (now - this.windowStart < windowMs) return;
    const windows = Math.floor((now - this.windowStart) / windowMs);
    this.previous = windows === 1 ? this.current : 0;
    this.current = 0;
    this.windowStart = Number.isFinite(this.windowStart) ? this.windowStart + windows * windowMs : now;
  }
}
