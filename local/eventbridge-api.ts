/**
 * EventBridge's own JSON API (`POST /`, `X-Amz-Target: AWSEvents.<Action>`, `application/x-amz-json-1.1`), so
 * `@aws-sdk/client-eventbridge` and `aws events … --endpoint-url` work unchanged against the local stack.
 * PutEvents follows AWS's split between request errors (HTTP 400 with `__type`) and per-entry errors
 * (`ErrorCode`/`ErrorMessage` with `FailedEntryCount`). Signatures are not checked: there are no credentials.
 */
import { randomUUID } from "node:crypto";
import type { FastifyInstance, FastifyReply } from "fastify";
import { check, matches } from "../infra/pattern";
import type { BusEntry } from "./bus";
import type { LocalContext } from "./context";
import { entrySize, isPlainObject, MAX_ENTRY_BYTES, parseJson, RequestError } from "./validation";

const AMZ_JSON = "application/x-amz-json-1.1";
const MAX_ENTRIES = 10;

/** A request-level AWS error. */
class AwsError extends Error {
  constructor(
    readonly type: string,
    message: string,
    readonly status = 400,
  ) {
    super(message);
  }
}

/** What the EventBridge API needs: the main thread's `LocalContext`, or the delivery thread's subset. */
export type ApiContext = Pick<LocalContext, "store" | "maxPending" | "commit"> & BusNames;

/** The `EventBusName`s PutEvents accepts: every known bus, and among them the account's default bus. */
export interface BusNames {
  readonly busNames: ReadonlySet<string>;
  /** `default` and its ARN: entries put there are kept but reach no route (the rules are on the backbone bus). */
  readonly defaultBusNames: ReadonlySet<string>;
}

/** Names and ARNs of the local backbone bus and of the default bus. */
export function busNamesFor(busName: string, region: string, account: string): BusNames {
  const forms = (n: string) => [n, `arn:aws:events:${region}:${account}:event-bus/${n}`];
  return {
    busNames: new Set([...forms("default"), ...forms(busName)]),
    defaultBusNames: new Set(forms("default")),
  };
}

/** An answer of the EventBridge API, independent of the transport. */
export interface AwsAnswer {
  status: number;
  /** The AWS error type (`__type`), for errors. */
  errorType?: string;
  body: string;
}

/** Headers of an AWS JSON-protocol answer; the SDK reads an error's type from `x-amzn-errortype` or `__type`. */
export function awsHeaders(answer: AwsAnswer): Record<string, string> {
  const headers: Record<string, string> = { "content-type": AMZ_JSON, "x-amzn-requestid": randomUUID() };
  if (answer.errorType) headers["x-amzn-errortype"] = answer.errorType;
  return headers;
}

/** Sends an AWS JSON-protocol error. */
export function awsError(reply: FastifyReply, status: number, type: string, message: string): FastifyReply {
  return sendAnswer(reply, errorAnswer(status, type, message));
}

function errorAnswer(status: number, type: string, message: string): AwsAnswer {
  return { status, errorType: type, body: JSON.stringify({ __type: type, message }) };
}

function sendAnswer(reply: FastifyReply, answer: AwsAnswer): FastifyReply {
  return reply.code(answer.status).headers(awsHeaders(answer)).send(answer.body);
}

/**
 * Runs one API call: `target` is the `X-Amz-Target` header, `body` the parsed JSON body. Used by the `POST /`
 * route and by the processors' in-process transport (`emit-transport.ts`), so both run the same code.
 */
export async function answerAwsCall(ctx: ApiContext, target: string, body: unknown): Promise<AwsAnswer> {
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
    throw err;
  }
}

/** `answerAwsCall` for a raw JSON text, parsed like the HTTP route parses it. */
export function answerAwsText(ctx: ApiContext, target: string, text: string): Promise<AwsAnswer> {
  let body: unknown;
  try {
    body = parseJson(text);
  } catch (err) {
    if (err instanceof RequestError) {
      return Promise.resolve(errorAnswer(400, "SerializationException", err.message));
    }
    throw err;
  }
  return answerAwsCall(ctx, target, body);
}

export function registerEventBridgeApi(app: FastifyInstance, ctx: LocalContext): void {
  app.post("/", async (req, reply) => {
    const target = String(req.headers["x-amz-target"] ?? "");
    const answer = await answerAwsCall(ctx, target, req.body);
    // Producers' accepted PutEvents only: not invalid calls, nor this stack's own emits over HTTP (a drain would
    // otherwise hold itself back).
    const ownEmit = String(req.headers["user-agent"] ?? "").includes(LOCAL_EMIT_AGENT);
    if (answer.status === 200 && target.endsWith(".PutEvents") && !ownEmit) {
      ctx.priority?.arrived(1, ctx.now().getTime());
    }
    return sendAnswer(reply, answer);
  });
}

/** Added to the user agent of the processors' own EventBridge client (`invoke.ts`). */
export const LOCAL_EMIT_AGENT = "backbone-local-emit";

type EntryResult = { EventId: string } | { ErrorCode: string; ErrorMessage: string };

