/**
 * The delivery loop: claims due deliveries from SQLite, invokes the route's processor through the shared
 * processor runtime (the same adapter shape as the Lambda), and records done / retrying / dead-lettered.
 *
 * At least once: a delivery is written done only after its processor returned, so a crash during an attempt
 * leaves it pending and the next start delivers it again (processors are idempotent by event id). Which
 * deliveries are in flight is kept in memory only: writing it would double the commits per event.
 * Retries follow the route's policy like EventBridge: at most `maximumRetryAttempts` retries after the first
 * attempt, none once the event is older than `maximumEventAgeSeconds`; then the delivery goes to the DLQ table.
 */
import type { RouteRow } from "../infra/routes";
import type { Envelope } from "./bus";
import { deliveryKey, type ClaimedDelivery, type Store } from "./store";

/** Runs one route's processor for one event and resolves with its result (rejects when the attempt failed). */
export type Invoke = (route: RouteRow, event: Envelope) => Promise<unknown>;

export interface DeliveryOptions {
  /** Processors running at once. */
  concurrency: number;
  /** Delay before the first retry; doubles on every further retry. */
  retryBaseDelayMs: number;
  /** Cap on the delay between two attempts. */
  retryMaxDelayMs: number;
  /** Default processor timeout when the route has none (Lambda's default is 10 s in this project). */
  defaultTimeoutSeconds: number;
  now: () => Date;
  onOutcome?: (outcome: DeliveryOutcome) => void;
}

/** Reported after every attempt, for logs and tests. */
export interface DeliveryOutcome {
  eventId: string;
  routeKey: string;
  attempt: number;
  status: "done" | "retrying" | "dead";
  error?: string;
  /** Milliseconds from acceptance of the event (the start of its age window) to this outcome. */
  ageMs: number;
}

export class DeliveryWorker {
  private readonly routes: Map<string, RouteRow>;
  private active = 0;
  private stopped = true;
  /** Stopped for good: `start` after `stop` does nothing. */
  private ended = false;
  private scheduled = false;
  private timer: NodeJS.Timeout | undefined;
  private timerAt = Infinity;
  private readonly running = new Set<Promise<void>>();
  /** `deliveryKey`s of the attempts in progress. */
  private readonly inFlightKeys = new Set<string>();

  constructor(
    private readonly store: Store,
    routes: readonly RouteRow[],
    private readonly invoke: Invoke,
    private readonly options: DeliveryOptions,
  ) {
    this.routes = new Map(routes.map((r) => [r.key, r]));
  }

  /** Starts delivering, beginning with what a previous process left open; returns how many that is. */
  start(): number {
    if (!this.stopped || this.ended) return this.store.openDeliveries;
    this.stopped = false;
    this.kick();
    return this.store.openDeliveries;
  }

  /** Whether an attempt of this delivery is running now. */
  isInFlight(eventId: string, routeKey: string): boolean {
    return this.inFlightKeys.has(deliveryKey(eventId, routeKey));
  }

  /** Asks the loop to look for due work soon; cheap to call on every accepted event. */
  kick(): void {
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
    const free = this.options.concurrency - this.active;
    if (free <= 0) return;
    const now = this.options.now().getTime();
    const claimed = this.store.dueDeliveries(now, free, this.inFlightKeys);
    for (const d of claimed) {
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
    if (claimed.length < free) this.armTimer(now);
  }

  /**
   * Wakes the loop when the earliest waiting retry becomes due. `now` must be the instant the due query used:
   * with a later one, a retry due in between would be neither claimed nor waited for.
   */
  private armTimer(now: number): void {
    const at = this.store.nextDueAt(now);
    if (at === undefined || at >= this.timerAt) return;
    if (this.timer) clearTimeout(this.timer);
    this.timerAt = at;
    const delay = Math.max(0, at - this.options.now().getTime());
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.timerAt = Infinity;
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
      const event = JSON.parse(d.envelope) as Envelope;
      const timeoutSeconds = route.timeoutSeconds ?? this.options.defaultTimeoutSeconds;
      const result = await withTimeout(this.invoke(route, event), timeoutSeconds);
      const now = this.options.now().getTime();
      this.store.markDone(d, result, now);
      this.report(d, "done", now);
    } catch (err) {
      this.fail(d, errorText(err), true);
    }
  }

  private fail(d: ClaimedDelivery, error: string, retryable: boolean): void {
    if (this.stopped && !this.store.db.open) return;
    const route = this.routes.get(d.route_key);
    const now = this.options.now().getTime();
    const nextAt = now + this.backoff(d.attempts);
    const retriesUsed = d.attempts - 1;
    const canRetry =
      retryable &&
      route !== undefined &&
      retriesUsed < route.retry.maximumRetryAttempts &&
      nextAt - d.window_start <= route.retry.maximumEventAgeSeconds * 1000;
    if (canRetry) {
      this.store.markRetry(d, nextAt, error);
      this.report(d, "retrying", now, error);
    } else {
      this.store.markDead({ ...d, last_attempt_at: now }, error, now);
      this.report(d, "dead", now, error);
    }
  }

  private backoff(attempts: number): number {
    const { retryBaseDelayMs, retryMaxDelayMs } = this.options;
    return Math.min(retryMaxDelayMs, retryBaseDelayMs * 2 ** Math.max(0, attempts - 1));
  }

  private report(d: ClaimedDelivery, status: DeliveryOutcome["status"], now: number, error?: string): void {
    this.options.onOutcome?.({
      eventId: d.event_id,
      routeKey: d.route_key,
      attempt: d.attempts,
      status,
      error,
      ageMs: now - d.window_start,
    });
  }
}

/** Lambda's message for an invocation that ran out of time. */
function withTimeout<T>(p: Promise<T>, seconds: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new Error(`Task timed out after ${seconds.toFixed(2)} seconds`)),
      seconds * 1000,
    );
  });
  return Promise.race([p, timeout]).finally(() => clearTimeout(timer));
}

function errorText(err: unknown): string {
  if (err instanceof Error) return `${err.name}: ${err.message}`;
  return String(err);
}
