/**
 * PutEvents: AWS's split between request errors (`AwsError`, HTTP 400 with `__type`) and per-entry errors
 * (`ErrorCode`/`ErrorMessage` with `FailedEntryCount`), whose codes come from AWS's list in the PutEventsResultEntry
 * reference: `InvalidArgument`, `MalformedDetail`, `NotAuthorizedForSourceException`. An unknown bus is an
 * `InvalidArgument` entry: AWS has been reported to accept such entries silently (aws/aws-cli#9186); refusing
 * them locally shows the typo.
 * A `Detail` the edge's JSON reader refuses (deeper than 1,000 levels, a number a double cannot hold, a
 * `__proto__` key) is a `MalformedDetail` entry, like any Detail that is not JSON. Accepted entries are committed
 * before the answer.
 */
import type { BusEntry } from "../bus";
import type { EventBridgeContext } from "./context";
import { correlationFor, type RequestMeta } from "./correlation";
import { entrySize, MAX_ENTRIES, MAX_ENTRY_BYTES } from "./entries";
import { AwsError, invalidMember } from "./errors";
import { isPlainObject, JsonError, parseJson } from "./json";

/** AWS's per-entry error codes (the PutEventsResultEntry reference); an entry error can use no other. */
type EntryErrorCode =
  | "InternalFailure"
  | "ThrottlingException"
  | "AccessDeniedException"
  | "InvalidAccountIdException"
  | "InvalidArgument"
  | "MalformedDetail"
  | "RedactionFailure"
  | "NotAuthorizedForSourceException"
  | "NotAuthorizedForDetailTypeException";

type EntryResult = { EventId: string } | { ErrorCode: EntryErrorCode; ErrorMessage: string };

/** Runs a PutEvents call whose body is `input`; `meta` is what its headers say (correlation, cause). */
export async function putEvents(
  ctx: EventBridgeContext,
  input: Record<string, unknown>,
  meta: RequestMeta = {},
): Promise<unknown> {
  const entries = input.Entries;
  if (!Array.isArray(entries)) throw invalidMember("entries", "Member must not be null");
  if (entries.length < 1)
    throw invalidMember("entries", "Member must have length greater than or equal to 1");
  if (entries.length > MAX_ENTRIES) {
    throw invalidMember("entries", `Member must have length less than or equal to ${MAX_ENTRIES}`);
  }
  entries.forEach((e, i) => checkTraceHeader(e, i));
  // Follow-up events emitted by processors also come through here, so PutEvents gets headroom above the bound
  // of `POST /events`: a full backlog must not make the processors that drain it fail.
  if (ctx.backlog.openDeliveries >= 2 * ctx.maxPending)
    throw new AwsError("ThrottlingException", "Rate exceeded");
  const results: (EntryResult | BusEntry)[] = entries.map((e) => readEntry(ctx, e, meta));
  let total = 0;
  for (const e of entries) if (isPlainObject(e)) total += entrySizeOf(e);
  if (total > MAX_ENTRY_BYTES) {
    throw new AwsError("ValidationException", "Total size of the entries in the request is over the limit.");
  }
  const accepted = results.filter((r): r is BusEntry => "detail" in r);
  // Committed before the answer. On the main thread at once rather than with the request group (in-thread
  // emits hold a delivery slot until answered); in a processor worker, the main thread commits them before it
  // takes the attempt's outcome.
  const ids = accepted.length > 0 ? await ctx.commit(accepted) : [];
  let next = 0;
  const out = results.map((r): EntryResult => ("detail" in r ? { EventId: ids[next++] } : r));
  return { FailedEntryCount: out.filter((r) => "ErrorCode" in r).length, Entries: out };
}

function readEntry(ctx: EventBridgeContext, e: unknown, meta: RequestMeta): EntryResult | BusEntry {
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
  // A member sent as JSON null is absent, as AWS's JSON protocol reads it (the SDKs omit it instead).
  const bus = e.EventBusName ?? undefined;
  if (bus !== undefined && (typeof bus !== "string" || !ctx.busNames.has(bus))) {
    return entryError(
      "InvalidArgument",
      `Parameter EventBusName is not valid. Reason: Event bus ${String(bus)} does not exist.`,
    );
  }
  const source = e.Source as string;
  if (source.startsWith("aws.")) {
    return entryError("NotAuthorizedForSourceException", "Not authorized for the source.");
  }
  let detail: unknown;
  try {
    detail = parseJson(e.Detail as string, "Detail");
  } catch (err) {
    // AWS's per-entry code for a Detail it cannot read; the message says what (nesting, a number, a key).
    if (err instanceof JsonError) return entryError("MalformedDetail", `Detail is malformed: ${err.message}`);
    throw err;
  }
  if (!isPlainObject(detail)) return entryError("MalformedDetail", "Detail is malformed.");
  const resources = e.Resources ?? undefined;
  if (
    resources !== undefined &&
    !(Array.isArray(resources) && resources.every((r) => typeof r === "string"))
  ) {
    return entryError("InvalidArgument", "Parameter Resources is not valid.");
  }
  let time: Date | undefined;
  if (e.Time !== undefined && e.Time !== null) {
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
    correlationId: correlationFor(meta, e.TraceHeader),
    cause: meta.cause,
  };
}

/**
 * `TraceHeader` within AWS's model (a string of 1-500 characters). A member constraint, so AWS refuses the whole
 * request, before any entry is read; locally it is only searched for an X-Ray root, but a header AWS would refuse
 * must not pass here.
 */
function checkTraceHeader(e: unknown, index: number): void {
  if (!isPlainObject(e) || e.TraceHeader === undefined || e.TraceHeader === null) return;
  const v = e.TraceHeader;
  const member = `entries.${index + 1}.member.traceHeader`;
  if (typeof v !== "string") throw new AwsError("SerializationException", `${member} must be a string`);
  if (v.length < 1) throw invalidMember(member, "Member must have length greater than or equal to 1");
  if (v.length > 500) throw invalidMember(member, "Member must have length less than or equal to 500");
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

function entryError(code: EntryErrorCode, message: string): EntryResult {
  return { ErrorCode: code, ErrorMessage: message };
}
