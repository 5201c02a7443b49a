/**
 * The local stack's app builder: the routing table and processors of the cloud stack behind the deployed API's
 * contract, EventBridge's JSON API, a durable SQLite bus and a delivery loop. `buildApp` does not listen, so
 * tests drive it in-process; `local/main.ts` is the `npm start` entry.
 *
 * The delivery loop runs on the main event loop by default, or with `delivery: "thread"` on its own thread
 * (`threaded-delivery.ts`): this thread then answers HTTP and commits; that one runs the processors.
 */
import Fastify, { LogController, type FastifyBaseLogger, type FastifyInstance } from "fastify";
import type { AddressInfo } from "node:net";
import { isAbsolute, resolve } from "node:path";
import { eventCatalog } from "../infra/table";
import type { RouteRow } from "../infra/table";
import { API_SOURCE } from "../infra/table";
import { Bus } from "./bus";
import type { LocalContext } from "./context";
import { DeliveryWorker, type DeliveryHandle } from "./delivery";
import { busNamesFor, registerEventBridgeApi } from "./eventbridge-api";
import { BODY_LIMIT, registerErrorHandling, registerEventsRoute, registerParsers } from "./http";
import { makeInvoke } from "./invoke";
import { logOutcome, silentLogger } from "./logging";
import type { LocalOptions } from "./options";
import { registerOps } from "./ops";
import { Store } from "./store";
import { IngestPriority } from "./ingest-priority";
import { ThreadedDelivery } from "./threaded-delivery";
import { EventValidator } from "./validation";

export type { LocalOptions } from "./options";

/**
 * Open deliveries at which `POST /events` answers 429. They wait on disk, not in memory (about 1.3 KB of
 * SQLite each with the scenario events, so ~1.3 GB at the bound): the bound is what lets a burst be accepted
 * at ingest speed and processed afterwards (`ingest-priority.ts`).
 */
export const DEFAULT_MAX_PENDING = 1_000_000;

/**
 * The window the producer request rate is measured over. Long enough that a short burst (e.g. 1,000 requests
 * at once, once a second) does not hold delivery back (measured: with 100 ms, such bursts put end-to-end p99 at
 * ~160 ms); after a long burst, delivery resumes within two windows.
 */
export const INGEST_PRIORITY_WINDOW_MS = 500;

/** Producer requests per second at which delivery yields to ingest (`ingest-priority.ts`). */
export const DEFAULT_INGEST_PRIORITY_RATE = 5_000;

/** The routing table `npm start` uses, as a module both threads can load. */
export const DEFAULT_ROUTES_MODULE = resolve(__dirname, "../infra/routes");

/** A built, not yet listening, local stack. */
export interface LocalApp {
  readonly app: FastifyInstance;
  /**
   * Listens (default `127.0.0.1`, port 0 = a free port) and resolves with the base URL, e.g.
   * `http://127.0.0.1:3000`. Delivery starts at build time, or, with `emitTransport: "http"` and neither
   * `port` nor `emitEndpoint`, once the server listens. Resolves once the delivery thread is ready too.
   */
  listen(options?: { port?: number; host?: string }): Promise<string>;
  /** Stops delivering (waiting briefly for attempts in progress), closes the server, then the database. */
  close(): Promise<void>;
  readonly store: Store;
  /** The delivery loop: a `DeliveryWorker` in this thread, or the handle of the delivery thread. */
  readonly worker: DeliveryHandle;
  /** Where deliveries run (see `LocalOptions.delivery`). */
  readonly delivery: "thread" | "in-thread";
  /** Deliveries left open by the previous process (pending, retrying, or interrupted by a crash) at start. */
  readonly recovered: number;
}

