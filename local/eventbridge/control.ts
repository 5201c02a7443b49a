/**
 * The request helpers its operations share: reading members
 * (AWS's validation wording), `Limit`/`NextToken` paging as AWS pages, bus names, and timestamps (the JSON
 * protocol sends epoch seconds). The rules, targets, buses and archive are the routing table's, named by
 * `infra/table/names.ts` exactly as the cloud stack names them.
 */
import { AwsError, invalidMember } from "./errors";
import { isPlainObject } from "./json";

/** What the bus helpers read of the control plane (`ControlPlane` in context.ts). */
interface BusView {
  readonly names: { readonly bus: string; readonly context: { readonly region: string } };
  readonly account: string;
  readonly busAliases: readonly string[];
}

/** `Limit` when a call gives none: AWS's maximum page (LimitMax100). */
const DEFAULT_LIMIT = 100;

/** An optional string member; `undefined` when absent. */
export function optionalString(input: Record<string, unknown>, key: string): string | undefined {
  const v = input[key];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== "string") throw new AwsError("SerializationException", `${key} must be a string`);
  return v;
}

/** An optional member of an enum (`State`): a value outside it is AWS's enum validation error. */
export function optionalEnum<T extends string>(
  input: Record<string, unknown>,
  key: string,
  allowed: readonly T[],
): T | undefined {
  const v = optionalString(input, key);
  if (v === undefined || (allowed as readonly string[]).includes(v)) return v as T | undefined;
  throw invalidMember(camel(key), `Member must satisfy enum value set: [${allowed.join(", ")}]`, v);
}

/** A required string member, in AWS's words when missing. */
export function requiredString(input: Record<string, unknown>, key: string): string {
  const v = optionalString(input, key);
  if (v === undefined || v === "") throw invalidMember(camel(key), "Member must not be null");
  return v;
}

/**
 * A timestamp member: the JSON protocol sends epoch seconds (a number); an ISO string is read too. A number no
 * date can carry (`1e300`) is refused like text: stored, it could never be shown as a time again.
 */
export function requiredTime(input: Record<string, unknown>, key: string): number {
  const v = input[key];
  if (v === undefined || v === null) throw invalidMember(camel(key), "Member must not be null");
  const ms = typeof v === "number" ? v * 1000 : typeof v === "string" ? Date.parse(v) : NaN;
  if (Number.isNaN(new Date(ms).getTime())) {
    throw new AwsError("SerializationException", `${key} must be a timestamp (epoch seconds or ISO 8601)`);
  }
  return ms;
}

/** Epoch ms as the JSON protocol's timestamp (epoch seconds). */
export function seconds(ms: number | null | undefined): number | undefined {
  return ms === null || ms === undefined ? undefined : ms / 1000;
}

/**
 * One page of `items` as AWS pages a list: `Limit` (1–100) items from where `NextToken` left off, and a
 * `NextToken` when more follow. Tokens are opaque to clients: base64url of the operation and an offset.
 */
export function page<T>(
  input: Record<string, unknown>,
  operation: string,
  items: readonly T[],
): { items: T[]; NextToken?: string } {
  const limit = readLimit(input);
  const offset = readToken(input, operation);
  const slice = items.slice(offset, offset + limit);
  const next = offset + limit;
  return { items: slice, ...(next < items.length ? { NextToken: token(operation, next) } : {}) };
}

/** `Limit` and the offset `NextToken` encodes, for lists paged by their source (replays). */
export function pageWindow(
  input: Record<string, unknown>,
  operation: string,
): { offset: number; limit: number } {
  return { offset: readToken(input, operation), limit: readLimit(input) };
}

/** The `NextToken` that continues `operation` at `offset`. */
export function token(operation: string, offset: number): string {
  return Buffer.from(JSON.stringify({ op: operation, offset })).toString("base64url");
}

function readLimit(input: Record<string, unknown>): number {
  const v = input.Limit;
  if (v === undefined || v === null) return DEFAULT_LIMIT;
  if (typeof v !== "number" || !Number.isInteger(v)) {
    throw new AwsError("SerializationException", "Limit must be an integer");
  }
  if (v < 1) throw invalidMember("limit", "Member must have value greater than or equal to 1", v);
  if (v > 100) throw invalidMember("limit", "Member must have value less than or equal to 100", v);
  return v;
}

function readToken(input: Record<string, unknown>, operation: string): number {
  const raw = optionalString(input, "NextToken");
  if (raw === undefined) return 0;
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(raw, "base64url").toString("utf8"));
  } catch {
    parsed = undefined;
  }
  if (
    !isPlainObject(parsed) ||
    parsed.op !== operation ||
    typeof parsed.offset !== "number" ||
    // A forged offset past 2^53 would reach SQLite's OFFSET and fail there (a storage error, answered 503).
    !Number.isSafeInteger(parsed.offset) ||
    parsed.offset < 0
  ) {
    throw new AwsError("ValidationException", "The NextToken provided is not valid.");
  }
  return parsed.offset;
}

/** Which bus an `EventBusName` (a name, an alias or an ARN; absent: `default`) names; throws when none. */
export function resolveBus(control: BusView, given: string | undefined): "default" | "backbone" {
  if (given === undefined || given === "default" || given === busArn(control, "default")) return "default";
  const names = [control.names.bus, ...control.busAliases];
  if (names.includes(given) || names.some((n) => busArn(control, n) === given)) return "backbone";
  throw new AwsError("ResourceNotFoundException", `Event bus ${given} does not exist.`);
}

/** The ARN of bus `name` in the stack's region and account. */
export function busArn(control: BusView, name: string): string {
  return `arn:aws:events:${control.names.context.region}:${control.account}:event-bus/${name}`;
}

/** `EventBusName` → `eventBusName`: AWS names members in camel case in validation messages. */
function camel(key: string): string {
  return key.charAt(0).toLowerCase() + key.slice(1);
}
