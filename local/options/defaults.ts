/**
 * Every default of the local stack, once (`DEFAULTS`), and what `buildApp` accepts (`LocalOptions`).
 * local/README.md's settings table is checked against `DEFAULTS` by a test.
 */
import type pino from "pino";
import { ROUTE_DEFAULTS, type RouteRow } from "../../infra/table";
import { MAX_RESULT_BYTES } from "../../processors/runtime";
import type { DeliveryOutcome } from "../delivery";

/** Every default of the local stack. */
export const DEFAULTS = {
  /** Where `npm start` listens. */
  port: 3000,
  host: "127.0.0.1",
  /** pino level of `npm start`'s logger. */
  logLevel: "info",
  dbPath: ".data/backbone.db",
  synchronous: "NORMAL",
  /** WAL checkpoints on a worker thread every this many ms (0: in SQLite's commits). */
  checkpointIntervalMs: 200,
  /** Module exporting `routes`, relative to the project root. */
  routesModule: "infra/routes",
  /** Processors in worker threads of their own (`delivery/pool/`); `none` only for inline test tables. */
  isolation: "workers",
  /** A worker that has not loaded its routing table within this time is stopped (its attempts fail). */
  workerStartTimeoutMs: 30_000,
  emitTransport: "in-process",
  /**
   * The local stack's identity for `infra/table/names.ts`: the Pulumi project (`Pulumi.yaml`'s `name`) and a
   * stack named `local`, so its bus, rules, targets and archive have the names and ARNs a `pulumi up` of a stack
   * named `local` would give them (`aws events list-rules` reads alike on both).
   */
  project: "event-backbone",
  stack: "local",
  /** Bus names of earlier versions, still accepted wherever an `EventBusName` is (clients and docs use them). */
  busAliases: ["backbone"],
  /** The dev stack's region. */
  region: "ap-southeast-2",
  account: "000000000000",
  retryBaseDelayMs: 1000,
  retryMaxDelayMs: 60_000,
  /**
   * Open deliveries at which `POST /events` answers 429. They wait on disk, not in memory (about 1.3 KB of
   * SQLite each with the scenario events, so ~1.3 GB at the bound): the bound is what lets a burst be accepted
   * at ingest speed and processed afterwards (`delivery/ingest-priority.ts`).
   */
  maxPending: 1_000_000,
  /** Delivery yields to producers who saturate the server (`delivery/ingest-priority.ts`); `off`: never. */
  ingestPriority: "on",
  /** Event-loop utilization (a fraction of the main thread's time) at which the server counts as saturated. */
  ingestPriorityLoad: 0.9,
  /** How many times more producer events a one-window probe must bring for delivery to keep yielding. */
  ingestPriorityGain: 1.5,
  /** Deliveries started per second while delivery yields. */
  ingestPriorityTrickle: 10,
  /**
   * The window saturation is measured over (monotonic clock). Long enough that a short burst (e.g. 1,000
   * requests at once, once a second, which takes a few tens of ms to accept) does not saturate a window; after
   * a long burst, delivery resumes within one window.
   */
  ingestPriorityWindowMs: 250,
  /** Processor invocations at once (measured: 16 queued deliveries behind emitting ones). */
  concurrency: 64,
  /** Timeout of a route without `timeoutSeconds`: the cloud stack's Lambda default. */
  defaultTimeoutSeconds: ROUTE_DEFAULTS.timeoutSeconds,
  /** Heap limit of a route's worker without `memoryMb`: the cloud stack's Lambda default memory. */
  defaultMemoryMb: ROUTE_DEFAULTS.memoryMb,
  /** New deliveries started from memory at most; beyond, they are read back from SQLite. */
  readyQueueCap: 10_000,
  /** Archived events a replay reads and re-sends per step (one transaction each). */
  replayPageSize: 500,
  /** While the backlog is at `maxPending`, a replay looks again after this many ms. */
  replayPauseMs: 200,
  /** Events per page of `GET /local/events` unless `limit` says (at most `listMaxLimit`). */
  listLimit: 50,
  listMaxLimit: 1000,
  /** A page of `GET /local/events` or `GET /local/dlq` stops once its stored events reach this many bytes. */
  listMaxBytes: 1024 * 1024,
  /** Events one page of `GET /local/events` looks through at most (filters run in SQL over this window). */
  listScanRows: 20_000,
  /** Messages a slow `GET /local/events/stream` client may have waiting; older ones are dropped beyond. */
  streamBufferMessages: 1000,
  /** Events `GET /local/events/:id` shows in one causal tree at most. */
  treeMaxEvents: 200,
  /**
   * A processor result over this many bytes (as JSON) is stored truncated, marked `truncated` with its size, in
   * the delivery row and the idempotency table (local/store/results.ts).
   */
  maxResultBytes: MAX_RESULT_BYTES,
  /**
   * How often the database file is checked (deleted or replaced: noticed within this) and writes it refused
   * (disk full) are retried; delivery resumes on its own at the first that succeeds.
   */
  storageCheckMs: 500,
  /**
   * Bearer token every request must carry (`Authorization: Bearer <token>`, or as the SigV4 access key id of
   * EventBridge's API). Empty: none, which only a loopback listener allows.
   */
  token: "",
  /**
   * The key this server's processors name a follow-up's cause with (`LocalOptions.emitKey`). Empty: a random one
   * at each start, known only to this process.
   */
  emitKey: "",
  /** Comma-separated `Host` names accepted besides loopback ones (`*`: any); others get 403. */
  allowedHosts: "",
  /** A request's headers must arrive within this (slow-header clients: 408). */
  headersTimeoutMs: 10_000,
  /** A whole request, body included, must arrive within this (slow-body clients: 408). */
  requestTimeoutMs: 30_000,
  /** An idle keep-alive connection is closed after this. */
  keepAliveTimeoutMs: 5_000,
  /** A connection with no traffic either way (a client not reading its answer) is closed after this. */
  connectionTimeoutMs: 60_000,
  /** Connections at once; further ones are closed at accept (each may buffer a body of up to `BODY_LIMIT`). */
  maxConnections: 512,
} as const;

