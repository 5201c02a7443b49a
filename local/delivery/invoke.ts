/**
 * How a delivery runs a processor, shared by the in-thread delivery loop and the delivery thread: the processor
 * runtime (the Lambda adapter's shape) with the SQLite idempotency store, pino logs bound to the event and the
 * real `@aws-sdk/client-eventbridge` client for `ctx.emit` (`processors/emit.ts`).
 */
import type { EventBridgeClient } from "@aws-sdk/client-eventbridge";
import type pino from "pino";
import {
  detailCheck,
  eventBridgePublisher,
  runProcessor,
  type DetailCheck,
  type EmitEntry,
  type Publisher,
} from "../../processors/runtime";
import { answerAwsText, causeHeaders, LOCAL_EMIT_AGENT, type EventBridgeContext } from "../eventbridge";
import { processorLogger } from "../logging";
import { inProcessRequestHandler } from "./emit-transport";
import type { Invoke } from "./types";

/** The processors' idempotency results, kept by the `Store`. */
export interface ResultStore {
  getIdempotent(key: string): { result: unknown } | undefined;
  /** Keeps the first result written for `key`. */
  putIdempotent(key: string, result: unknown, now: number): void;
}

export interface InvokeSetup {
  store: ResultStore;
  log: pino.Logger;
  now: () => Date;
  region: string;
  busName: string;
  /**
   * Where emits go: `{ context }` answers the client's requests in process with the code behind `POST /`
   * (`emit-transport.ts`); `{ endpoint }` sends them over HTTP. Functions: both may only be known later.
   */
  emit: { context: () => EventBridgeContext } | { endpoint: () => string };
}

/** The `Invoke` of a delivery loop and `destroy` for its EventBridge client. */
export function makeInvoke(setup: InvokeSetup): { invoke: Invoke; destroy(): void } {
  const { store, log, now } = setup;
  let client: EventBridgeClient | undefined;
  // Created on first emit: with port 0 the endpoint is only known once the server listens.
  const sharedClient = (): EventBridgeClient => {
    if (!client) {
      const emit = setup.emit;
      const inProcess = "context" in emit;
      // Loaded on first emit: the SDK is a third of the delivery thread's start-up otherwise.
      const sdk = require("@aws-sdk/client-eventbridge") as typeof import("@aws-sdk/client-eventbridge");
      client = new sdk.EventBridgeClient({
        endpoint: inProcess ? "http://127.0.0.1" : emit.endpoint(),
        region: setup.region,
        credentials: { accessKeyId: "local", secretAccessKey: "local" },
        customUserAgent: LOCAL_EMIT_AGENT,
        ...(inProcess
          ? {
              requestHandler: inProcessRequestHandler((t, b, h) =>
                answerAwsText(emit.context(), t, b, h),
              ) as never,
            }
          : {}),
      });
    }
    return client;
  };
  /**
   * The publisher of one delivery: the shared client, with the delivery's correlation id and cause added to its
   * PutEvents requests as headers, so the follow-ups record where they came from (correlation.ts in
   * local/eventbridge). `processors/runtime/emit.ts` stays as Lambda runs it.
   */
  const publisherFor = (correlationId: string, eventId: string, routeKey: string): Publisher => ({
    publish(entries: EmitEntry[]): Promise<void> {
      const headers = causeHeaders(correlationId, eventId, routeKey);
      const base = sharedClient();
      const withCause = {
        send(command: Parameters<EventBridgeClient["send"]>[0]) {
          command.middlewareStack.add(
            (next) => (args) => {
              Object.assign((args.request as { headers: Record<string, string> }).headers, headers);
              return next(args);
            },
            { step: "build", name: "backboneCause" },
          );
          return base.send(command);
        },
      } as EventBridgeClient;
      return eventBridgePublisher(withCause, setup.busName).publish(entries);
    },
  });
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
  const invoke: Invoke = (route, event, fresh, stored) => {
    const correlationId = stored ?? event.id.replace(/-/g, "");
    return runProcessor((e, c) => route.processor.handle(e, c), route.processor.name, route.key, event, {
      store: fresh ? freshIdempotency : idempotency,
      checkDetail: checkFor(route),
      // As on Lambda: an emit the processor did not declare fails the attempt.
      emits: route.processor.emits ?? [],
      publisher: publisherFor(correlationId, event.id, route.key),
      // Every processor line carries the correlation id beside eventId and routeKey.
      logger: (bindings) => processorLogger(log, { ...bindings, correlationId }),
      now,
    });
  };
  return { invoke, destroy: () => client?.destroy() };
}
