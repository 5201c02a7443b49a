/**
 * How the processors' emits reach this server's bus. Either way the publisher is the processor runtime's
 * (`putEventsPublisher` in `processors/runtime/emit.ts`: batches of 10, the request entries' shape, a failure
 * for any rejected entry), and the call is answered by the same PutEvents code as `POST /` (`answerAwsCall` in
 * local/eventbridge: entry checks and limits, per-entry and AWS errors, throttling, the commit).
 *
 * - `in-process` (default): the PutEvents input goes straight to that code, without the SDK. Measured here, the
 *   real `@aws-sdk/client-eventbridge` client (serialization, SigV4 signing, middleware, response parsing)
 *   was ~95% of the CPU of an emitting attempt (~190 of ~200 µs; ~120 µs even unsigned, with its middleware
 *   cached), and draining the scenario mix took 3.2× the CPU with it (608 against 192 µs per event): the
 *   SDK alone kept the isolated stack below 5,000 events/s on 2 cores. The client itself is proven against
 *   this API by `emitTransport: "http"`, the API tests and the Lambda adapter's tests.
 * - `http`: the real client, over a loopback socket to `POST /` (`LocalOptions.emitTransport`). An emit through
 *   the socket waited ~17–30 ms for event-loop turns behind ingest traffic (measured under a 1,000 events/s
 *   mix), which is also why in-process is the default.
 *
 * Every attempt gets a publisher of its own, which refuses to publish once the attempt ended (timed out); in
 * process, the bus also learns which attempt a call belongs to (`context(attempt)`), so it can refuse them too.
 * Its calls carry the attempt's correlation headers (`causeHeaders` in local/eventbridge: the correlation id, the
 * event and route that caused them, and the server's emit key that lets a call name a cause), read by PutEvents
 * as they are from any client, so the follow-ups record where they came from while `processors/runtime/emit.ts`
 * stays as Lambda runs it.
 */
import type { EventBridgeClient } from "@aws-sdk/client-eventbridge";
import {
  eventBridgePublisher,
  putEventsPublisher,
  type PutEventsAnswer,
  type Publisher,
} from "../../processors/runtime";
import { answerAwsCall, LOCAL_EMIT_AGENT, type EventBridgeContext, type HeaderLookup } from "../eventbridge";

/** Where the processors' emits go: this process's PutEvents code (per attempt), or an HTTP endpoint. */
export type EmitRoute = { context: (attempt: number) => EventBridgeContext } | { endpoint: () => string };

/** Thrown by an attempt's publisher once the attempt has ended: what it emits now is discarded. */
export const ENDED_MESSAGE = "the attempt already ended (timed out): its emits are discarded";

/** The publishers of one thread's processors. */
export class Emitters {
  private client: EventBridgeClient | undefined;

  constructor(
    private readonly route: EmitRoute,
    private readonly region: string,
    private readonly busName: string,
  ) {}

  /**
   * The publisher of attempt `attempt`: it sends `headers` with its calls and refuses to publish once `live()` is
   * false (a timed-out attempt).
   */
  publisher(attempt: number, live: () => boolean, headers: Record<string, string> = {}): Publisher {
    const route = this.route;
    const header: HeaderLookup = (name) => headers[name];
    const real =
      "context" in route
        ? putEventsPublisher(
            (input) => putEventsInProcess(route.context(attempt), input, header),
            this.busName,
          )
        : eventBridgePublisher(withHeaders(this.sdkClient(route.endpoint), headers), this.busName);
    return {
      publish: async (entries) => {
        if (!live()) throw new Error(ENDED_MESSAGE);
        await real.publish(entries);
      },
    };
  }

  destroy(): void {
    this.client?.destroy();
  }

  private sdkClient(endpoint: () => string): EventBridgeClient {
    if (!this.client) {
      // Loaded on first use: the SDK is a good part of a worker's start-up otherwise.
      const sdk = require("@aws-sdk/client-eventbridge") as typeof import("@aws-sdk/client-eventbridge");
      this.client = new sdk.EventBridgeClient({
        endpoint: endpoint(),
        region: this.region,
        credentials: { accessKeyId: "local", secretAccessKey: "local" },
        customUserAgent: LOCAL_EMIT_AGENT,
        // The resolved middleware stack is kept per command type (measured: ~25% less CPU per PutEvents).
        cacheMiddleware: true,
      });
      this.client.middlewareStack.add(
        (next) => (args) => {
          const headers = COMMAND_HEADERS.get(args.input as object);
          if (headers) Object.assign((args.request as { headers: Record<string, string> }).headers, headers);
          return next(args);
        },
        { step: "build", name: "backboneCommandHeaders" },
      );
    }
    return this.client;
  }
}

/** One PutEvents call answered by `POST /`'s code in this process; an AWS error is thrown as the SDK throws it. */
async function putEventsInProcess(
  ctx: EventBridgeContext,
  input: object,
  header: HeaderLookup,
): Promise<PutEventsAnswer> {
  const answer = await answerAwsCall(ctx, "AWSEvents.PutEvents", input, header);
  const body = JSON.parse(answer.body) as PutEventsAnswer & { message?: string };
  if (answer.status === 200) return body;
  const err = new Error(body.message ?? answer.body);
  err.name = answer.errorType ?? "PutEventsError";
  throw err;
}

/**
 * Each command's headers, read by the one middleware `sdkClient` adds to the client. Not a middleware added to
 * each command: with `cacheMiddleware` the client resolves a command type's stack once and reuses it, so the
 * first command's headers (its cause) went out with every later call of the worker (follow-ups filed under the
 * first event that emitted).
 */
const COMMAND_HEADERS = new WeakMap<object, Record<string, string>>();

/** The shared client, with `headers` added to the requests sent through this view of it. */
function withHeaders(client: EventBridgeClient, headers: Record<string, string>): EventBridgeClient {
  if (Object.keys(headers).length === 0) return client;
  return {
    send(command: Parameters<EventBridgeClient["send"]>[0]) {
      COMMAND_HEADERS.set(command.input, headers);
      return client.send(command);
    },
  } as EventBridgeClient;
}
