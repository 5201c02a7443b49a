/**
 * The delivery loop: takes the deliveries of just-committed events from memory and due work left on disk
 * (previous process, retries, redrives) from SQLite, invokes the route's processor through the shared processor
 * runtime (the same adapter shape as the Lambda), and records done / retrying / dead-lettered.
 *
 * At least once: a delivery is written done only after its processor returned, so a crash during an attempt
 * leaves it pending and the next start delivers it again (processors are idempotent by event id). Which
 * deliveries are in flight is kept in memory only: writing it would double the commits per event.
 * Retries follow the route's policy like EventBridge: at most `maximumRetryAttempts` retries after the first
 * attempt, none once the event is older than `maximumEventAgeSeconds`; then the delivery goes to the DLQ table.
 */
import type { RouteRow } from "../../infra/table";
import type { Commit } from "../bus";
import { deliveryKey, pendingRow, type ClaimedDelivery, type NewEvent } from "../store";
import { errorText, recordedError } from "./attempt";
import { nextAttemptAt } from "./retry-policy";
import type {
  DeliveryHandle,
  DeliveryHooks,
  DeliveryOutcome,
  DeliveryQueue,
  DeliverySettings,
  Invoke,
} from "./types";

/** Deliveries read from disk at once (see `DeliveryLoop.claimed`). */
const DISK_BATCH = 256;

/** The delivery loop, on the main thread; the processors run where its `Invoke` puts them (`pool/`). */
export class DeliveryLoop implements DeliveryHandle {
  private readonly routes: Map<string, RouteRow>;
  private active = 0;
  private stopped = true;
  /** Stopped for good: `start` after `stop` does nothing. */
  private ended = false;
  private scheduled = false;
  private pumping = false;
  private timer: NodeJS.Timeout | undefined;
  private timerAt = Infinity;
  /** Re-checks the ingest gate while it holds work back. */
  private gateTimer: NodeJS.Timeout | undefined;
  private readonly running = new Set<Promise<void>>();
  /** `deliveryKey`s of the attempts in progress, and of those read from disk about to start (`claimed`). */
  private readonly inFlightKeys = new Set<string>();
  /**
   * Due work read from disk, not started yet: read `DISK_BATCH` at a time rather than as many as slots are free
   * (a few at each completion), since each read also walks past every delivery in flight.
   */
  private claimed: ClaimedDelivery[] = [];
  private claimedHead = 0;
  /**
   * Deliveries of just-committed events, in order: they start without reading SQLite back. Due work that is
   * only on disk (left by a previous process, retries, redrives, overflow of this queue) is read when this
   * queue is empty and `diskWork` is set, so a delivery is never both queued here and read from disk.
   */
  private ready: ClaimedDelivery[] = [];
  private readyHead = 0;
  private diskWork = true;
  private overflow = false;

  constructor(
    private readonly store: DeliveryQueue,
    routes: readonly RouteRow[],
    private readonly invoke: Invoke,
    private readonly settings: DeliverySettings,
    private readonly hooks: DeliveryHooks,
  ) {
    this.routes = new Map(routes.map((r) => [r.key, r]));
  }

  /** Starts delivering, beginning with what a previous process left open; returns how many that is. */
  start(): number {
    if (!this.stopped || this.ended) return this.store.openDeliveries;
    this.stopped = false;
    this.diskWork = true;
    // What the previous process left is on disk: new events queue behind it there, rather than run first from
    // memory (whose outcomes would then write the delivery rows of the whole backlog at once: lazy-deliveries.ts).
    this.overflow = this.store.openDeliveries > 0;
    this.kick();
    return this.store.openDeliveries;
  }

  /**
   * Takes the deliveries of newly committed events and starts what it can: right away after a commit in its own
   * event-loop turn, otherwise at the next turn (see `Commit.ownTurn`).
   */
  enqueue(events: readonly NewEvent[], { ownTurn }: Commit): void {
    for (const e of events) {
      for (const routeKey of e.routeKeys) {
        if (this.overflow || this.ready.length - this.readyHead >= this.settings.readyQueueCap) {
          this.overflow = true;
          this.diskWork = true;
          continue;
        }
        this.ready.push({
          ...pendingRow(e.id, routeKey, e.acceptedAt),
          fresh: true,
          envelope: e.envelope,
          seq: e.seq,
          correlation_id: e.correlationId ?? null,
        });
      }
    }
    if (ownTurn) this.pumpNow();
    else this.kick();
  }

  /** Due work was put on disk by someone else (redrive): read it. */
  poll(): void {
    this.diskWork = true;
    this.kick();
  }

  /** Whether an attempt of this delivery is running now. */
  isInFlight(eventId: string, routeKey: string): boolean {
    return this.inFlightKeys.has(deliveryKey(eventId, routeKey));
  }

  /**
   * Claims due work right now. Called after a commit of new events: waiting for `kick`'s next turn of the
   * event loop would add a whole turn (several ms under load) to every event's latency.
   */
  private pumpNow(): void {
    if (this.pumping) this.kick();
    else this.pump();
  }

  /** Asks the loop to look for due work soon; cheap to call on every accepted event. */
  private kick(): void {
    if (this.stopped || this.scheduled) return;
    this.scheduled = true;
    setImmediate(() => {
      this.scheduled = false;
      this.pump();
    });
  }

