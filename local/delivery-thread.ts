/**
 * The delivery thread (a `worker_threads` Worker started by `ThreadedDelivery`): the delivery loop, the
 * processors and their emits run here, on their own event loop, so they never hold up `POST /events` on the
 * main thread. It reads SQLite on its own connection (WAL: readers never wait) and sends its writes to the
 * main thread, the only writer (`writes.ts` says why). The open-deliveries count is shared memory, so the main
 * thread's backlog bound stays exact.
 *
 * The main thread commits accepted events and posts them here (`events`, with the highest `seq` it committed);
 * deliveries of events after that `seq` are never read from disk here, so none runs twice. Processors' emits
 * go through the real EventBridge client, answered in this thread by the same PutEvents code as `POST /`
 * (`emit-transport.ts`), which has the main thread commit the entries (`put`) before it answers.
 * The routing table holds functions, so it is loaded here from its module (`routesModule`).
 */
import { parentPort, workerData } from "node:worker_threads";
import type { RouteRow } from "../infra/table";
import type { BusEntry } from "./bus";
import { DeliveryWorker, type DeliveryOutcome } from "./delivery";
import { busNamesFor, type ApiContext } from "./eventbridge-api";
import { makeInvoke } from "./invoke";
import { logOutcome, threadLogger } from "./logging";
import type { NewEvent } from "./store";
import { Store } from "./store";
import type { WriteBatch } from "./writes";

/** What `ThreadedDelivery` passes at start (`workerData`). */
export interface ThreadData {
  dbPath: string;
  /** Absolute path of a module exporting `routes: RouteRow[]`. */
  routesModule: string;
  openCounter: Int32Array;
  /** Highest event `seq` committed before this thread started: older work is read from disk. */
  startSeq: number;
  region: string;
  account: string;
  busName: string;
  maxPending: number;
  concurrency: number;
  retryBaseDelayMs: number;
  retryMaxDelayMs: number;
  defaultTimeoutSeconds: number;
  readyQueueCap: number;
  logLevel: string;
  prettyLogs: boolean;
  /** Post every outcome back (the main thread has an `onOutcome` listener). */
  reportOutcomes: boolean;
  /** `ctx.emit` over HTTP to this endpoint (sent with `start` when only known then); in process otherwise. */
  emitOverHttp: boolean;
}

/** Messages from the main thread. */
export type ToThread =
  | { type: "events"; events: NewEvent[]; seq: number }
  | { type: "poll"; seq: number }
  | { type: "confirm"; id: number }
  | { type: "put-done"; id: number; ids?: string[]; error?: string }
  | { type: "start"; endpoint?: string }
  | { type: "stop"; graceMs: number };

/** Attempts started and ended, and their outcomes (for an `onOutcome` listener), since the last message. */
export interface AttemptState {
  started: string[];
  ended: string[];
  outcomes: DeliveryOutcome[];
}

/** Messages to the main thread, batched per event-loop turn. */
export type FromThread =
  | ({ type: "state" } & AttemptState)
  | ({ type: "writes"; batch: WriteBatch } & AttemptState)
  | { type: "put"; id: number; entries: BusEntry[] }
  | { type: "ready" }
  | { type: "stopped" };

function main(data: ThreadData): void {
  const port = parentPort;
  if (!port) throw new Error("local/delivery-thread.ts runs as a worker thread only");
  const routes = (require(data.routesModule) as { routes: readonly RouteRow[] }).routes;
  const log = threadLogger(data.logLevel, data.prettyLogs);
  const now = () => new Date();
  const retried = new Set<number>();
  const store = new Store(data.dbPath, {
    openCounter: data.openCounter,
    remote: (batch) => {
      // A retry's row must be committed before the loop reads it back: poll again once confirmed.
      if (batch.retry.length > 0) retried.add(batch.id);
      // One message per turn: the attempts' state goes with the writes.
      const { started, ended, outcomes } = takeState();
      port.postMessage({ type: "writes", batch, started, ended, outcomes } satisfies FromThread);
    },
  });
  const puts = new Map<number, { resolve: (ids: string[]) => void; reject: (err: Error) => void }>();
  let putId = 0;
  let mainSeq = data.startSeq;
  let endpoint: string | undefined;

  let pending: AttemptState = { started: [], ended: [], outcomes: [] };
  let scheduled = false;
  const takeState = (): AttemptState => {
    const out = pending;
    pending = { started: [], ended: [], outcomes: [] };
    return out;
  };
  const state = (): AttemptState => {
    if (!scheduled) {
      scheduled = true;
      setImmediate(() => {
        scheduled = false;
        const out = takeState();
        if (out.started.length + out.ended.length + out.outcomes.length > 0) {
          port.postMessage({ type: "state", ...out } satisfies FromThread);
        }
      });
    }
    return pending;
  };

  const { invoke, destroy } = makeInvoke({
    store,
    log,
    now,
    region: data.region,
    busName: data.busName,
    emit: data.emitOverHttp
      ? {
          endpoint: () => {
            if (!endpoint) throw new Error("ctx.emit has no EventBridge endpoint yet");
            return endpoint;
          },
        }
      : { context: () => ctx },
  });
  const delivery = new DeliveryWorker(store, routes, invoke, {
    concurrency: data.concurrency,
    retryBaseDelayMs: data.retryBaseDelayMs,
    retryMaxDelayMs: data.retryMaxDelayMs,
    defaultTimeoutSeconds: data.defaultTimeoutSeconds,
    readyQueueCap: data.readyQueueCap,
    now,
    diskBound: () => mainSeq,
    onInFlight: (key, running) => (running ? state().started : state().ended).push(key),
    onOutcome: (o) => {
      logOutcome(log, o);
      if (data.reportOutcomes) state().outcomes.push(o);
    },
  });
  const ctx: ApiContext = {
    store,
    maxPending: data.maxPending,
    ...busNamesFor(data.busName, data.region, data.account),
    commit: (entries) =>
      new Promise((resolve, reject) => {
        const id = ++putId;
        puts.set(id, { resolve, reject });
        port.postMessage({ type: "put", id, entries: [...entries] } satisfies FromThread);
      }),
  };

  port.on("message", (m: ToThread) => {
    switch (m.type) {
      case "events":
        // The bound first: events the loop does not keep in memory (a backlog, a full queue) are read back from
        // disk at once, and a read that cannot see them would leave them there.
        mainSeq = Math.max(mainSeq, m.seq);
        delivery.enqueue(m.events, { seq: m.seq, ownTurn: true });
        break;
      case "poll":
        mainSeq = Math.max(mainSeq, m.seq);
        delivery.poll();
        break;
      case "confirm":
        store.confirm(m.id);
        if (retried.delete(m.id)) delivery.poll();
        break;
      case "put-done": {
        const put = puts.get(m.id);
        puts.delete(m.id);
        if (m.ids) put?.resolve(m.ids);
        else put?.reject(new Error(m.error ?? "the main thread did not commit the entries"));
        break;
      }
      case "start":
        endpoint ??= m.endpoint;
        delivery.start();
        break;
      case "stop":
        void delivery.stop(m.graceMs).then(async () => {
          destroy();
          await store.close();
          port.postMessage({ type: "stopped" } satisfies FromThread);
          port.close();
        });
        break;
    }
  });
  port.postMessage({ type: "ready" } satisfies FromThread);
}

main(workerData as ThreadData);
