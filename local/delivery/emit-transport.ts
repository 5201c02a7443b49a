/**
 * How the processors' EventBridge client reaches this server. The client is always the real
 * `@aws-sdk/client-eventbridge` one (via `processors/emit.ts`): it serializes, signs, retries and parses
 * PutEvents exactly as in Lambda, and the request is answered by the same code as `POST /`
 * (`answerAwsText` in local/eventbridge: JSON parsing, X-Amz-Target dispatch, per-entry and AWS errors).
 *
 * `in-process` (default) hands the serialized request straight to that code instead of a loopback socket.
 * Measured under a 1,000 events/s mix: through the socket (or Fastify's `inject`) an emit waited ~17–30 ms
 * for event-loop turns behind the ingest traffic while holding its delivery slot; in process it does not.
 * `http` keeps the socket (`LocalOptions.emitTransport`).
 */
import { awsHeaders, type AwsAnswer, type HeaderLookup } from "../eventbridge";

/** The subset of the SDK's request (`@smithy/protocol-http` HttpRequest) this handler reads. */
interface SdkRequest {
  headers: Record<string, string>;
  body?: unknown;
}

/** A Smithy `HttpHandler` whose "network" is a function call to the EventBridge API code. */
export function inProcessRequestHandler(
  answer: (target: string, body: string, header: HeaderLookup) => Promise<AwsAnswer>,
) {
  return {
    metadata: { handlerProtocol: "http/1.1" },
    async handle(request: SdkRequest): Promise<{ response: unknown }> {
      const target = headerValue(request.headers, "x-amz-target");
      const result = await answer(target, bodyText(request.body), (name) => {
        const value = headerValue(request.headers, name);
        return value === "" ? undefined : value;
      });
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
