/**
 * The local stack's app builder: the routing table and processors of the cloud stack behind the deployed API's
 * contract, EventBridge's JSON API, a durable SQLite bus and a delivery loop. `buildApp` does not listen, so
 * tests drive it in-process; `local/main.ts` is the `npm start` entry.
 */
import { EventBridgeClient } from "@aws-sdk/client-eventbridge";
import Fastify, { LogController, type FastifyBaseLogger, type FastifyInstance } from "fastify";
import type { AddressInfo } from "node:net";
import type pino from "pino";
import { eventCatalog } from "../infra/catalog";
import { routes as defaultRoutes, type RouteRow } from "../infra/routes";
import { API_SOURCE } from "../infra/sources";
import { eventBridgePublisher } from "../processors/emit";
import { runProcessor, type EmitEntry, type Publisher } from "../processors/runtime";
import { Bus } from "./bus";
import type { LocalContext } from "./context";
import { DeliveryWorker, type DeliveryOutcome, type Invoke } from "./delivery";
import { inProcessRequestHandler } from "./emit-transport";
import { answerAwsText, registerEventBridgeApi } from "./eventbridge-api";
import { BODY_LIMIT, registerErrorHandling, registerEventsRoute, registerParsers } from "./http";
import { processorLogger, silentLogger } from "./logging";
import { registerOps } from "./ops";
import { Store } from "./store";
import { EventValidator } from "./validation";

/** Options of `buildApp`. Every field is optional; the defaults are what `npm start` uses. */
export interface LocalOptions {
  /** SQLite file of the bus (created with its folder). Default `.data/backbone.db`. Use a temp file in tests. */
  dbPath?: string;
  /** `NORMAL` (default) survives a process crash; `FULL` also survives an OS crash, at some ingest cost. */
  synchronous?: "NORMAL" | "FULL";
  /** WAL checkpoints on a worker thread every this many ms (default 200); 0 leaves them to SQLite's commits. */
  checkpointIntervalMs?: number;
  /** The routing table. Default: `infra/routes.ts`. Tests pass tables with failing processors. */
  routes?: readonly RouteRow[];
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
  /** Envelope `region` and emit client region. Default `us-east-1`. */
  region?: string;
  /** Envelope `account`. Default `000000000000`. */
  account?: string;
  /** Delay before the first retry of a failed delivery; doubles per retry. Default 1000. Tests use ~10. */
  retryBaseDelayMs?: number;
  /** Cap on the delay between attempts. Default 60000. */
  retryMaxDelayMs?: number;
  /** Open deliveries at which `POST /events` answers 429 (PutEvents throttles at twice this). Default 10000. */
  maxPending?: number;
  /** Processor invocations running at once. Default 64 (measured: 16 queued deliveries behind emitting ones). */
  concurrency?: number;
  /** Timeout for routes without `timeoutSeconds`, like the Lambda default. Default 10. */
  defaultTimeoutSeconds?: number;
  /** New deliveries started from memory at most; beyond, they are read back from SQLite. Default 10000. */
  readyQueueCap?: number;
  /** pino logger for the server and the processors. Default: silent. */
  logger?: pino.Logger;
  /** Called after every delivery attempt (benches measure latency with it). */
  onOutcome?: (outcome: DeliveryOutcome) => void;
  /** The clock of the bus and the delivery loop (not of Fastify). Default `() => new Date()`. */
  now?: () => Date;
}

/** A built, not yet listening, local stack. */
export interface LocalApp {
  readonly app: FastifyInstance;
  /**
   * Listens (default `127.0.0.1`, port 0 = a free port) and resolves with the base URL, e.g.
   * `http://127.0.0.1:3000`. Delivery starts at build time, or, with `emitTransport: "http"` and neither
   * `port` nor `emitEndpoint`, once the server listens.
   */
  listen(options?: { port?: number; host?: string }): Promise<string>;
  /** Stops delivering (waiting briefly for attempts in progress), closes the server, then the database. */
  close(): Promise<void>;
  readonly store: Store;
  readonly worker: DeliveryWorker;
  /** Deliveries left open by the previous process (pending, retrying, or interrupted by a crash) at start. */
  readonly recovered: number;
}

