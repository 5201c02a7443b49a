/** An answer of EventBridge's JSON protocol, independent of the transport (HTTP, or the in-process emit client). */
import { randomUUID } from "node:crypto";

/** The JSON protocol's media type. */
export const AMZ_JSON = "application/x-amz-json-1.1";

/** Added to the user agent of the processors' own EventBridge client over HTTP (`local/delivery/emit-transport.ts`). */
export const LOCAL_EMIT_AGENT = "backbone-local-emit";

/** An answer of the EventBridge API, independent of the transport. */
export interface AwsAnswer {
  status: number;
  /** The AWS error type (`__type`), for errors. */
  errorType?: string;
  /** Sent as `Retry-After` (a temporary refusal). */
  retryAfterSeconds?: number;
  body: string;
}

/** Headers of an AWS JSON-protocol answer; the SDK reads an error's type from `x-amzn-errortype` or `__type`. */
export function awsHeaders(answer: AwsAnswer): Record<string, string> {
  const headers: Record<string, string> = { "content-type": AMZ_JSON, "x-amzn-requestid": randomUUID() };
  if (answer.errorType) headers["x-amzn-errortype"] = answer.errorType;
  if (answer.retryAfterSeconds !== undefined) headers["retry-after"] = String(answer.retryAfterSeconds);
  return headers;
}

/** An AWS JSON-protocol error answer. */
export function errorAnswer(status: number, type: string, message: string): AwsAnswer {
  return { status, errorType: type, body: JSON.stringify({ __type: type, message }) };
}
