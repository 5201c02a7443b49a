/**
 * TestEventPattern: the project's pattern engine answers exactly as EventBridge's rule matching. The pattern is
 * read by the engine's own strict reader (2,048 characters, 256 levels at most); the event by the edge's.
 */
import { check, matches } from "../../infra/pattern";
import { AwsError, invalidMember } from "./errors";
import { isPlainObject, JsonError, parseJson } from "./json";

/** Fields AWS requires in TestEventPattern's `Event`. */
const REQUIRED_EVENT_FIELDS = ["id", "account", "source", "time", "region", "resources", "detail-type"];

/** Runs a TestEventPattern call whose body is `input`. */
export function testEventPattern(input: Record<string, unknown>): unknown {
  const { EventPattern: pattern, Event: eventText } = input;
  if (typeof pattern !== "string") throw invalidMember("eventPattern", "Member must not be null");
  if (typeof eventText !== "string") throw invalidMember("event", "Member must not be null");
  const reason = check(pattern);
  if (reason !== undefined) {
    throw new AwsError("InvalidEventPatternException", `Event pattern is not valid. Reason: ${reason}`);
  }
  let event: unknown;
  try {
    // The edge's reader: nesting beyond 1,000 levels never reaches the matcher (which recurses).
    event = parseJson(eventText, "Event");
  } catch (err) {
    if (!(err instanceof JsonError)) throw err;
    throw new AwsError("ValidationException", `Parameter Event is not valid: ${err.message}`);
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