/** What an `emitKey` may be: 16 to 256 characters that a header carries unchanged. */
export const EMIT_KEY_FORM = /^[A-Za-z0-9._~+/=-]{16,256}$/;

/** Options of `buildApp`. Every field is optional; `DEFAULTS` says what `npm start` uses. */
export interface LocalOptions {
  /** SQLite file of the bus (created with its folder). Use a temp file in tests. */
  dbPath?: string;
  /** `NORMAL` survives a process crash; `FULL` also survives an OS crash, at some ingest cost. */
  synchronous?: "NORMAL" | "FULL";
  /** WAL checkpoints on a worker thread every this many ms; 0 leaves them to SQLite's commits. */
  checkpointIntervalMs?: number;
  /**
   * The routing table, inline. Its processors are functions, which cannot be posted to a worker, so such a
   * table runs unisolated and needs `isolation: "none"` said explicitly (tests with inline failing processors).
   * To isolate a test table, put it in a module and name it with `routesModule`.
   */
  routes?: readonly RouteRow[];
  /**
   * Module (absolute path, or relative to the project root) exporting `routes: RouteRow[]`; the main thread
   * and every processor worker load it. Ignored when `routes` is given.
   */
  routesModule?: string;
  /**
   * Where processors run. `workers` (default): each route's processor in a `worker_threads` Worker of its own
   * with its row's `memoryMb` as heap limit (`delivery/pool/`): a crash, `process.exit` or the heap limit fails
   * that worker's attempts (retried, then dead-lettered) and a timeout stops the attempt; the server carries on.
   * `none`: on the main thread, unisolated (`delivery/invoke.ts`): any of those takes the server down (and again
   * at each restart, since the event is redelivered), and a timed-out attempt keeps running. Only for inline
   * tables (`routes`), which cannot be posted to a worker.
   */
  isolation?: "workers" | "none";
  /**
   * Port the processors' EventBridge client (`ctx.emit`) targets with `emitTransport: "http"`. Default: the
   * port this app listens on, read when the first event is emitted. Set it only when another process serves
   * the EventBridge API.
   */
  port?: number;
  /**
   * How `ctx.emit`'s real EventBridge client reaches this server's EventBridge API: `in-process`, a direct
   * call to the code behind `POST /`, or `http`, a loopback socket to `emitEndpoint`/`port`/the listening
   * port. See `delivery/emit-transport.ts` for why.
   */
  emitTransport?: "in-process" | "http";
  /** Full endpoint for `ctx.emit` (overrides `port`), e.g. `http://127.0.0.1:3000`. */
  emitEndpoint?: string;
  /**
   * The key this server's processors send with their PutEvents (`x-backbone-emit-key`) so the follow-ups'
   * cause is accepted; a call naming a cause without it is refused. Default: random at each start, known only
   * to this process. Set the same key on both when another process serves the EventBridge API (`port`);
   * `npm start` reads it from `BACKBONE_EMIT_KEY`. At least 16 characters of `EMIT_KEY_FORM`, since it travels in a
   * header and must not be guessable.
   */
  emitKey?: string;
  /**
   * The stack name the local stack's resource names derive from (`DEFAULTS.stack`, `infra/table/names.ts`): the
   * bus `ctx.emit` uses and PutEvents accepts (with `default`, `DEFAULTS.busAliases` and their ARNs), the rules,
   * targets and archive the EventBridge API lists.
   */
  stack?: string;
  /** Envelope `region` and emit client region. */
  region?: string;
  /** Envelope `account`. */
  account?: string;
  /** Delay before the first retry of a failed delivery; doubles per retry. Tests use ~10. */
  retryBaseDelayMs?: number;
  /** Cap on the delay between attempts. */
  retryMaxDelayMs?: number;
  /** Open deliveries at which `POST /events` answers 429 (PutEvents throttles at twice this). */
  maxPending?: number;
  /**
   * `on`: delivery yields to producers who are held back by it: when, two windows in a row, producers send while
   * the backlog grows or the main thread is saturated (event-loop utilization at or above `ingestPriorityLoad`),
   * delivery yields for a window, and keeps yielding while producers then send `ingestPriorityGain` times as fast
   * or saturate the thread by themselves; deliveries then start at `ingestPriorityTrickle` per second until that
   * ends or the backlog reaches half of `maxPending` (`delivery/ingest-priority.ts`). `off`: never.
   */
  ingestPriority?: "on" | "off";
  /** See `ingestPriority` (0–1; tests use 0: any yield then lasts while producers send). */
  ingestPriorityLoad?: number;
  /** See `ingestPriority` (tests use 0 to keep yielding after any probe). */
  ingestPriorityGain?: number;
  /** The window of `ingestPriority`'s measures, ms. */
  ingestPriorityWindowMs?: number;
  /** Deliveries started per second while delivery yields to ingest. */
  ingestPriorityTrickle?: number;
  /** Processor invocations running at once. */
  concurrency?: number;
  /** Timeout for routes without `timeoutSeconds`, like the Lambda default. */
  defaultTimeoutSeconds?: number;
  /** Heap limit (MB) of the worker of a route without `memoryMb`, like the Lambda default memory. */
  defaultMemoryMb?: number;
  /** New deliveries started from memory at most; beyond, they are read back from SQLite. */
  readyQueueCap?: number;
  /**
   * pino logger for the server (and the processors with `isolation: "none"`). Default: silent. Processor
   * workers log at this logger's level as JSON lines on stdout (pretty when stdout is a terminal), not through
   * this instance.
   */
  logger?: pino.Logger;
  /** Called after every delivery attempt (benches measure latency with it). */
  onOutcome?: (outcome: DeliveryOutcome) => void;
  /**
   * The clock of the bus and the delivery loop (not of Fastify, nor of processors in workers, which see the
   * wall clock; with `isolation: "none"` their `ctx.now()` too).
   */
  now?: () => Date;
  /** A stored processor result over this many bytes is truncated (`DEFAULTS.maxResultBytes`). */
  maxResultBytes?: number;
  /** How often the database file is checked and refused writes retried (`DEFAULTS.storageCheckMs`). */
  storageCheckMs?: number;
  /**
   * Bearer token every request must carry; required to listen beyond loopback. EventBridge API clients pass it
   * as their access key id (`AWS_ACCESS_KEY_ID`); the secret is not checked.
   */
  token?: string;
  /** `Host` names accepted besides loopback ones (`*`: any). */
  allowedHosts?: readonly string[];
  /** HTTP limits (`DEFAULTS`): headers, whole request, idle keep-alive, inactivity, connections at once. */
  headersTimeoutMs?: number;
  requestTimeoutMs?: number;
  keepAliveTimeoutMs?: number;
  connectionTimeoutMs?: number;
  maxConnections?: number;
}

/** `a, b,c` → `["a", "b", "c"]`. */
export function splitList(text: string): string[] {
  return text
    .split(",")
    .map((s) => s.trim())
    .filter((s) => s !== "");
}
