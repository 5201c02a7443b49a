/**
 * The delivery thread's own code (it runs inside a `worker_threads` Worker that `handle.ts` starts): the delivery loop, the
 * processors and their emits run here, on their own event loop, so they never hold up `POST /events` on the
 * main thread. It reads SQLite on its own connection (WAL: readers never wait) and sends its writes to the
 * main thread, the only writer (`local/store/remote-writes.ts` says why). The open-deliveries count is shared memory, so the main
 * thread's backlog bound stays exact.
 *
 * The main thread commits accepted events and posts them here (`events`, with the highest `seq` it committed);
 * deliveries of events after that `seq` are never read from disk here, so none runs twice. Processors' emits
 * go through the real EventBridge client, answered in this thread by the same PutEvents code as `POST /`
 * (`../emit-transport.ts`), which has the main thread commit the entries (`put`) before it answers.
 * The routing table holds functions, so it is loaded here from its module (`routesModule`).
 */
import { parentPort, workerData } from "node:worker_threads";
import type { RouteRow } from "../../../infra/table";
import { busNamesFor, type EventBridgeContext } from "../../eventbridge";
import { threadLogger } from "../../logging";
import { Store } from "../../store";
import { makeInvoke } from "../invoke";
import { DeliveryLoop } from "../loop";
import { logOutcome } from "../outcome-log";
import type { AttemptState, FromThread, ThreadData, ToThread } from "./messages";

function main(data: ThreadData): void {
  const port = parentPort;
  if (!port) throw new Error("local/delivery/thread/worker.ts runs as a worker thread only");
  const routes = (require(data.routesModule) as { routes: readonly RouteRow[] }).routes;
  const log = threadLogger(data.log.level, data.log.pretty);
  const now = () => new Date();
  const retried = new Set<number>();
  const store = new Store(data.dbPath, {
    // A reader: the main thread writes, migrates and checkpoints.
    synchronous: "NORMAL",
    checkpointIntervalMs: 0,
    deliveryRows: "with-event",
    maxResultBytes: data.maxResultBytes,
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
  const delivery = new DeliveryLoop(store, routes, invoke, data.delivery, {
    now,
    diskBound: () => mainSeq,
    onInFlight: (key, running) => (running ? state().started : state().ended).push(key),
    onOutcome: (o) => {
      logOutcome(log, o);
      if (data.reportOutcomes) state().outcomes.push(o);
    },
  });
  const ctx: EventBridgeContext = {
    backlog: store,
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