async function putEvents(ctx: ApiContext, input: Record<string, unknown>): Promise<unknown> {
  const entries = input.Entries;
  if (!Array.isArray(entries)) throw invalidMember("entries", "Member must not be null");
  if (entries.length < 1)
    throw invalidMember("entries", "Member must have length greater than or equal to 1");
  if (entries.length > MAX_ENTRIES) {
    throw invalidMember("entries", `Member must have length less than or equal to ${MAX_ENTRIES}`);
  }
  // Follow-up events emitted by processors also come through here, so PutEvents gets headroom above the bound
  // of `POST /events`: a full backlog must not make the processors that drain it fail.
  if (ctx.store.openDeliveries >= 2 * ctx.maxPending)
    throw new AwsError("ThrottlingException", "Rate exceeded");
  const results: (EntryResult | BusEntry)[] = entries.map((e) => readEntry(ctx, e));
  let total = 0;
  for (const e of entries) if (isPlainObject(e)) total += entrySizeOf(e);
  if (total > MAX_ENTRY_BYTES) {
    throw new AwsError("ValidationException", "Total size of the entries in the request is over the limit.");
  }
  const accepted = results.filter((r): r is BusEntry => "detail" in r);
  // Committed before the answer. On the main thread at once rather than with the request group (in-thread
  // emits hold a delivery slot until answered); from the delivery thread, by the main thread's next commit.
  const ids = accepted.length > 0 ? await ctx.commit(accepted) : [];
  let next = 0;
  const out = results.map((r): EntryResult => ("detail" in r ? { EventId: ids[next++] } : r));
  return { FailedEntryCount: out.filter((r) => "ErrorCode" in r).length, Entries: out };
}

function readEntry(ctx: ApiContext, e: unknown): EntryResult | BusEntry {
  if (!isPlainObject(e)) return entryError("InvalidArgument", "Parameter Entry is not valid.");
  for (const field of ["Source", "DetailType", "Detail"]) {
    const v = e[field];
    if (typeof v !== "string" || v.length === 0) {
      return entryError(
        "InvalidArgument",
        `Parameter ${field} is not valid. Reason: ${field} is a required argument.`,
      );
    }
  }
  const bus = e.EventBusName;
  if (bus !== undefined && (typeof bus !== "string" || !ctx.busNames.has(bus))) {
    return entryError("ResourceNotFoundException", `Event bus ${String(bus)} does not exist.`);
  }
  const source = e.Source as string;
  if (source.startsWith("aws.")) {
    return entryError("NotAuthorizedForSourceException", "Not authorized for the source.");
  }
  let detail: unknown;
  try {
    detail = parseJson(e.Detail as string);
  } catch (err) {
    if (err instanceof RequestError) return entryError("MalformedDetail", "Detail is malformed.");
    throw err;
  }
  if (!isPlainObject(detail)) return entryError("MalformedDetail", "Detail is malformed.");
  const resources = e.Resources;
  if (
    resources !== undefined &&
    !(Array.isArray(resources) && resources.every((r) => typeof r === "string"))
  ) {
    return entryError("InvalidArgument", "Parameter Resources is not valid.");
  }
  let time: Date | undefined;
  if (e.Time !== undefined) {
    // The JSON protocol sends timestamps as epoch seconds.
    time = new Date(typeof e.Time === "number" ? e.Time * 1000 : Date.parse(String(e.Time)));
    if (Number.isNaN(time.getTime())) return entryError("InvalidArgument", "Parameter Time is not valid.");
  }
  return {
    source,
    detailType: e.DetailType as string,
    detail,
    time,
    resources: resources as string[] | undefined,
    defaultBus: bus === undefined || ctx.defaultBusNames.has(bus as string),
  };
}

function entrySizeOf(e: Record<string, unknown>): number {
  const str = (v: unknown) => (typeof v === "string" ? v : "");
  const resources = Array.isArray(e.Resources) ? e.Resources.map(str) : undefined;
  return entrySize({
    source: str(e.Source),
    detailType: str(e.DetailType),
    detail: str(e.Detail),
    resources,
    time: e.Time,
  });
}

function entryError(code: string, message: string): EntryResult {
  return { ErrorCode: code, ErrorMessage: message };
}

function invalidMember(member: string, constraint: string): AwsError {
  return new AwsError(
    "ValidationException",
    `1 validation error detected: Value at '${member}' failed to satisfy constraint: ${constraint}`,
  );
}

/** Fields AWS requires in TestEventPattern's `Event`. */
const REQUIRED_EVENT_FIELDS = ["id", "account", "source", "time", "region", "resources", "detail-type"];

function testEventPattern(input: Record<string, unknown>): unknown {
  const { EventPattern: pattern, Event: eventText } = input;
  if (typeof pattern !== "string") throw invalidMember("eventPattern", "Member must not be null");
  if (typeof eventText !== "string") throw invalidMember("event", "Member must not be null");
  const reason = check(pattern);
  if (reason !== undefined) {
    throw new AwsError("InvalidEventPatternException", `Event pattern is not valid. Reason: ${reason}`);
  }
  let event: unknown;
  try {
    event = JSON.parse(eventText);
  } catch {
    throw new AwsError("ValidationException", "Parameter Event is not valid.");
  }
  const missing = isPlainObject(event)
    ? REQUIRED_EVENT_FIELDS.filter((f) => !(f in event))
    : REQUIRED_EVENT_FIELDS;
  if (missing.length > 0) {
    throw new AwsError(
      "ValidationException",
      `Parameter Event is not valid. Missing fields: ${missing.join(", ")}.`,
    );
  }
  return { Result: matches(pattern, event) };
}
