/**
 * Ingest before delivery while producers saturate the server. HTTP and the delivery loop's bookkeeping share
 * the main thread (the processors run in workers, but their outcomes, emits and the commits are written here),
 * and a delivery costs several times what accepting an event does. When producers send faster than the events
 * could be processed anyway, every millisecond given to delivery is taken from them. So, like EventBridge (which
 * accepts PutEvents at its own rate, whatever its targets do), the bus then accepts first and drains after.
 *
 * "Faster than could be processed" is measured, not configured, so it holds on a slow machine as on a fast
 * one (a fixed 5,000 requests/s threshold here once never tripped on a machine whose producers could not reach
 * it, and processors then took most of the accepting thread): at the end of each window (monotonic clock),
 * delivery yields for the next window when, in this one,
 * - the main thread's event loop was saturated (its utilization, `performance.eventLoopUtilization`, at or
 *   above `load`), and
 * - producers put more events on the bus than deliveries started (the backlog grew).
 * While it yields, deliveries start at `trickle` per second (so processing shows progress), until a window
 * without both, or until the backlog reaches half its bound: then delivery gets the loop back, so a sustained
 * overload is processed at full speed and producers see 429s instead of an ever longer wait. Producers at a
 * rate the server keeps up with never trigger it: deliveries then start as fast as events arrive.
 */
import { performance } from "node:perf_hooks";
import type { DeliveryGate } from "./types";

/** Settings of an `IngestPriority`. */
export interface IngestPriorityOptions {
  /** False turns the gate off: delivery never yields. */
  enabled: boolean;
  /**
   * Event-loop utilization (0–1) at or above which the main thread counts as saturated. A fraction of the
   * thread's time, so the same on any machine.
   */
  load: number;
  /** Deliveries that may still start per second while delivery yields, oldest first. */
  trickle: number;
  /** Width of the window both measures are taken over, ms. */
  windowMs: number;
  /** Whether the backlog is past the point where draining matters more than accepting. */
  backlogHigh: () => boolean;
  /** Monotonic milliseconds (default `performance.now`): a wall clock stepping back must not stall the gate. */
  clock?: () => number;
  /** The event loop's utilization since the previous call (default: `performance.eventLoopUtilization`). */
  utilization?: () => number;
}

/** Trickle tokens held at most: one, as starting several deliveries at once stalls the requests behind them. */
const BURST = 1;

/** The main thread's event-loop utilization since the previous call. */
function loopUtilization(): () => number {
  let last = performance.eventLoopUtilization();
  return () => {
    const now = performance.eventLoopUtilization();
    const delta = performance.eventLoopUtilization(now, last);
    last = now;
    return delta.utilization;
  };
}

export class IngestPriority implements DeliveryGate {
  private readonly clock: () => number;
  private readonly utilization: () => number;
  private windowStart: number;
  /** Producer events and started deliveries in the current window. */
  private produced = 0;
  private delivered = 0;
  private yieldingNow = false;
  private tokens = BURST;
  private refilledAt = 0;
  private arrivals = 0;

  constructor(private readonly options: IngestPriorityOptions) {
    this.clock = options.clock ?? (() => performance.now());
    this.utilization = options.utilization ?? loopUtilization();
    this.windowStart = this.clock();
  }

  /** Counts events producers just put on the bus (`POST /events`, a PutEvents call's entries). */
  arrived(n: number): void {
    this.roll();
    this.produced += n;
    this.arrivals += n;
  }

  /** Producer events counted since the gate was made (what `/local/health` and tests read). */
  get arrivedTotal(): number {
    return this.arrivals;
  }

  /** Whether delivery yields to ingest now. */
  yielding(): boolean {
    if (!this.options.enabled) return false;
    this.roll();
    return this.yieldingNow && !this.options.backlogHigh();
  }

  /** How many attempts may start now (`Infinity` when delivery is not yielding). */
  allowance(): number {
    if (!this.yielding()) return Infinity;
    this.refill();
    return Math.floor(this.tokens);
  }

  /** Records attempts started after `allowance`. */
  started(n: number): void {
    this.delivered += n;
    if (this.yieldingNow) this.tokens = Math.max(0, this.tokens - n);
  }

  /** Milliseconds until `allowance` may change: the next trickle token, or the end of the window. */
  retryInMs(): number {
    const perToken = this.options.trickle > 0 ? 1000 / this.options.trickle : this.options.windowMs;
    return Math.max(1, Math.min(perToken, this.options.windowMs));
  }

  private refill(): void {
    const now = this.clock();
    const elapsed = now - this.refilledAt;
    this.refilledAt = now;
    if (elapsed > 0) this.tokens = Math.min(BURST, this.tokens + (elapsed * this.options.trickle) / 1000);
  }

  /** At the end of a window (or several, after a quiet spell), decides the next one. */
  private roll(): void {
    const now = this.clock();
    if (now - this.windowStart < this.options.windowMs) return;
    const saturated = this.utilization() >= this.options.load;
    const yielding = saturated && this.produced > this.delivered;
    if (yielding && !this.yieldingNow) {
      this.tokens = BURST;
      this.refilledAt = now;
    }
    this.yieldingNow = yielding;
    this.produced = 0;
    this.delivered = 0;
    this.windowStart = now;
  }
}
