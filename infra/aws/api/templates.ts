/**
 * API Gateway mapping templates of `POST /events` → EventBridge `PutEvents` (AWS service integration, no Lambda),
 * as plain strings and data (the gateway responses are `gateway-responses.ts`). Pure: no Pulumi import, so tests
 * render them with a real Velocity engine (`test/infra/aws/api/vtl.ts`) and the Pulumi component only maps them
 * onto resources.
 *
 * The HTTP contract (team brief): 202 `{"eventId"}`; errors `{"error": "<StableName>", "message": ...}`;
 * 500 `PutEventsFailed` carries an extra `"code"`.
 */

/** Content type every template here is registered under. */
export const JSON_CONTENT_TYPE = "application/json";

/** EventBridge's limit on one PutEvents entry since 2026-01-29 (it was 256 KB). */
export const MAX_ENTRY_BYTES = 1024 * 1024;

/** PutEventsRequestEntry `TraceHeader` is 1 to 500 characters; a longer header from a client is left out. */
export const MAX_TRACE_HEADER_LENGTH = 500;

/** Seconds a throttled client is told to wait (`Retry-After`), on a throttled stage and a throttled PutEvents. */
export const RETRY_AFTER_SECONDS = 1;

/**
 * Integration `passthroughBehavior`: with `NEVER`, a body whose content type has no request template is refused
 * with UNSUPPORTED_MEDIA_TYPE (415) instead of being forwarded raw to PutEvents.
 */
export const PASSTHROUGH_BEHAVIOR = "NEVER";

/**
 * URI of the AWS service integration (type `AWS`, HTTP method `POST`): the PutEvents action of EventBridge. Its JSON
 * protocol also needs the `X-Amz-Target` and content-type headers of `PUT_EVENTS_REQUEST_PARAMETERS`.
 */
export function putEventsIntegrationUri(region: string): string {
  return `arn:aws:apigateway:${region}:events:action/PutEvents`;
}

/** Integration request headers that make the call a PutEvents (static values are single-quoted). */
export const PUT_EVENTS_REQUEST_PARAMETERS: Readonly<Record<string, string>> = {
  "integration.request.header.X-Amz-Target": "'AWSEvents.PutEvents'",
  "integration.request.header.Content-Type": "'application/x-amz-json-1.1'",
};

/**
 * Java regex (API Gateway's `String.replaceAll`) and replacement that undo the `\'` produced by
 * `$util.escapeJavaScript`: JSON has no `\'` escape. A `\` followed by `'` only ever comes from an escaped
 * apostrophe, because a literal backslash is escaped to `\\` first. Velocity does not process backslashes in
 * string literals, so `"\\'"` reaches Java as the regex `\\'` (one literal backslash, then `'`).
 */
const UNDO_QUOTE_ESCAPE = `.replaceAll("\\\\'","'")`;

/** VTL expression: `ref` (a VTL reference) escaped as the inside of a JSON string literal. */
function jsonStringBody(ref: string): string {
  return `$util.escapeJavaScript(${ref})${UNDO_QUOTE_ESCAPE}`;
}

/**
 * Checks a value baked into a template at build time: it must be a safe JSON string literal that Velocity will
 * not interpret (`$` starts a reference, `#` a directive, `\` would need escaping in JSON).
 */
function literal(name: string, value: string, allowed: RegExp): string {
  if (!allowed.test(value)) {
    throw new TypeError(
      `${name} ${JSON.stringify(value)} must match ${allowed} to be embedded in a mapping template`,
    );
  }
  return JSON.stringify(value);
}

/** Event bus names and ARNs: EventBridge allows `[/\.\-_A-Za-z0-9]+` for names; ARNs add `:`. */
const BUS_NAME_OR_ARN = /^[A-Za-z0-9._\-/:]{1,1600}$/;
/** Event sources: letters, digits and `.-_/`, 1..256 characters. */
const SOURCE = /^[A-Za-z0-9._\-/]{1,256}$/;