export function buildApp(options: LocalOptions = {}): LocalApp {
  const routes = options.routes ?? defaultRoutes;
  const log = options.logger ?? silentLogger();
  const now = options.now ?? (() => new Date());
  const region = options.region ?? "us-east-1";
  const account = options.account ?? "000000000000";
  const busName = options.busName ?? "backbone";
  const store = new Store(options.dbPath ?? ".data/backbone.db", {
    synchronous: options.synchronous,
    checkpointIntervalMs: options.checkpointIntervalMs,
    onError: (message) => log.error({ error: message }, "WAL checkpoint failed"),
  });
  // pino 10's types are wider than the pino 9 ones Fastify declares; the runtime contract is the same.
  const app: FastifyInstance = Fastify({
    loggerInstance: log as unknown as FastifyBaseLogger,
    // One line per request would dominate the log and the ingest cost; delivery outcomes are logged instead.
    logController: new LogController({ disableRequestLogging: true }),
    bodyLimit: BODY_LIMIT,
  });

  let ctx: LocalContext | undefined;
  const context = (): LocalContext => {
    if (!ctx) throw new Error("the local stack is not built yet");
    return ctx;
  };
  let client: EventBridgeClient | undefined;
  let real: Publisher | undefined;
  const endpoint = (): string => {
    if (options.emitEndpoint) return options.emitEndpoint;
    if (options.port) return `http://127.0.0.1:${options.port}`;
    const address = app.server.address() as AddressInfo | null;
    if (!address)
      throw new Error("the local stack is not listening, so ctx.emit has no EventBridge endpoint");
    const wildcard = address.address === "0.0.0.0" || address.address === "::";
    const host = wildcard
      ? "127.0.0.1"
      : address.family === "IPv6"
        ? `[${address.address}]`
        : address.address;
    return `http://${host}:${address.port}`;
  };
  // Created on first emit: with port 0 the endpoint is only known once the server listens.
  const publisher: Publisher = {
    publish(entries: EmitEntry[]): Promise<void> {
      if (!real) {
        const inProcess = options.emitTransport !== "http";
        client = new EventBridgeClient({
          endpoint: inProcess ? "http://127.0.0.1" : endpoint(),
          region,
          credentials: { accessKeyId: "local", secretAccessKey: "local" },
          ...(inProcess
            ? { requestHandler: inProcessRequestHandler((t, b) => answerAwsText(context(), t, b)) as never }
            : {}),
        });
        real = eventBridgePublisher(client, busName);
      }
      return real.publish(entries);
    },
  };
  const idempotency = {
    get: async (key: string) => store.getIdempotent(key),
    put: async (key: string, result: unknown) => store.putIdempotent(key, result, now().getTime()),
  };
  const invoke: Invoke = (route, event) =>
    runProcessor((e, c) => route.processor.handle(e, c), route.processor.name, route.key, event, {
      store: idempotency,
      publisher,
      logger: (bindings) => processorLogger(log, bindings),
      now,
    });

  let worker: DeliveryWorker;
  let recovered = 0;
  try {
    const bus = new Bus(store, routes, { account, region, now });
    worker = new DeliveryWorker(store, routes, invoke, {
      concurrency: options.concurrency ?? 64,
      retryBaseDelayMs: options.retryBaseDelayMs ?? 1000,
      retryMaxDelayMs: options.retryMaxDelayMs ?? 60_000,
      defaultTimeoutSeconds: options.defaultTimeoutSeconds ?? 10,
      readyQueueCap: options.readyQueueCap ?? 10_000,
      now,
      onOutcome: (o) => {
        const fields = { eventId: o.eventId, routeKey: o.routeKey, attempt: o.attempt, error: o.error };
        if (o.status === "done") log.debug(fields, "delivered");
        else if (o.status === "retrying") log.warn(fields, "delivery failed; will retry");
        else log.error(fields, "delivery failed; dead-lettered");
        options.onOutcome?.(o);
      },
    });
    bus.onCommit = (events) => worker.enqueue(events);
    ctx = {
      routes,
      store,
      bus,
      worker,
      validator: new EventValidator(eventCatalog(routes), API_SOURCE),
      maxPending: options.maxPending ?? 10_000,
      busNames: new Set(
        ["default", busName].flatMap((n) => [n, `arn:aws:events:${region}:${account}:event-bus/${n}`]),
      ),
      log,
      now,
    };
    registerParsers(app);
    registerErrorHandling(app);
    registerEventsRoute(app, ctx);
    registerEventBridgeApi(app, ctx);
    registerOps(app, ctx);
    recovered = store.openDeliveries;
    // Over http, emits need this server's socket, so deliveries wait until it listens (unless told where).
    const needsSocket = options.emitTransport === "http" && !options.emitEndpoint && !options.port;
    if (needsSocket) app.addHook("onListen", async () => void worker.start());
    else worker.start();
  } catch (err) {
    void store.close();
    throw err;
  }
  if (recovered > 0) log.info({ recovered }, "delivering what the previous process left open");

  let closing: Promise<void> | undefined;
  return {
    app,
    store,
    worker,
    recovered,
    async listen({ port = 0, host = "127.0.0.1" } = {}) {
      await app.listen({ port, host });
      const address = app.server.address() as AddressInfo;
      return `http://${host}:${address.port}`;
    },
    close() {
      // Deliveries stop first: attempts in progress may still emit through this server.
      closing ??= (async () => {
        await worker.stop();
        await app.close();
        client?.destroy();
        await store.close();
      })();
      return closing;
    },
  };
}
