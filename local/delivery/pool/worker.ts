/**
 * A processor's worker (the code of a `worker_threads` Worker that `route-worker.ts` starts): it runs one route's
 * processor through the one processor runtime (`runProcessor`, as the Lambda adapter does), with
 * - idempotency: the result of an earlier attempt comes with the attempt (the main thread read it); a result
 *   to keep goes back with the attempt's outcome, and the main thread stores it;
 * - emits: answered here by the same PutEvents code as `POST /` (`../emit-transport.ts`); the accepted entries,
 *   with event ids assigned here, go to the main thread (SQLite's only writer) tagged with the attempt (`put`),
 *   and PutEvents answers without waiting for the commit: the main thread commits them before it takes the
 *   attempt's outcome (so a delivery is still done only once its emits are on the bus, and an attempt whose
 *   emits could not be committed fails), and refuses those of an attempt that already timed out. Waiting for
 *   the commit here took two more thread hand-offs per emitting attempt;
 * - logs: its own pino, written synchronously to stdout.
 *
 * A crash is reported in Lambda's terms before the worker exits (`crash.ts`): an uncaught exception (exit 129)
 * or an unhandled rejection (exit 128). `process.exit` and the heap limit end the worker without a word; the
 * main thread sees those from the exit itself.
 */
import { parentPort, workerData } from "node:worker_threads";
import type { RouteRow } from "../../../infra/table";
import { compileDetailCheck, runProcessor } from "../../../processors/runtime";
import { busNamesFor, causeHeaders, type EventBridgeContext } from "../../eventbridge";
import { uuidv7, type BusEntry } from "../../bus";
import { processorLogger, workerLogger } from "../../logging";
import { errorText } from "../attempt";
import { Emitters } from "../emit-transport";
import { CRASH_EXIT } from "./crash";
import type { FromWorker, RunItem, RunResult, ToWorker, WorkerData } from "./messages";

function main(data: WorkerData): void {
  const port = parentPort;
  if (!port) throw new Error("local/delivery/pool/worker.ts runs as a worker thread only");
  const send = (m: FromWorker) => port.postMessage(m);
  // Lambda's runtime does the same: report, then exit, so the next attempt gets a fresh worker.
  process.on("uncaughtException", (err) => {
    send({ type: "crash", kind: "uncaught", error: errorText(err) });
    process.exit(CRASH_EXIT.uncaught);
  });
  process.on("unhandledRejection", (reason) => {
    send({ type: "crash", kind: "rejection", reason: String(reason) });
    process.exit(CRASH_EXIT.rejection);
  });

  const routes = (require(data.routesModule) as { routes: readonly RouteRow[] }).routes;
  const route = routes.find((r) => r.key === data.routeKey);
  if (!route) throw new Error(`route "${data.routeKey}" is not in ${data.routesModule}`);
  const log = workerLogger(data.log.level, data.log.pretty);
  // The main thread generated it, as a deploy does for Lambda: no ajv compile in each worker's start.
  const checkDetail = compileDetailCheck(data.detailCheckCode);
  const handle: RouteRow["processor"]["handle"] = (e, c) => route.processor.handle(e, c);

  // Emits: answered here, committed by the main thread.
  const api = {
    backlog: {
      get openDeliveries() {
        return Atomics.load(data.openCounter, 0);
      },
    },
    maxPending: data.maxPending,
    emitKey: data.emitKey,
    ...busNamesFor(data.busName, data.region, data.account, data.busAliases),
  };
  const contextOf = (attempt: number): EventBridgeContext => ({
    ...api,
    commit: async (entries: readonly BusEntry[]) => {
      const ids = entries.map(() => uuidv7());
      send({ type: "put", attempt, entries: entries.map((e, i) => ({ ...e, id: ids[i] })) });
      return ids;
    },
  });
  const emitters = new Emitters(
    data.emitEndpoint ? { endpoint: () => data.emitEndpoint as string } : { context: contextOf },
    data.region,
    data.busName,
  );

  // Outcomes go back in one message per turn.
  let results: RunResult[] = [];
  const finish = (r: RunResult) => {
    if (results.length === 0) setImmediate(flush);
    results.push(r);
  };
  const flush = () => {
    const out = results;
    results = [];
    try {
      send({ type: "results", results: out });
    } catch {
      // A result structured cloning refuses (it was JSON-normalized, so this is a bug): fail each on its own.
      for (const r of out) {
        try {
          send({ type: "results", results: [r] });
        } catch (err) {
          send({ type: "results", results: [{ id: r.id, ok: false, error: errorText(err) }] });
        }
      }
    }
  };

  /** Attempts the main thread gave up on (timed out): their emits are refused here too. */
  const ended = new Set<number>();
  const running = new Set<number>();
  const run = async (item: RunItem): Promise<void> => {
    let stored = false;
    running.add(item.id);
    try {
      const event = JSON.parse(item.envelope) as { id: string };
      const correlationId = item.correlationId ?? String(event.id).replace(/-/g, "");
      const result = await runProcessor(handle, route.processor.name, route.key, event as never, {
        store: {
          get: async () => item.seen,
          put: async () => {
            stored = true;
          },
        },
        checkDetail,
        // As on Lambda: an emit the processor did not declare fails the attempt.
        emits: route.processor.emits ?? [],
        publisher: emitters.publisher(
          item.id,
          () => !ended.has(item.id),
          causeHeaders(correlationId, event.id, route.key, data.emitKey),
        ),
        // Every processor line carries the correlation id beside eventId and routeKey.
        logger: (bindings) => processorLogger(log, { ...bindings, correlationId }),
        now: () => new Date(),
      });
      // What the store keeps is JSON: normalize here, off the main thread (and never a clone error there).
      finish({
        id: item.id,
        ok: true,
        result: result === undefined ? undefined : JSON.parse(JSON.stringify(result)),
        stored,
      });
    } catch (err) {
      finish({ id: item.id, ok: false, error: errorText(err) });
    } finally {
      running.delete(item.id);
      ended.delete(item.id);
    }
  };

  port.on("message", (m: ToWorker) => {
    for (const id of m.ended) if (running.has(id)) ended.add(id);
    for (const item of m.runs) void run(item);
  });
  send({ type: "ready" });
}

main(workerData as WorkerData);
