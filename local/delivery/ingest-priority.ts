/**
 * Ingest before delivery while producers saturate the server. HTTP and the delivery loop's bookkeeping share
 * the main thread (the processors run in workers, but their outcomes, emits and the commits are written here),
 * and a delivery costs more than accepting an event does. When producers could send faster if delivery left
 * them the thread, every millisecond given to delivery is taken from them. So, like EventBridge (which accepts
 * PutEvents at its own rate, whatever its targets do), the bus then accepts first and drains after.
 *
 * Whether producers are held back is measured, not configured, so it holds on a slow machine as on a fast one
 * (a fixed 5,000 requests/s threshold here once never tripped on a machine whose producers could not reach it,
 * and processors then took most of the accepting thread). In windows of `windowMs` (monotonic clock):
 * 1. For two windows in a row, producers put events on the bus while the backlog grew by more than noise (by
 *    more than `GROWTH` of what they put, and more than `MIN_GROWTH`: delivery is not keeping up) or the main
 *    thread was saturated (event-loop utilization, `performance.eventLoopUtilization`, ≥ `load`: producers
 *    share it with delivery, a drain say). Delivery then yields for one window, as a probe.
 * 2. If producers then put events at `gain` times the rate of the window before, they were held back: delivery
 *    keeps yielding, window after window, while they keep the thread saturated by themselves or keep sending
 *    that much faster, and stops in the first window where they do neither. Otherwise (producers at a rate of
 *    their own) yielding gains them nothing: delivery gets the thread back and waits before the next probe.
 *    After a probe a growing backlog triggered, 2 windows, then 4, then 8: delivery is behind anyway. After one
 *    saturation alone triggered, 4 windows, doubling up to 256 (a minute): on a machine whose cores other work
 *    takes, the event loop looks busy at any load, and a steady load must pay for probes ever more rarely (both
 *    reset after a quiet spell).
 * A load delivery keeps up with on a thread with time to spare never triggers a probe. Neither signal alone
 * would do: a producer that shares the server's core makes the thread look idle while the backlog grows, and
 * heavy producers during a drain are held back while the backlog shrinks.
 */
import { performance } from "node:perf_hooks";
import type { DeliveryGate } from "./types";

/** Settings of an `IngestPriority`. */
export interface IngestPriorityOptions {
  /** False turns the gate off: delivery never yields. */
  enabled: boolean;
  /** Event-loop utilization (0–1) at or above which the main thread counts as saturated. */
  load: number;
  /** How many times more events producers must put during a probe for delivery to keep yielding (0: always). */
  gain: number;
  /** Deliveries that may still start per second while delivery yields, oldest first. */
  trickle: number;
  /** Width of the window both measures are taken over, ms. */
  windowMs: number;
  /** Open deliveries now (whether the backlog grows). */
  backlog: () => number;
  /** Whether the backlog is past the point where draining matters more than accepting. */
  backlogHigh: () => boolean;
  /** Monotonic milliseconds (default `performance.now`): a wall clock stepping back must not stall the gate. */
  clock?: () => number;
  /** The event loop's utilization since the previous call (default: `performance.eventLoopUtilization`). */
  utilization?: () => number;
}

