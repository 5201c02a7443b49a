/**
 * Processors isolated as Lambda isolates them (the default, `isolation: "workers"`): every route's processor
 * runs in a `worker_threads` Worker of its own, as every Lambda function has sandboxes of its own, started on
 * the route's first attempt and kept for the next ones. The delivery loop stays on the main thread; only the
 * processor call (`runProcessor`: the handler, its buffered emits, its logs) runs in the worker.
 *
 * - A crash of any kind (uncaught exception, unhandled rejection, `process.exit`, the heap limit) ends the
 *   worker: exactly the attempts it held (that route's, running at that moment) fail with Lambda's words for it
 *   and are retried by their route's policy, then dead-lettered; the next attempt of the route starts a new
 *   worker. Other routes never notice, and the server never dies of a processor.
 * - A timeout fails the attempt at once ("Task timed out after N.NN seconds"); its worker takes no new attempts,
 *   refuses that attempt's emits from then on, and is stopped (terminated, whatever its code is doing) as soon
 *   as the other attempts it holds are over; a new worker takes the route's next attempts.
 * - The row's `memoryMb` is the worker's V8 heap limit.
 *
 * Unlike Lambda, one worker runs all of its route's concurrent attempts (one Lambda sandbox runs one at a
 * time), so a crash also fails the other attempts of that route running in it at that moment.
 */
import type pino from "pino";
import type { RouteRow } from "../../../infra/table";
import { detailCheckCode, idempotencyKey } from "../../../processors/runtime";
import type { BusEntry } from "../../bus";
import { RuntimeFailure } from "../attempt";
import type { Invoke, PoolStats, ResultStore } from "../types";
import { bootData, warmCache } from "./bootstrap";
import { deathText, type WorkerDeath } from "./crash";
import type { WorkerData } from "./messages";
import { RouteWorker, WORKER_ENTRY } from "./route-worker";

/** The pool's collaborators and settings (resolved by `local/options/`). */
export interface PoolSetup {
  /** Absolute path of the module exporting `routes: RouteRow[]`: each worker loads it. */
  routesModule: string;
  store: ResultStore & { readonly openCounter: Int32Array };
  /** Commits what processors emit (the bus's group commit): the main thread stays SQLite's only writer. */
  commit: (entries: readonly BusEntry[]) => Promise<string[]>;
  now: () => Date;
  region: string;
  account: string;
  busName: string;
  /** Other names PutEvents accepts for the bus (`DEFAULTS.busAliases`). */
  busAliases: readonly string[];
  maxPending: number;
  /** Heap limit of a route without `memoryMb` (`ROUTE_DEFAULTS.memoryMb`). */
  defaultMemoryMb: number;
  /** A worker that has not loaded its routing table by then is stopped. */
  startTimeoutMs: number;
  log: pino.Logger;
  /** How the workers log: pino level, pretty in a terminal. */
  workerLog: { level: string; pretty: boolean };
  /** `ctx.emit` over HTTP to this endpoint (`emitTransport: "http"`); in process when absent. */
  emitEndpoint?: () => string;
  /** The key the processors' PutEvents carry with their cause (`EventBridgeContext.emitKey`). */
  emitKey: string;
}

/**
 * Each schema's `detailCheckCode`, made on the first worker start of any pool in this process: ajv's compile is
 * most of what that costs (15–30 ms a route, measured), and every pool of a process loads the same schema
 * objects. Keyed by the object, so a changed schema is a new key.
 */
const CHECK_CODE = new WeakMap<object, string>();

function detailCheckCodeOf(schema: object): string {
  let code = CHECK_CODE.get(schema);
  if (code === undefined) {
    code = detailCheckCode(schema);
    CHECK_CODE.set(schema, code);
  }
  return code;
}

export class ProcessorPool {
  /** The worker taking each route's new attempts. */
  private readonly current = new Map<string, RouteWorker>();
  private readonly all = new Set<RouteWorker>();
  private nextId = 0;
  private stopped = false;
  private readonly counts = { started: 0, crashed: 0, timedOut: 0 };
  private warmed = false;

  constructor(private readonly setup: PoolSetup) {}

  /** Runs one attempt in its route's worker (started if it has none). */
  readonly invoke: Invoke = async (route, attempt) => {
    if (this.stopped) throw new RuntimeFailure("the local stack is stopping");
    const key = idempotencyKey(route.key, attempt.eventId);
    // A redelivery: the result kept by an earlier attempt goes with it, and the runtime returns it unchanged.
    const seen = attempt.fresh ? undefined : this.setup.store.getIdempotent(key);
    const item = {
      id: ++this.nextId,
      envelope: attempt.envelope,
      seen,
      correlationId: attempt.correlationId,
    };
    const { result, stored } = await this.workerFor(route).run(item, attempt.timeoutSeconds);
    if (stored) this.setup.store.putIdempotent(key, result, this.setup.now().getTime());
    return result;
  };

  get stats(): PoolStats {
    return { workers: this.all.size, ...this.counts };
  }

  /** Stops every worker; attempts they still hold are left unsettled (the loop has stopped: delivered next start). */
  async stop(): Promise<void> {
    this.stopped = true;
    await Promise.all([...this.all].map((w) => w.stop()));
  }

  private workerFor(route: RouteRow): RouteWorker {
    const running = this.current.get(route.key);
    if (running?.accepting) return running;
    if (!this.warmed) {
      this.warmed = true;
      warmCache(bootData(WORKER_ENTRY));
    }
    const s = this.setup;
    const data: WorkerData = {
      routesModule: s.routesModule,
      routeKey: route.key,
      detailCheckCode: detailCheckCodeOf(route.processor.schema),
      region: s.region,
      account: s.account,
      busName: s.busName,
      busAliases: [...s.busAliases],
      maxPending: s.maxPending,
      openCounter: s.store.openCounter,
      log: s.workerLog,
      emitEndpoint: s.emitEndpoint?.(),
      emitKey: s.emitKey,
    };
    const worker = new RouteWorker({
      data,
      memoryMb: route.memoryMb ?? s.defaultMemoryMb,
      startTimeoutMs: s.startTimeoutMs,
      commit: s.commit,
      onGone: (w, death, failed) => this.gone(w, death, failed),
      onTimeout: (w) => {
        this.counts.timedOut += 1;
        if (this.current.get(w.routeKey) === w) this.current.delete(w.routeKey);
      },
    });
    this.counts.started += 1;
    this.current.set(route.key, worker);
    this.all.add(worker);
    return worker;
  }

  private gone(worker: RouteWorker, death: WorkerDeath | undefined, failed: number): void {
    this.all.delete(worker);
    if (this.current.get(worker.routeKey) === worker) this.current.delete(worker.routeKey);
    if (!death) return;
    this.counts.crashed += 1;
    this.setup.log.error(
      { routeKey: worker.routeKey, error: deathText(death), failedAttempts: failed },
      "a processor's worker died; its attempts failed, the route's next attempt starts a new worker",
    );
  }
}