/**
 * VTL for the `application/json` request template of the AWS service integration to `events:PutEvents`
 * (`X-Amz-Target: AWSEvents.PutEvents`, content type `application/x-amz-json-1.1`).
 *
 * Renders `{"Entries":[{"Source": source, "DetailType": <body detail-type>, "Detail": "<detail as a JSON string>",
 * "EventBusName": busName, "TraceHeader": <X-Amzn-Trace-Id>}]}`. `Source` and `EventBusName` are fixed here, never
 * read from the client. `Detail` is `$input.json('$.detail')` (the detail re-serialized as JSON text) escaped as a
 * JSON string, so it parses back to exactly the client's `detail` whatever it contains (quotes, apostrophes,
 * backslashes, unicode, newlines).
 *
 * `TraceHeader` carries the request's `X-Amzn-Trace-Id` (API Gateway adds one when the stage traces), so the
 * X-Ray trace runs on through the bus into the processor. It is left out when absent (PutEvents refuses an
 * empty one) or longer than `MAX_TRACE_HEADER_LENGTH`; X-Ray drops a malformed one and the event still goes.
 *
 * @param busName name or ARN of the custom event bus.
 * @param source the event source stamped by the API (`API_SOURCE`).
 * @throws TypeError if either value has characters that are not valid in a bus name / source.
 */
export function putEventsRequestTemplate(busName: string, source: string): string {
  const bus = literal("busName", busName, BUS_NAME_OR_ARN);
  const src = literal("source", source, SOURCE);
  // `$input.json` of a string yields a quoted, escaped JSON string: DetailType needs no further escaping.
  return [
    `#set($detail = $input.json('$.detail'))`,
    `#set($trace = "$!input.params().header.get('X-Amzn-Trace-Id')")`,
    `{"Entries":[{"Source":${src},"DetailType":$input.json("$['detail-type']"),` +
      `"Detail":"${jsonStringBody("$detail")}","EventBusName":${bus}` +
      `#if($trace != "" && $trace.length() <= ${MAX_TRACE_HEADER_LENGTH}),"TraceHeader":"${jsonStringBody("$trace")}"#end}]}`,
  ].join("\n");
}

/**
 * VTL for the integration response selected when PutEvents answers HTTP 200. PutEvents answers 200 even when
 * entries failed, so success is decided per entry: with `FailedEntryCount > 0` (or no `EventId`) the status is
 * overridden to 500 and the body is `{"error":"PutEventsFailed","code":<ErrorCode>,"message":<ErrorMessage>}`;
 * otherwise the body is `{"eventId":<EventId>}` under the integration response's own status (202).
 */
export function putEventsResponseTemplate(): string {
  return [
    `#set($failed = $input.path('$.FailedEntryCount'))`,
    `#set($eventId = "$!input.path('$.Entries[0].EventId')")`,
    `#set($code = "$!input.path('$.Entries[0].ErrorCode')")`,
    `#if("$!failed" != "" && $failed > 0 && $code == "")`,
    `#set($code = "FailedEntry")`,
    `#elseif($eventId == "" && $code == "")`,
    `#set($code = "MissingEventId")`,
    `#end`,
    `#if($code != "")`,
    `#set($context.responseOverride.status = 500)`,
    `#set($message = "$!input.path('$.Entries[0].ErrorMessage')")`,
    `{"error":"PutEventsFailed","code":"${jsonStringBody("$code")}","message":"${jsonStringBody("$message")}"}`,
    `#else`,
    `{"eventId":"${jsonStringBody("$eventId")}"}`,
    `#end`,
  ].join("\n");
}

/**
 * VTL for the integration response selected when PutEvents answers a non-2xx status (EventBridge's JSON error
 * body `{"__type": "...ThrottlingException", "message": "..."}`). `ThrottlingException` becomes 429
 * `{"error":"TooManyRequests","message":...}` with `Retry-After` (a response header override, declared on the
 * 429 method response); a `ValidationException` about size (PutEvents answers "Total size of the entries in the
 * request is over the limit." for an event over `MAX_ENTRY_BYTES`) becomes 413
 * `{"error":"PayloadTooLarge","message":...}`; anything else 500 `{"error":"PutEventsFailed","code":<type>,
 * "message":...}`: the model has already validated the body, so any other failure is ours, not the client's.
 */
