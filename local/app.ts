/**
 * The local stack's app builder: the routing table and processors of the cloud stack behind the deployed API's
 * contract, EventBridge's JSON API, a durable SQLite bus and a delivery loop. `buildApp` does not listen, so
 * tests drive it in-process; `local/main.ts` is the `npm start` entry.
 *
 * This file only wires: options are resolved once (`options/`), and each component gets its collaborators in
 * its constructor. This thread answers HTTP, commits and runs the delivery loop; the processors run isolated in
 * worker threads (`delivery/pool/`), or, for inline test tables only, unisolated here (`delivery/invoke.ts`).
 */
import Fastify, { LogController, type FastifyBaseLogger, type FastifyInstance } from "fastify";
import type pino from "pino";
import { API_SOURCE, ARCHIVE_PATTERN, eventCatalog } from "../infra/table";
import { archiveCounter, archiveSources, Bus, ReplayEngine } from "./bus";
import {
  DeliveryLoop,
  IngestPriority,
  logOutcome,
  makeInvoke,
  ProcessorPool,
  type DeliveryOutcome,
  type Invoke,
} from "./delivery";
import { busNamesFor, type EventBridgeContext } from "./eventbridge";
import { EventStream, EventValidator, Metrics, registerHttp, serverOptions, type HttpContext } from "./http";
import { emitEndpoint, listenOn } from "./listen";
import { silentLogger } from "./logging";
import { DEFAULTS, resolveOptions, type LocalOptions } from "./options";
import { Store, type NewEvent, type StorageHealth } from "./store";

export type { LocalOptions } from "./options";

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
  /** The delivery loop (on this thread). */
  readonly worker: DeliveryLoop;
  /** The processor workers (absent with `isolation: "none"`). */
  readonly pool?: ProcessorPool;
  /** Where processors run (see `LocalOptions.isolation`). */
  readonly isolation: "workers" | "none";
  /** The ingest-first gate of the delivery loop. */
  readonly priority: IngestPriority;
  /** Deliveries left open by the previous process (pending, retrying, or interrupted by a crash) at start. */
  readonly recovered: number;
  /** The one replay engine (StartReplay, `POST /local/replay`). */
  readonly replays: ReplayEngine;
}