  /** Stops claiming work and waits (bounded) for attempts in progress; unfinished ones are re-delivered later. */
  async stop(graceMs = 5000): Promise<void> {
    this.stopped = true;
    this.ended = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    if (this.gateTimer) clearTimeout(this.gateTimer);
    this.gateTimer = undefined;
    let graceTimer: NodeJS.Timeout | undefined;
    const grace = new Promise<void>((resolve) => (graceTimer = setTimeout(resolve, graceMs)));
    await Promise.race([Promise.allSettled([...this.running]), grace]);
    clearTimeout(graceTimer);
  }

  /** Attempts currently running. */
  get inFlight(): number {
    return this.active;
  }

  private pump(): void {
    if (this.stopped) return;
    this.pumping = true;
    try {
      this.claimAndRun();
    } finally {
      this.pumping = false;
    }
  }

  private claimAndRun(): void {
    const now = this.hooks.now().getTime();
    const free = this.settings.concurrency - this.active;
    const gate = this.hooks.gate;
    let budget = gate ? Math.min(free, gate.allowance()) : free;
    const gated = budget < free;
    let started = 0;
    // What was read from disk first: it is older than what is queued in memory.
    const runClaimed = () => {
      while (budget > 0 && this.claimedHead < this.claimed.length) {
        this.run(this.claimed[this.claimedHead++]);
        budget -= 1;
        started += 1;
      }
    };
    runClaimed();
    while (budget > 0 && this.readyHead < this.ready.length) {
      const d = this.ready[this.readyHead++];
      d.attempts = 1;
      d.first_attempt_at = now;
      d.last_attempt_at = now;
      d.status = "in_flight";
      this.run(d);
      budget -= 1;
      started += 1;
    }
    if (this.readyHead === this.ready.length) {
      this.ready = [];
      this.readyHead = 0;
    } else if (this.readyHead > 4096) {
      this.ready = this.ready.slice(this.readyHead);
      this.readyHead = 0;
    }
    if (budget > 0 && this.ready.length === 0 && this.claimedHead === this.claimed.length && this.diskWork) {
      const limit = Math.max(budget, DISK_BATCH);
      this.claimed = this.store.dueDeliveries(now, limit, this.inFlightKeys);
      this.claimedHead = 0;
      for (const d of this.claimed) this.inFlightKeys.add(deliveryKey(d.event_id, d.route_key));
      if (this.claimed.length < limit) {
        // Everything due on disk is claimed now; later retries wake the loop with their timer.
        this.diskWork = false;
        this.overflow = false;
        const at = this.store.nextDueAt(now);
        if (at !== undefined) this.wakeAt(at);
      }
    }
    runClaimed();
    gate?.started(started);
    const waiting = this.ready.length > 0 || this.claimedHead < this.claimed.length || this.diskWork;
    if (gate && gated && waiting && !this.gateTimer) {
      // Nothing else wakes the loop when a burst ends without a further commit.
      this.gateTimer = setTimeout(() => {
        this.gateTimer = undefined;
        this.pump();
      }, gate.retryInMs());
    }
  }

  private run(d: ClaimedDelivery): void {
    const key = deliveryKey(d.event_id, d.route_key);
    this.active += 1;
    this.inFlightKeys.add(key);
    const run = this.deliver(d).finally(() => {
      this.active -= 1;
      this.inFlightKeys.delete(key);
      this.running.delete(run);
      this.kick();
    });
    this.running.add(run);
  }

  /** Reads due work from disk at `at` (a retry's `next_at`), unless an earlier wake-up is already set. */
  private wakeAt(at: number): void {
    if (this.stopped || at >= this.timerAt) return;
    if (this.timer) clearTimeout(this.timer);
    this.timerAt = at;
    const delay = Math.max(0, at - this.hooks.now().getTime());
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.timerAt = Infinity;
      this.diskWork = true;
      this.pump();
    }, delay);
  }

  private async deliver(d: ClaimedDelivery): Promise<void> {
    const route = this.routes.get(d.route_key);
    if (!route) {
      this.fail(d, `route "${d.route_key}" is no longer in the routing table`, false);
      return;
    }
    try {
      const result = await this.invoke(route, {
        eventId: d.event_id,
        envelope: d.envelope,
        fresh: d.fresh === true && d.attempts === 1,
        timeoutSeconds: route.timeoutSeconds ?? this.settings.defaultTimeoutSeconds,
        correlationId: d.correlation_id ?? undefined,
      });
      const now = this.hooks.now().getTime();
      this.store.markDone(d, result, now);
      this.report(d, "done", now);
    } catch (err) {
      this.fail(d, errorText(err), true);
    }
  }

  private fail(d: ClaimedDelivery, failure: string, retryable: boolean): void {
    if (this.stopped && !this.store.isOpen) return;
    // Every failed attempt is recorded here, whatever ran it: the one place its error is cut to size.
    const error = recordedError(failure);
    const route = this.routes.get(d.route_key);
    const now = this.hooks.now().getTime();
    const nextAt = retryable && route ? nextAttemptAt(route.retry, d, now, this.settings) : undefined;
    if (nextAt !== undefined) {
      this.store.markRetry(d, nextAt, error, now);
      this.wakeAt(nextAt);
      this.report(d, "retrying", now, error);
    } else {
      this.store.markDead(d, error, now);
      this.report(d, "dead", now, error);
    }
  }

  private report(d: ClaimedDelivery, status: DeliveryOutcome["status"], now: number, error?: string): void {
    this.hooks.onOutcome?.({
      eventId: d.event_id,
      routeKey: d.route_key,
      attempt: d.attempts,
      status,
      error,
      ageMs: now - d.window_start,
      durationMs: now - (d.last_attempt_at ?? now),
    });
  }
}
