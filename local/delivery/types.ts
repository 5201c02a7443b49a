/** The delivery loop's contracts: its queue, its gate, how it runs a processor, what it reports. */
import type { RouteRow } from "../../infra/table";
import type { Commit } from "../bus";
import type { ClaimedDelivery, NewEvent } from "../store";

/** One attempt of one delivery, as the loop hands it to an `Invoke`. */
export interface Attempt {
  eventId: string;
  /** The event as stored (JSON text): it is parsed where the processor runs, not on the thread answering HTTP. */
  envelope: string;
  /** The first attempt of an event this process just committed, so the idempotency store has nothing. */
  fresh: boolean;
  /** The route's `timeoutSeconds` (or the default): the attempt fails with Lambda's timeout message after it. */
  timeoutSeconds: number;
  /** The event's stored correlation id (absent: its id stands for it), which its follow-ups inherit. */
  correlationId?: string;
}

/**
 * Runs one route's processor for one attempt and resolves with its result; rejects when the attempt failed
 * (the processor threw, timed out or crashed its worker), with an error whose `errorText` is what is recorded.
 * Implemented by the worker pool (`pool/`, the default) and, unisolated, by `makeInvoke` (`invoke.ts`).
 */
export type Invoke = (route: RouteRow, attempt: Attempt) => Promise<unknown>;

/** The processors' idempotency results, kept by the `Store`. */
export interface ResultStore {
  getIdempotent(key: string): { result: unknown } | undefined;
  /** Keeps the first result written for `key`. */
  putIdempotent(key: string, result: unknown, now: number): void;
}

/** What the processor workers did so far (`ProcessorPool.stats`, shown by `/local/health`). */
export interface PoolStats {
  /** Workers running now. */
  workers: number;
  /** Workers started since the app was built. */
  started: number;
  /** Workers that died of their processor (crash, `process.exit`, heap limit). */
  crashed: number;
  /** Workers stopped after an attempt timed out in them. */
  timedOut: number;
}

/** The loop's settings (`local/options/`). */
export interface DeliverySettings {
  /** Processors running at once. */
  concurrency: number;
  /** Delay before the first retry; doubles on every further retry. */
  retryBaseDelayMs: number;
  /** Cap on the delay between two attempts. */
  retryMaxDelayMs: number;
  /** Processor timeout when the route has none (`ROUTE_DEFAULTS.timeoutSeconds`, as on Lambda). */
  defaultTimeoutSeconds: number;
  /** New deliveries kept in memory at most; beyond, they wait on disk only (read back once the queue drains). */
  readyQueueCap: number;
}

/** What the loop is told and asks besides its queue: the clock, listeners and limits. */
export interface DeliveryHooks {
  now: () => Date;
  onOutcome?: (outcome: DeliveryOutcome) => void;
  /**
   * Limits how many attempts may start now (`IngestPriority`: delivery yields to a burst of ingest); when it
   * holds work back, the loop asks again after `retryInMs`. Default: no limit besides `concurrency`.
   */
  gate?: DeliveryGate;
}

/** See `DeliveryHooks.gate`; implemented by `IngestPriority`, which reads its own monotonic clock. */
export interface DeliveryGate {
  allowance(): number;
  started(n: number): void;
  retryInMs(): number;
}

/** Where the loop finds due work and records outcomes: implemented by the `Store`. */
export interface DeliveryQueue {
  /** Deliveries pending (in flight included) or waiting for a retry. */
  readonly openDeliveries: number;
  /** Whether writes can still be made (false once the store is closed). */
  readonly isOpen: boolean;
  /**
   * Up to `limit` deliveries due at `now`, skipping keys in `skip` (in flight), with one more attempt counted;
   * new deliveries of events after `maxSeq` are left out.
   */
  dueDeliveries(now: number, limit: number, skip: ReadonlySet<string>, maxSeq?: number): ClaimedDelivery[];
  /** Earliest time after `after` at which a waiting delivery falls due. */
  nextDueAt(after: number): number | undefined;
  markDone(d: ClaimedDelivery, result: unknown, now: number): void;
  /** The attempt started at `d.last_attempt_at` failed at `now`. */
  markRetry(d: ClaimedDelivery, nextAt: number, error: string, now: number): void;
  markDead(d: ClaimedDelivery, error: string, now: number): void;
}

/** What the HTTP side needs from the delivery loop (`DeliveryLoop`). */
export interface DeliveryHandle {
  /** Starts delivering, beginning with what a previous process left open. */
  start(): unknown;
  /** Takes the deliveries of newly committed events. */
  enqueue(events: readonly NewEvent[], commit: Commit): void;
  /** Due work was put on disk by someone else (redrive): read it. */
  poll(): void;
  /** Whether an attempt of this delivery is running now. */
  isInFlight(eventId: string, routeKey: string): boolean;
  /** Attempts currently running. */
  readonly inFlight: number;
  /** Stops delivering; unfinished attempts are made again later. */
  stop(graceMs?: number): Promise<void>;
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
  /** Milliseconds the attempt ran (its processor's duration, as Lambda's `Duration`). */
  durationMs: number;
}