export function buildApp(options: LocalOptions = {}): LocalApp {
  const routesModule = options.routesModule
    ? isAbsolute(options.routesModule)
      ? options.routesModule
      : resolve(__dirname, "..", options.routesModule)
    : DEFAULT_ROUTES_MODULE;
  const routes: readonly RouteRow[] =
    options.routes ?? (require(routesModule) as { routes: readonly RouteRow[] }).routes;
  const dbPath = options.dbPath ?? ".data/backbone.db";
  const inThreadOnly = options.routes !== undefined || options.now !== undefined || dbPath === ":memory:";
  if (options.delivery === "thread" && inThreadOnly) {
    throw new Error(
      'delivery: "thread" needs the routing table as a module (routesModule, not routes), no custom now and a database file',
    );
  }
  const mode = options.delivery ?? "in-thread";
  const log = options.logger ?? silentLogger();
  const now = options.now ?? (() => new Date());
  const region = options.region ?? "ap-southeast-2";
  const account = options.account ?? "000000000000";
  const busName = options.busName ?? "backbone";
  const store = new Store(dbPath, {
    // The delivery thread reads delivery rows on its own connection, so they must exist with the event.
    lazyDeliveries: mode === "in-thread",
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
  const overHttp = options.emitTransport === "http";
  const settings = {
    concurrency: options.concurrency ?? 64,
    retryBaseDelayMs: options.retryBaseDelayMs ?? 1000,
    retryMaxDelayMs: options.retryMaxDelayMs ?? 60_000,
    defaultTimeoutSeconds: options.defaultTimeoutSeconds ?? 10,
    readyQueueCap: options.readyQueueCap ?? 10_000,
  };
  const maxPending = options.maxPending ?? DEFAULT_MAX_PENDING;
  const priority = new IngestPriority({
    rate: options.ingestPriorityRate ?? DEFAULT_INGEST_PRIORITY_RATE,
    trickle: options.ingestPriorityTrickle ?? 10,
    windowMs: INGEST_PRIORITY_WINDOW_MS,
    backlogHigh: () => store.openDeliveries >= maxPending / 2,
  });

  let worker: DeliveryHandle;
  let destroyClient = (): void => undefined;
  let startDelivery: () => void;
  let recovered = 0;
  try {
    const bus = new Bus(store, routes, { account, region, now });
    if (mode === "thread") {
      const threaded = new ThreadedDelivery(
        store,
        {
          ...settings,
          dbPath: resolve(dbPath),
          routesModule,
          region,
          account,
          busName,
          maxPending,
          logLevel: log.level,
          prettyLogs: options.logger !== undefined && process.stdout.isTTY === true,
          emitOverHttp: overHttp,
        },
        log,
        options.onOutcome,
      );
      bus.onCommit = (events, commit) => threaded.enqueue(events, commit);
      // Emits join the requests' group commit: the delivery thread waits for the answer, not this thread.
      threaded.commit = (entries) => bus.putSoon(entries);
      worker = threaded;
      startDelivery = () => threaded.start(overHttp ? endpoint() : undefined);
    } else {
      const runtime = makeInvoke({
        store,
        log,
        now,
        region,
        busName,
        emit: overHttp
          ? { endpoint }
          : {
              context: () => {
                if (!ctx) throw new Error("the local stack is not built yet");
                return ctx;
              },
            },
      });
      destroyClient = runtime.destroy;
      const inThread = new DeliveryWorker(store, routes, runtime.invoke, {
        ...settings,
        now,
        gate: priority,
        onOutcome: (o) => {
          logOutcome(log, o);
          options.onOutcome?.(o);
        },
      });
      bus.onCommit = (events, commit) => inThread.enqueue(events, commit);
      worker = inThread;
      startDelivery = () => void inThread.start();
    }
    ctx = {
      routes,
      store,
      bus,
      commit: async (entries) => bus.put(entries),
      worker,
      validator: new EventValidator(eventCatalog(routes), API_SOURCE),
      maxPending,
      ...busNamesFor(busName, region, account),
      log,
      now,
      delivery: mode,
      priority: mode === "in-thread" ? priority : undefined,
    };
    registerParsers(app);
    registerErrorHandling(app);
    registerEventsRoute(app, ctx);
    registerEventBridgeApi(app, ctx);
    registerOps(app, ctx);
    recovered = store.openDeliveries;
    // Over http, emits need this server's socket, so deliveries wait until it listens (unless told where).
    const needsSocket = overHttp && !options.emitEndpoint && !options.port;
    if (needsSocket) app.addHook("onListen", async () => startDelivery());
    else startDelivery();
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
    delivery: mode,
    recovered,
    async listen({ port = 0, host = "127.0.0.1" } = {}) {
      // Answering before the delivery thread runs would only make the first events wait for it.
      await Promise.all([app.listen({ port, host }), worker instanceof ThreadedDelivery && worker.ready]);
      const address = app.server.address() as AddressInfo;
      return `http://${host}:${address.port}`;
    },
    close() {
      // Deliveries stop first: attempts in progress may still emit through this server.
      closing ??= (async () => {
        await worker.stop();
        await app.close();
        destroyClient();
        await store.close();
      })();
      return closing;
    },
  };
}
