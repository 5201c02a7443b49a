/**
 * Processors run UNISOLATED, on the thread that answers HTTP (`isolation: "none"`): the processor runtime (the
 * Lambda adapter's shape) with the SQLite idempotency store, pino logs bound to the event and `ctx.emit`
 * answered by the PutEvents code of `POST /` (`emit-transport.ts`).
 *
 * What it risks, and why it is not the default (`pool/` is): a processor that throws inside a timer, leaves a
 * rejected promise unhandled, calls `process.exit` or exhausts the heap takes the whole server down, and the
 * event is delivered again at the next start, so it goes down again; a timed-out attempt cannot be stopped, so
 * its code keeps running (its later emits are refused, but its timers, loops and memory stay); there is no heap
 * limit per route. It exists for tests that pass inline tables of functions (`buildApp({ routes })`), which
 * cannot be posted to a worker.
 */
import type pino from "pino";
import { detailCheck, runProcessor, type DetailCheck } from "../../processors/runtime";
import { causeHeaders, type EventBridgeContext } from "../eventbridge";
import { processorLogger } from "../logging";
import { RuntimeFailure } from "./attempt";
import { timeoutText } from "./pool/crash";
import { Emitters } from "./emit-transport";
import type { Invoke, ResultStore } from "./types";

export interface InvokeSetup {
  store: ResultStore;
  log: pino.Logger;
  now: () => Date;
  region: string;
  busName: string;
  /**
   * Where emits go: `{ context }` hands them to the code behind `POST /` in process (`emit-transport.ts`);
   * `{ endpoint }` sends them over HTTP with the real client. Functions: both may only be known later.
   */
  emit: { context: () => EventBridgeContext } | { endpoint: () => string };
  /** Sent with the processors' PutEvents so their cause is accepted (`EventBridgeContext.emitKey`). */
  emitKey: string;
}

/** The unisolated `Invoke` and `destroy` for its EventBridge clients. */
export function makeInvoke(setup: InvokeSetup): { invoke: Invoke; destroy(): void } {
  const { store, log, now } = setup;
  const emit = setup.emit;
  const emitters = new Emitters(
    "context" in emit ? { context: () => emit.context() } : emit,
    setup.region,
    setup.busName,
  );
  const put = async (key: string, result: unknown) => store.putIdempotent(key, result, now().getTime());
  const idempotency = { get: async (key: string) => store.getIdempotent(key), put };
  // A fresh delivery was never attempted, so its lookup would always miss: skip the SQLite read.
  const freshIdempotency = { get: async () => undefined, put };
  // Like the Lambda adapter: events put on the bus directly skip the API's validation. Compiled once per route.
  const checks = new Map<string, DetailCheck>();
  const checkFor = (route: Parameters<Invoke>[0]): DetailCheck => {
    let check = checks.get(route.key);
    if (!check) {
      check = detailCheck(route.processor.schema);
      checks.set(route.key, check);
    }
    return check;
  };
  let attempts = 0;
  const invoke: Invoke = (route, attempt) => {
    const correlationId = attempt.correlationId ?? attempt.eventId.replace(/-/g, "");
    let live = true;
    let timer: NodeJS.Timeout | undefined;
    const run = (async () =>
      runProcessor(
        (e, c) => route.processor.handle(e, c),
        route.processor.name,
        route.key,
        JSON.parse(attempt.envelope),
        {
          store: attempt.fresh ? freshIdempotency : idempotency,
          checkDetail: checkFor(route),
          // As on Lambda: an emit the processor did not declare fails the attempt.
          emits: route.processor.emits ?? [],
          publisher: emitters.publisher(
            ++attempts,
            () => live,
            causeHeaders(correlationId, attempt.eventId, route.key, setup.emitKey),
          ),
          // Every processor line carries the correlation id beside eventId and routeKey.
          logger: (bindings) => processorLogger(log, { ...bindings, correlationId }),
          now,
        },
      ))();
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        live = false;
        reject(new RuntimeFailure(timeoutText(attempt.timeoutSeconds)));
      }, attempt.timeoutSeconds * 1000);
    });
    return Promise.race([run, timeout]).finally(() => clearTimeout(timer));
  };
  return { invoke, destroy: () => emitters.destroy() };
}
