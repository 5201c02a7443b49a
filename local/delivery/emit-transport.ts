/**
 * How the processors' EventBridge client reaches this server. The client is always the real
 * `@aws-sdk/client-eventbridge` one (via `processors/runtime/emit.ts`): it serializes, signs, retries and parses
 * PutEvents exactly as in Lambda, and the request is answered by the same code as `POST /`
 * (`answerAwsText` in local/eventbridge: JSON parsing, X-Amz-Target dispatch, per-entry and AWS errors).
 *
 * `in-process` (default) hands the serialized request straight to that code instead of a loopback socket.
 * Measured under a 1,000 events/s mix: through the socket (or Fastify's `inject`) an emit waited ~17–30 ms
 * for event-loop turns behind the ingest traffic while holding its delivery slot; in process it does not.
 * `http` keeps the socket (`LocalOptions.emitTransport`).
 *
 * `EmitClients` keeps one client per publish in progress (created on demand, reused): the request handler of
 * an in-process client then knows which attempt a PutEvents call belongs to, so the bus can refuse the emits
 * of an attempt that already ended (timed out). One shared client could not tell, short of an
 * `AsyncLocalStorage`, which measured about a quarter more CPU per PutEvents here.
 */
import type { EventBridgeClient } from "@aws-sdk/client-eventbridge";
import { eventBridgePublisher, type EmitEntry, type Publisher } from "../../processors/runtime";
import { awsHeaders, LOCAL_EMIT_AGENT, type AwsAnswer } from "../eventbridge";

/** The subset of the SDK's request (`@smithy/protocol-http` HttpRequest) this handler reads. */
interface SdkRequest {
  headers: Record<string, string>;
  body?: unknown;
}

/** A Smithy `HttpHandler` whose "network" is a function call to the EventBridge API code. */
export function inProcessRequestHandler(answer: (target: string, body: string) => Promise<AwsAnswer>) {
  return {
    metadata: { handlerProtocol: "http/1.1" },
    async handle(request: SdkRequest): Promise<{ response: unknown }> {
      const target = headerValue(request.headers, "x-amz-target");
      const result = await answer(target, bodyText(request.body));
      const response = {
        statusCode: result.status,
        headers: awsHeaders(result),
        body: new TextEncoder().encode(result.body),
      };
      return { response };
    },
    updateHttpClientConfig(): void {},
    httpHandlerConfigs(): Record<string, never> {
      return {};
    },
    destroy(): void {},
  };
}

/** Where the processors' clients send: a function call (per attempt) or an HTTP endpoint. */
export type EmitRoute =
  | { answer: (target: string, body: string, attempt: number) => Promise<AwsAnswer> }
  | { endpoint: () => string };

/** Thrown by an attempt's publisher once the attempt has ended: what it emits now is discarded. */
export const ENDED_MESSAGE = "the attempt already ended (timed out): its emits are discarded";

/** The EventBridge clients of one thread's processors, and a `Publisher` per attempt on top of them. */
export class EmitClients {
  private readonly free: { client: EventBridgeClient; attempt: number }[] = [];
  private readonly all: EventBridgeClient[] = [];

  constructor(
    private readonly route: EmitRoute,
    private readonly region: string,
    private readonly busName: string,
  ) {}

  /**
   * The publisher of attempt `attempt`: refuses to publish once `live()` is false (a timed-out attempt's late
   * emits), otherwise puts the entries through a client of its own for the duration of the call.
   */
  publisher(attempt: number, live: () => boolean): Publisher {
    return {
      publish: async (entries: EmitEntry[]) => {
        if (!live()) throw new Error(ENDED_MESSAGE);
        const slot = this.free.pop() ?? this.create();
        slot.attempt = attempt;
        try {
          await eventBridgePublisher(slot.client, this.busName).publish(entries);
        } finally {
          this.free.push(slot);
        }
      },
    };
  }

  destroy(): void {
    for (const c of this.all) c.destroy();
  }

  private create(): { client: EventBridgeClient; attempt: number } {
    // Loaded on first emit: the SDK is a good part of a worker's start-up otherwise.
    const sdk = require("@aws-sdk/client-eventbridge") as typeof import("@aws-sdk/client-eventbridge");
    const route = this.route;
    const slot = { client: undefined as unknown as EventBridgeClient, attempt: 0 };
    const inProcess = "answer" in route;
    slot.client = new sdk.EventBridgeClient({
      endpoint: inProcess ? "http://127.0.0.1" : route.endpoint(),
      region: this.region,
      credentials: { accessKeyId: "local", secretAccessKey: "local" },
      customUserAgent: LOCAL_EMIT_AGENT,
      // The resolved middleware stack is kept per command type (measured: ~25% less CPU per PutEvents).
      cacheMiddleware: true,
      ...(inProcess
        ? {
            requestHandler: inProcessRequestHandler((t, b) => route.answer(t, b, slot.attempt)) as never,
          }
        : {}),
    });
    this.all.push(slot.client);
    return slot;
  }
}

function headerValue(headers: Record<string, string>, name: string): string {
  for (const [k, v] of Object.entries(headers)) if (k.toLowerCase() === name) return v;
  return "";
}

/** The SDK hands bodies as strings, bytes or string-like adapters (its JSON serializer's). */
function bodyText(body: unknown): string {
  if (body === undefined || body === null) return "";
  if (typeof body === "string") return body;
  if (body instanceof Uint8Array) return new TextDecoder().decode(body);
  return String(body);
}