export function buildApp(options: LocalOptions = {}): LocalApp {
  const resolved = resolveOptions(options);
  const { routes, now, maxPending } = resolved;
  const log = options.logger ?? silentLogger();
  // Delivery pauses while the store cannot write; when it can again, the loop is woken (set once it exists).
  let wake = (): void => undefined;
  const store = new Store(resolved.dbPath, {
    ...resolved.store,
    onError: (message) => log.error({ error: message }, "WAL checkpoint failed"),
    onHealth: (health) => storageChanged(log, health, () => wake()),
  });
  // pino 10's types are wider than the pino 9 ones Fastify declares; the runtime contract is the same.
  const app: FastifyInstance = Fastify({
    loggerInstance: log as unknown as FastifyBaseLogger,
    // One line per request would dominate the log and the ingest cost; delivery outcomes are logged instead.
    logController: new LogController({ disableRequestLogging: true }),
    ...serverOptions(resolved.http),
  });
  const endpoint = emitEndpoint(app, resolved);
  // What lets this server's processors, and only them, say which delivery emitted an event (x-backbone-cause).
  const { emitKey } = resolved;
  const overHttp = resolved.emitTransport === "http";

  let worker: DeliveryLoop;
  let pool: ProcessorPool | undefined;
  let priority: IngestPriority;
  let destroyClient = (): void => undefined;
  let startDelivery: () => void;
  let recovered = 0;
  let replays: ReplayEngine;
  // What every commit and every delivery outcome is also told: the metrics and the live stream.
  const metrics = new Metrics(routes, resolved.names, store);
  const stream = new EventStream(DEFAULTS.streamBufferMessages);
  const observeCommit = (events: readonly NewEvent[]) => {
    metrics.committed(events);
    stream.committed(events);
  };
  const observeOutcome = (o: DeliveryOutcome) => {
    metrics.outcome(o);
    stream.outcome(o);
    options.onOutcome?.(o);
  };
  try {
    priority = new IngestPriority({
      ...resolved.ingestPriority,
      backlog: () => store.openDeliveries,
      backlogHigh: () => store.openDeliveries >= maxPending / 2,
    });
    const busNames = busNamesFor(resolved.busName, resolved.region, resolved.account, resolved.busAliases);
    const busOptions = {
      account: resolved.account,
      region: resolved.region,
      now,
      // Once per event, at info: an event nothing receives is most often a mistake of the producer's.
      onUnrouted: (e: NewEvent, reason: string) =>
        log.info({ eventId: e.id, detailType: e.detailType, source: e.source, reason }, "event unrouted"),
    };
    let invoke: Invoke;
    if (resolved.isolation === "workers") {
      pool = new ProcessorPool({
        routesModule: resolved.routesModule,
        store,
        // Emits join the requests' group commit: the worker waits for the answer, not this thread.
        commit: (entries) => bus.putSoon(entries),
        now,
        region: resolved.region,
        account: resolved.account,
        busName: resolved.busName,
        busAliases: resolved.busAliases,
        maxPending,
        defaultMemoryMb: resolved.workers.defaultMemoryMb,
        startTimeoutMs: resolved.workers.startTimeoutMs,
        log,
        workerLog: {
          level: log.level,
          pretty: options.logger !== undefined && process.stdout.isTTY === true,
        },
        emitEndpoint: overHttp ? endpoint : undefined,
        emitKey,
      });
      invoke = pool.invoke;
    } else {
      const runtime = makeInvoke({
        store,
        log,
        now,
        region: resolved.region,
        busName: resolved.busName,
        emit: overHttp ? { endpoint } : { context: () => eventBridge },
        emitKey,
      });
      destroyClient = runtime.destroy;
      invoke = runtime.invoke;
    }
    const loop = new DeliveryLoop(store, routes, invoke, resolved.deliverySettings, {
      now,
      gate: priority,
      onOutcome: (o) => {
        logOutcome(log, o);
        observeOutcome(o);
      },
    });
    const bus = new Bus(store, routes, {
      ...busOptions,
      onCommit: (events, c) => {
        loop.enqueue(events, c);
        observeCommit(events);
      },
    });
    worker = loop;
    startDelivery = () => void loop.start();
    const sources = archiveSources(ARCHIVE_PATTERN);
    replays = new ReplayEngine({
      store: store.replays,
      backlog: store,
      maxPending,
      put: (entries, within) => bus.put(entries, within),
      archiveSources: sources,
      pageSize: DEFAULTS.replayPageSize,
      pauseMs: DEFAULTS.replayPauseMs,
      now,
      log,
    });
    const eventBridge: EventBridgeContext = {
      emitKey,
      backlog: store,
      maxPending,
      commit: async (entries) => bus.put(entries),
      ...busNames,
      control: {
        names: resolved.names,
        arns: resolved.arns,
        account: resolved.account,
        routes,
        busAliases: resolved.busAliases,
        createdAt: store.createdAt(),
        archiveStats: archiveCounter(store.replays, sources),
        replays,
      },
    };
    const ctx: HttpContext = {
      routes,
      store,
      bus,
      worker,
      validator: new EventValidator(eventCatalog(routes), API_SOURCE),
      eventBridge,
      maxPending,
      log,
      now,
      isolation: resolved.isolation,
      pool,
      priority,
      replays,
      names: resolved.names,
      arns: resolved.arns,
      metrics,
      stream,
      limits: {
        listLimit: DEFAULTS.listLimit,
        listMaxLimit: DEFAULTS.listMaxLimit,
        listMaxBytes: DEFAULTS.listMaxBytes,
        listScanRows: DEFAULTS.listScanRows,
        treeMaxEvents: DEFAULTS.treeMaxEvents,
      },
      http: resolved.http,
    };
    registerHttp(app, ctx);
    wake = () => worker.poll();
    recovered = store.openDeliveries;
    // Over http, emits need this server's socket, so deliveries wait until it listens (unless told where).
    const needsSocket = overHttp && !resolved.emitEndpoint && !resolved.port;
    if (needsSocket) app.addHook("onListen", async () => startDelivery());
    else startDelivery();
    // Replays a stopped process left running go on where their last committed page ended.
    const resumed = replays.resume();
    if (resumed > 0) log.info({ resumed }, "resuming replays");
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
    pool,
    isolation: resolved.isolation,
    priority,
    recovered,
    replays,
    listen({ port = 0, host = "127.0.0.1" } = {}) {
      return listenOn(app, { port, host, token: resolved.http.token, log });
    },
    close() {
      // Deliveries stop first: attempts in progress may still emit through this server.
      closing ??= (async () => {
        replays.stop();
        await worker.stop();
        await pool?.stop();
        await app.close();
        destroyClient();
        await store.close();
      })();
      return closing;
    },
  };
}

/** Logs a change of the storage state; when it is ok again, delivery is woken (it paused meanwhile). */
function storageChanged(log: pino.Logger, health: StorageHealth, resume: () => void): void {
  if (health.ok) {
    log.info({ unwritten: health.unwritten }, "storage writes again: delivery resumes");
    resume();
  } else {
    log.error({ state: health.state, since: health.since }, health.message ?? "storage fault");
  }
}