/** Trickle tokens held at most: one, as starting several deliveries at once stalls the requests behind them. */
const BURST = 1;
/** Windows between a probe that gained nothing and the next one, doubling, by what triggered it (see above). */
const BACKOFF = { growth: { first: 2, max: 8 }, saturation: { first: 4, max: 256 } };
/** Windows in a row (producers, a growing backlog or a saturated thread) before a probe. */
const PRESSED_WINDOWS = 2;
/** Growth of the backlog over a window that counts, as a share of the events producers put in it, and at least. */
const GROWTH = 0.05;
const MIN_GROWTH = 16;
/** Quiet windows (no producers) after which the backoff starts over. */
const QUIET_WINDOWS = 8;

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
  /** Producer events in the current window; their rate (per ms) in the window before the probe. */
  private produced = 0;
  private rateBefore = 0;
  /** Windows in a row with producers and a growing backlog, with producers and a saturated thread, quiet ones. */
  private grewRun = 0;
  private saturatedRun = 0;
  private quietRun = 0;
  private backlogBefore = 0;
  private state: "delivering" | "probing" | "yielding" = "delivering";
  /** By trigger: windows to wait before the next probe, and the wait after the next one that gains nothing. */
  private wait = { growth: 0, saturation: 0 };
  private backoff = { growth: BACKOFF.growth.first, saturation: BACKOFF.saturation.first };
  /** What triggered the current probe. */
  private trigger: "growth" | "saturation" = "growth";
  private tokens = BURST;
  private refilledAt = 0;
  private arrivals = 0;

  constructor(private readonly options: IngestPriorityOptions) {
    this.clock = options.clock ?? (() => performance.now());
    this.utilization = options.utilization ?? loopUtilization();
    this.windowStart = this.clock();
    this.backlogBefore = options.backlog();
  }

  /** Counts events producers just put on the bus (`POST /events`, a PutEvents call's entries). */
  arrived(n: number): void {
    this.roll();
    this.produced += n;
    this.arrivals += n;
  }

  /** Delivering, probing (yielding for a short window to see whether producers then send faster), or yielding. */
  get phase(): "delivering" | "probing" | "yielding" {
    return this.state;
  }

  /** Producer events counted since the gate was made. */
  get arrivedTotal(): number {
    return this.arrivals;
  }

  /** Whether delivery yields to ingest now. */
  yielding(): boolean {
    if (!this.options.enabled) return false;
    this.roll();
    return this.state !== "delivering" && !this.options.backlogHigh();
  }

  /** How many attempts may start now (`Infinity` when delivery is not yielding). */
  allowance(): number {
    if (!this.yielding()) return Infinity;
    this.refill();
    return Math.floor(this.tokens);
  }

  /** Records attempts started after `allowance`. */
  started(n: number): void {
    if (this.state !== "delivering") this.tokens = Math.max(0, this.tokens - n);
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

  /** At the end of a window (or of several, after a quiet spell), decides the next one. */
  private roll(): void {
    const now = this.clock();
    const elapsed = now - this.windowStart;
    if (elapsed < this.options.windowMs) return;
    // Measured every window, so each measure covers one window.
    const saturated = this.utilization() >= this.options.load;
    const backlog = this.options.backlog();
    const grew = backlog - this.backlogBefore > Math.max(MIN_GROWTH, GROWTH * this.produced);
    this.backlogBefore = backlog;
    const rate = this.produced / elapsed;
    this.produced = 0;
    this.windowStart = now;
    for (const by of ["growth", "saturation"] as const) if (this.wait[by] > 0) this.wait[by] -= 1;
    this.quietRun = rate === 0 ? this.quietRun + 1 : 0;
    if (this.quietRun >= QUIET_WINDOWS) {
      this.backoff = { growth: BACKOFF.growth.first, saturation: BACKOFF.saturation.first };
    }
    // While delivery yields, producers need not saturate the thread: what counts is that they send faster.
    const gained = rate > 0 && rate >= this.options.gain * this.rateBefore;
    if (this.state === "probing") {
      if (gained) {
        this.state = "yielding";
      } else {
        this.state = "delivering";
        const by = this.trigger;
        this.wait[by] = this.backoff[by];
        this.backoff[by] = Math.min(BACKOFF[by].max, this.backoff[by] * 2);
      }
    } else if (this.state === "yielding") {
      // Producers that fill the thread by themselves, or keep the faster rate, are still held back otherwise.
      if (rate === 0 || (!saturated && !gained)) this.state = "delivering";
    } else {
      this.grewRun = rate > 0 && grew ? this.grewRun + 1 : 0;
      this.saturatedRun = rate > 0 && saturated ? this.saturatedRun + 1 : 0;
      const byGrowth = this.grewRun >= PRESSED_WINDOWS && this.wait.growth === 0;
      const bySaturation = this.saturatedRun >= PRESSED_WINDOWS && this.wait.saturation === 0;
      if (byGrowth || bySaturation) {
        this.state = "probing";
        this.trigger = byGrowth ? "growth" : "saturation";
        this.grewRun = 0;
        this.saturatedRun = 0;
        this.rateBefore = rate;
        this.tokens = BURST;
        this.refilledAt = now;
      }
    }
  }
}