export function putEventsErrorTemplate(): string {
  return [
    `#set($type = "$!input.path('$.__type')")`,
    // awsJson error types may be namespaced (`ns#Code`) or carry a suffix (`Code:http://...`).
    // Single-quoted VTL strings are not interpolated, so `#` and `$` stay literal regex characters.
    `#set($code = $type.replaceAll('^.*#','').replaceAll(':.*$',''))`,
    `#if("$!code" == "")`,
    `#set($code = "PutEventsError")`,
    `#end`,
    `#set($message = "$!input.path('$.message')")`,
    `#if("$message" == "")`,
    `#set($message = "$!input.path('$.Message')")`,
    `#end`,
    `#if("$code" == "ThrottlingException")`,
    `#set($context.responseOverride.status = 429)`,
    `#set($context.responseOverride.header.Retry-After = "${RETRY_AFTER_SECONDS}")`,
    `{"error":"TooManyRequests","message":"${jsonStringBody("$message")}"}`,
    `#elseif("$code" == "ValidationException" && $message.contains("size"))`,
    `#set($context.responseOverride.status = 413)`,
    `{"error":"PayloadTooLarge","message":"${jsonStringBody("$message")}"}`,
    `#else`,
    `#set($context.responseOverride.status = 500)`,
    `{"error":"PutEventsFailed","code":"${jsonStringBody("$code")}","message":"${jsonStringBody("$message")}"}`,
    `#end`,
  ].join("\n");
}

/** One integration response of the PutEvents integration; maps onto `aws.apigateway.IntegrationResponse`. */
export interface PutEventsIntegrationResponse {
  /** Method response status it produces (templates may still override it, see `METHOD_RESPONSE_STATUS_CODES`). */
  readonly statusCode: string;
  /** Regex on PutEvents' HTTP status; absent for the default (2xx) response. */
  readonly selectionPattern?: string;
  readonly responseTemplates: Record<string, string>;
  /** Header mappings; the method response of `statusCode` declares every header they set. */
  readonly responseParameters?: Record<string, string>;
}

/**
 * Body for an HTTP 413 from PutEvents itself (its front end refuses oversized requests with an empty body, so
 * there is nothing to read).
 */
export function putEventsTooLargeTemplate(): string {
  return `{"error":"PayloadTooLarge","message":"the event is larger than EventBridge accepts (1 MB per entry)"}`;
}

/**
 * Integration responses of the PutEvents integration: the default one (PutEvents 200 → 202 or, for failed
 * entries, 500), one for HTTP 413 (→ 413) and one for any other 4xx/5xx from EventBridge (→ 500, or 429 when
 * throttled, or 413 for a size ValidationException). The selection patterns do not overlap.
 */
export function putEventsIntegrationResponses(): PutEventsIntegrationResponse[] {
  return [
    { statusCode: "202", responseTemplates: { [JSON_CONTENT_TYPE]: putEventsResponseTemplate() } },
    {
      statusCode: "413",
      selectionPattern: "413",
      responseTemplates: { [JSON_CONTENT_TYPE]: putEventsTooLargeTemplate() },
    },
    {
      statusCode: "500",
      // Any 4xx/5xx except 413.
      selectionPattern: "4(?:0\\d|1[0-24-9]|[2-9]\\d)|5\\d{2}",
      responseTemplates: { [JSON_CONTENT_TYPE]: putEventsErrorTemplate() },
    },
  ];
}

/** Every status the integration responses can produce, directly or by `$context.responseOverride.status`. */
export const METHOD_RESPONSE_STATUS_CODES: readonly string[] = ["202", "413", "429", "500"];

/** Headers a template sets by `$context.responseOverride.header`, by the status it sets them with. */
export const OVERRIDDEN_RESPONSE_HEADERS: Readonly<Record<string, readonly string[]>> = {
  "429": ["Retry-After"],
};
