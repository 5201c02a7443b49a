/** The delivery loop's contracts, shared by the in-thread loop and the delivery thread's handle. */
import type { RouteRow } from "../infra/table";
import type { Envelope } from "./bus";
import type { NewEvent } from "./store";

/**
 * Runs one route's processor for one event and resolves with its result (rejects when the attempt failed).
 * `fresh`: the first attempt of an event this process just committed, so the idempotency store has nothing.
 */
export type Invoke = (route: RouteRow, event: Envelope, fresh: boolean) => Promise<unknown>;

export interface DeliveryOptions {
  /** Processors running at once. */
  concurrency: number;
  /** Delay before the first retry; doubles on every further retry. */
  retryBaseDelayMs: number;
  /** Cap on the delay between two attempts. */
  retryMaxDelayMs: number;
  /** Default processor timeout when the route has none (Lambda's default is 10 s in this project). */
  defaultTimeoutSeconds: number;
  /** New deliveries kept in memory at most; beyond, they wait on disk only (read back once the queue drains). */
  readyQueueCap: number;
  now: () => Date;
  onOutcome?: (outcome: DeliveryOutcome) => void;
  /** Told when an attempt starts (`true`) and ends, by `deliveryKey` (the delivery thread mirrors this). */
  onInFlight?: (key: string, running: boolean) => void;
  /**
   * Limits how many attempts may start now (`IngestPriority`: delivery yields to a burst of ingest); when it
   * holds work back, the loop asks again after `retryInMs`. Default: no limit besides `concurrency`.
   */
  gate?: DeliveryGate;
  /** Highest event `seq` whose new deliveries may be read from disk (see `Store.dueDeliveries`). Default: all. */
  diskBound?: () => number;
}

/** See `DeliveryOptions.gate`; implemented by `IngestPriority`. */
export interface DeliveryGate {
  allowance(now: number): number;
  started(n: number): void;
  retryInMs(): number;
}

/** What the bus tells a delivery loop about one commit of new events. */
export interface Commit {
  /** `seq` of the last event committed (the delivery thread's disk-read bound). */
  readonly seq: number;
  /**
   * The commit ran in an event-loop turn of its own (the request group commit). Otherwise it ran inside a
   * processor's promise chain (an emit), where starting further deliveries at once would chain processors
   * through microtasks alone and starve HTTP, timers and signals while a backlog lasts.
   */
  readonly ownTurn: boolean;
}

/** What the HTTP side needs from a delivery loop, in this thread (`DeliveryWorker`) or its own (`ThreadedDelivery`). */
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
}
