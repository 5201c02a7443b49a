/**
 * The delivery loop: claims due deliveries from SQLite, invokes the route's processor through the shared
 * processor runtime (the same adapter shape as the Lambda), and records done / retrying / dead-lettered.
 *
 * At least once: a delivery is marked in flight before the processor runs and done only after it returns, so a
 * crash in between re-delivers it on the next start (processors are idempotent by event id).
 * Retries follow the route's policy like EventBridge: at most `maximumRetryAttempts` retries after the first
 * attempt, none once the event is older than `maximumEventAgeSeconds`; then the delivery goes to the DLQ table.
 */
import type { RouteRow } from "../infra/routes";
import type { Envelope } from "./bus";
import type { ClaimedDelivery, Store } from "./store";

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
  private scheduled = false;
  private timer: NodeJS.Timeout | undefined;
  private timerAt = Infinity;
  private readonly running = new Set<Promise<void>>();

  constructor(
    private readonly store: Store,
    routes: readonly RouteRow[],
    private readonly invoke: Invoke,
    private readonly options: DeliveryOptions,
  ) {
    this.routes = new Map(routes.map((r) => [r.key, r]));
  }

  /** Recovers deliveries left in flight by a crashed process and starts delivering. */
  start(): number {
    const recovered = this.store.recoverInFlight();
    this.stopped = false;
    this.kick();
    return recovered;
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
    const claimed = this.store.claimDue(now, free);
    for (const d of claimed) {
      this.active += 1;
      const run = this.deliver(d).finally(() => {
        this.active -= 1;
        this.running.delete(run);
        this.kick();
      });
      this.running.add(run);
    }
    if (claimed.length < free) this.armTimer();
  }

  /** Wakes the loop when the earliest waiting retry becomes due. */
  private armTimer(): void {
    const at = this.store.nextDueAt();
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
      this.store.markDone(d.event_id, d.route_key, result, now);
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
      this.store.markRetry(d.event_id, d.route_key, nextAt, error);
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
