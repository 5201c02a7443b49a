/**
 * EventBridge's own JSON API (`X-Amz-Target: AWSEvents.<Action>`, `application/x-amz-json-1.1`) as plain
 * functions, so `@aws-sdk/client-eventbridge` and `aws events … --endpoint-url` work unchanged against the local
 * stack. The HTTP route (`local/http/eventbridge.ts`) and the processors' in-process emit transport
 * (`local/delivery/emit-transport.ts`) both answer through `answerAwsCall`, so both run the same code.
 * Signatures are not checked (with `BACKBONE_TOKEN` set, the HTTP edge checks the access key id). A store that
 * cannot write answers 503 `ServiceUnavailable` with `Retry-After` (AWS's common error for a temporary failure),
 * which the SDK retries.
 */
import { StorageFault } from "../store";
import { errorAnswer, type AwsAnswer } from "./answer";
import type { EventBridgeContext } from "./context";
import { AwsError } from "./errors";
import { isPlainObject, JsonError, parseJson } from "./json";
import { putEvents } from "./put-events";
import { testEventPattern } from "./test-event-pattern";

/** Runs one API call: `target` is the `X-Amz-Target` header, `body` the parsed JSON body. */
export async function answerAwsCall(
  ctx: EventBridgeContext,
  target: string,
  body: unknown,
): Promise<AwsAnswer> {
  const action = target.startsWith("AWSEvents.") ? target.slice("AWSEvents.".length) : "";
  try {
    if (action !== "PutEvents" && action !== "TestEventPattern") {
      throw new AwsError("UnknownOperationException", `unknown operation ${JSON.stringify(target)}`);
    }
    if (!isPlainObject(body))
      throw new AwsError("SerializationException", "request body must be a JSON object");
    const output = action === "PutEvents" ? await putEvents(ctx, body) : testEventPattern(body);
    return { status: 200, body: JSON.stringify(output) };
  } catch (err) {
    if (err instanceof AwsError) return errorAnswer(err.status, err.type, err.message);
    if (err instanceof StorageFault) {
      return {
        ...errorAnswer(503, "ServiceUnavailable", err.message),
        retryAfterSeconds: err.retryAfterSeconds,
      };
    }
    throw err;
  }
}

/** `answerAwsCall` for a raw JSON text, parsed like the HTTP route parses it. */
export function answerAwsText(ctx: EventBridgeContext, target: string, text: string): Promise<AwsAnswer> {
  let body: unknown;
  try {
    body = parseJson(text);
  } catch (err) {
    if (err instanceof JsonError) {
      return Promise.resolve(errorAnswer(400, "SerializationException", err.message));
    }
    throw err;
  }
  return answerAwsCall(ctx, target, body);
}
