/** Options of the local stack's app builder (`buildApp` in app.ts). */
import type pino from "pino";
import type { RouteRow } from "../infra/table";
import type { DeliveryOutcome } from "./delivery";

/** Options of `buildApp`. Every field is optional; the defaults are what `npm start` uses. */
export interface LocalOptions {
  /** SQLite file of the bus (created with its folder). Default `.data/backbone.db`. Use a temp file in tests. */
  dbPath?: string;
  /** `NORMAL` (default) survives a process crash; `FULL` also survives an OS crash, at some ingest cost. */
  synchronous?: "NORMAL" | "FULL";
  /** WAL checkpoints on a worker thread every this many ms (default 200); 0 leaves them to SQLite's commits. */
  checkpointIntervalMs?: number;
  /**
   * The routing table, inline. Its processors are functions, which cannot be posted to a thread, so a table
   * given here is delivered on the main thread (`delivery: "in-thread"`). Tests pass tables with failing
   * processors this way. For the delivery thread, name a module with `routesModule` instead.
   */
  routes?: readonly RouteRow[];
  /**
   * Module (absolute path, or relative to the project root) exporting `routes: RouteRow[]`; both threads load
   * it. Default `infra/routes`. Ignored when `routes` is given.
   */
  routesModule?: string;
  /**
   * Where the delivery loop, the processors and their emits run. `in-thread` (default): the main event loop.
   * `thread`: a `worker_threads` Worker (`delivery-thread.ts`) with its own SQLite reader connection, so
   * processing does not run on the event loop that answers `POST /events`; the main thread stays the only
   * SQLite writer; a crashed thread is restarted and redelivers what was open. It needs the table as
   * `routesModule` (not `routes`), no custom `now` and a database file. Measured on a 2-core machine it is
   * the slower choice end to end (BENCHMARKS.md), hence not the default. `BACKBONE_DELIVERY` for `npm start`.
   */
  delivery?: "thread" | "in-thread";
  /**
   * Port the processors' EventBridge client (`ctx.emit`) targets. Default: the port this app listens on, read
   * when the first event is emitted. Set it only when another process serves the EventBridge API.
   */
  port?: number;
  /**
   * How `ctx.emit`'s real EventBridge client reaches this server's EventBridge API: `in-process` (default), a
   * direct call to the code behind `POST /`, or `http`, a loopback socket to `emitEndpoint`/`port`/the
   * listening port. See `emit-transport.ts` for why.
   */
  emitTransport?: "in-process" | "http";
  /** Full endpoint for `ctx.emit` (overrides `port`), e.g. `http://127.0.0.1:3000`. */
  emitEndpoint?: string;
  /** Bus name used by `ctx.emit` and accepted as PutEvents `EventBusName` (with `default` and its ARN). Default `backbone`. */
  busName?: string;
  /** Envelope `region` and emit client region. Default `ap-southeast-2`, the dev stack's region. */
  region?: string;
  /** Envelope `account`. Default `000000000000`. */
  account?: string;
  /** Delay before the first retry of a failed delivery; doubles per retry. Default 1000. Tests use ~10. */
  retryBaseDelayMs?: number;
  /** Cap on the delay between attempts. Default 60000. */
  retryMaxDelayMs?: number;
  /**
   * Open deliveries at which `POST /events` answers 429 (PutEvents throttles at twice this). They wait on disk
   * (~1.3 KB each). Default 1,000,000. `BACKBONE_MAX_PENDING` for `npm start`.
   */
  maxPending?: number;
  /**
   * Producer requests (`POST /events`, `POST /`) per second, over 500 ms windows, at which the in-thread
   * delivery loop yields to ingest:
   * deliveries then start at `ingestPriorityTrickle` per second until the burst ends or the backlog reaches half
   * of `maxPending` (`ingest-priority.ts`). 0 turns this off. Default 5000. `BACKBONE_INGEST_PRIORITY_RATE`.
   */
  ingestPriorityRate?: number;
  /** Deliveries started per second while delivery yields to ingest. Default 10. `BACKBONE_INGEST_PRIORITY_TRICKLE`. */
  ingestPriorityTrickle?: number;
  /** Processor invocations running at once. Default 64 (measured: 16 queued deliveries behind emitting ones). */
  concurrency?: number;
  /** Timeout for routes without `timeoutSeconds`, like the Lambda default. Default 10. */
  defaultTimeoutSeconds?: number;
  /** New deliveries started from memory at most; beyond, they are read back from SQLite. Default 10000. */
  readyQueueCap?: number;
  /**
   * pino logger for the server and the processors. Default: silent. The delivery thread logs at this logger's
   * level as JSON lines on stdout (pretty when stdout is a terminal), not through this instance.
   */
  logger?: pino.Logger;
  /** Called after every delivery attempt (benches measure latency with it). */
  onOutcome?: (outcome: DeliveryOutcome) => void;
  /** The clock of the bus and the delivery loop (not of Fastify); implies `delivery: "in-thread"`. */
  now?: () => Date;
}
