/**
 * EventBridge's own JSON API (`X-Amz-Target: AWSEvents.<Action>`, `application/x-amz-json-1.1`) as plain
 * functions, so `@aws-sdk/client-eventbridge` and `aws events … --endpoint-url` work unchanged against the local
 * stack. The HTTP route (`local/http/eventbridge.ts`) and the processors' in-process emit transport
 * (`local/delivery/emit-transport.ts`) both answer through `answerAwsCall`, so both run the same code.
 *
 * Besides PutEvents and TestEventPattern, the control plane's reads (buses, rules, targets, the archive) and
 * replays are answered from the routing table (`ControlPlane`); its writes answer an error that says the table
 * is the source of truth. Signatures are not checked (with `BACKBONE_TOKEN` set, the HTTP edge checks the access key id). A store that
 * cannot write answers 503 `ServiceUnavailable` with `Retry-After` (AWS's common error for a temporary failure),
 * which the SDK retries.
 */
import { StorageFault } from "../store";
import { errorAnswer, type AwsAnswer } from "./answer";
import {
  cancelReplay,
  describeArchive,
  describeReplay,
  listArchives,
  listReplays,
  startReplay,
} from "./archives-replays";
import {
  describeEventBus,
  describeRule,
  listEventBuses,
  listRuleNamesByTarget,
  listRules,
  listTargetsByRule,
} from "./buses-rules";
import type { ControlPlane, EventBridgeContext } from "./context";
import { MetaError, readMeta, type HeaderLookup, type RequestMeta } from "./correlation";
import { AwsError, tableOwned } from "./errors";
import { isPlainObject, JsonError, parseJson } from "./json";
import { putEvents } from "./put-events";
import { testEventPattern } from "./test-event-pattern";

type ControlOperation = (control: ControlPlane, input: Record<string, unknown>) => unknown;

/** The control plane's reads and replays. */
const CONTROL: Record<string, ControlOperation> = {
  ListEventBuses: listEventBuses,
  DescribeEventBus: describeEventBus,
  ListRules: listRules,
  DescribeRule: describeRule,
  ListTargetsByRule: listTargetsByRule,
  ListRuleNamesByTarget: listRuleNamesByTarget,
  ListArchives: listArchives,
  DescribeArchive: describeArchive,
  StartReplay: startReplay,
  DescribeReplay: describeReplay,
  ListReplays: listReplays,
  CancelReplay: cancelReplay,
};

/** Writes to rules and targets (`ManagedRuleException`), then to buses, archives and permissions. */
const RULE_WRITES = ["PutRule", "PutTargets", "DeleteRule", "RemoveTargets", "EnableRule", "DisableRule"];
const OTHER_WRITES = [
  "TagResource",
  "UntagResource",
  "CreateEventBus",
  "UpdateEventBus",
  "DeleteEventBus",
  "CreateArchive",
  "UpdateArchive",
  "DeleteArchive",
  "PutPermission",
  "RemovePermission",
];

/**
 * Runs one API call: `target` is the `X-Amz-Target` header, `body` the parsed JSON body, `header` reads the
 * request's headers (the correlation headers of PutEvents).
 */
export async function answerAwsCall(
  ctx: EventBridgeContext,
  target: string,
  body: unknown,
  header: HeaderLookup = () => undefined,
): Promise<AwsAnswer> {
  const action = target.startsWith("AWSEvents.") ? target.slice("AWSEvents.".length) : "";
  try {
    const control = CONTROL[action];
    const known =
      action === "PutEvents" ||
      action === "TestEventPattern" ||
      control !== undefined ||
      RULE_WRITES.includes(action) ||
      OTHER_WRITES.includes(action);
    if (!known || (!ctx.control && action !== "PutEvents" && action !== "TestEventPattern")) {
      throw new AwsError("UnknownOperationException", `unknown operation ${JSON.stringify(target)}`);
    }
    if (!isPlainObject(body))
      throw new AwsError("SerializationException", "request body must be a JSON object");
    let output: unknown;
    if (action === "PutEvents") output = await putEvents(ctx, body, meta(header, ctx.emitKey));
    else if (action === "TestEventPattern") output = testEventPattern(body);
    else if (control && ctx.control) output = control(ctx.control, body);
    else throw tableOwned(action, RULE_WRITES.includes(action));
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
export function answerAwsText(
  ctx: EventBridgeContext,
  target: string,
  text: string,
  header?: HeaderLookup,
): Promise<AwsAnswer> {
  let body: unknown;
  try {
    body = parseJson(text);
  } catch (err) {
    if (err instanceof JsonError) {
      return Promise.resolve(errorAnswer(400, "SerializationException", err.message));
    }
    throw err;
  }
  return answerAwsCall(ctx, target, body, header);
}

function meta(header: HeaderLookup, emitKey: string): RequestMeta {
  try {
    return readMeta(header, emitKey);
  } catch (err) {
    if (err instanceof MetaError)
      throw new AwsError(err.denied ? "AccessDeniedException" : "ValidationException", err.message);
    throw err;
  }
}
