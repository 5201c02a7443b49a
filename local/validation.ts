/**
 * Edge validation for `POST /events` and the EventBridge API: JSON parsing without prototype keys, the request
 * body contract, the catalogue schemas (compiled once) and EventBridge's entry size rule.
 * Every failure is a typed error with a stable name and a message naming the offending key.
 */
import type { TSchema } from "@sinclair/typebox";
import { TypeCompiler, type TypeCheck } from "@sinclair/typebox/compiler";
import { ValueErrorType, type ValueError } from "@sinclair/typebox/errors";
import type { CatalogEntry } from "../infra/table";

/** EventBridge's limit on one PutEvents entry (and on a whole PutEvents request). */
export const MAX_ENTRY_BYTES = 256 * 1024;

/** A client error on `POST /events`: `name` is the contract's stable error name. */
export class RequestError extends Error {
  constructor(
    readonly status: 400 | 413 | 415 | 429,
    override readonly name: "BadRequestBody" | "PayloadTooLarge" | "UnsupportedMediaType" | "TooManyRequests",
    message: string,
  ) {
    super(message);
  }
}

/**
 * `JSON.parse`, refusing `__proto__` keys anywhere (a prototype-pollution vector once the object is spread or
 * merged by a processor). The full walk only runs when the text could contain such a key.
 */
export function parseJson(text: string): unknown {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    throw new RequestError(400, "BadRequestBody", `body is not valid JSON: ${(err as Error).message}`);
  }
  if (text.includes("__proto__") || text.includes("\\u")) {
    const bad = findProtoKey(value, "body");
    if (bad) throw new RequestError(400, "BadRequestBody", `${bad} is not allowed`);
  }
  return value;
}

function findProtoKey(value: unknown, at: string): string | undefined {
  if (typeof value !== "object" || value === null) return undefined;
  for (const key of Object.keys(value)) {
    const here = Array.isArray(value) ? `${at}[${key}]` : `${at}.${key}`;
    if (key === "__proto__") return here;
    const inner = findProtoKey((value as Record<string, unknown>)[key], here);
    if (inner) return inner;
  }
  return undefined;
}

/**
 * Size of a PutEvents entry as EventBridge counts it: UTF-8 bytes of Source, DetailType, Detail and each
 * Resource, plus 14 bytes when Time is set.
 */
export function entrySize(e: {
  source: string;
  detailType: string;
  detail: string;
  resources?: string[];
  time?: unknown;
}): number {
  let n = Buffer.byteLength(e.source) + Buffer.byteLength(e.detailType) + Buffer.byteLength(e.detail);
  for (const r of e.resources ?? []) n += Buffer.byteLength(r);
  if (e.time !== undefined) n += 14;
  return n;
}

export function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

/** The validated body of `POST /events`. */
export interface EventRequest {
  detailType: string;
  detail: Record<string, unknown>;
  /** `detail` serialized, as it will be put on the bus. */
  detailJson: string;
}

/** Validates `POST /events` bodies against the catalogue; schemas are compiled once. */
export class EventValidator {
  private readonly checks = new Map<string, TypeCheck<TSchema>>();
  private readonly types: string;

  constructor(
    catalog: readonly CatalogEntry[],
    private readonly source: string,
  ) {
    for (const { detailType, schema } of catalog) this.checks.set(detailType, TypeCompiler.Compile(schema));
    this.types = catalog.map((c) => c.detailType).join(", ");
  }

  /** Throws `RequestError` naming the first offending key. */
  validate(body: unknown): EventRequest {
    if (!isPlainObject(body)) throw bad(`body must be a JSON object with "detail-type" and "detail"`);
    for (const key of Object.keys(body)) {
      if (key !== "detail-type" && key !== "detail") {
        const why = key === "source" ? " (the API sets the source)" : "";
        throw bad(`body.${key} is not allowed${why}; only "detail-type" and "detail" are accepted`);
      }
    }
    const detailType = body["detail-type"];
    if (detailType === undefined) throw bad(`detail-type is required`);
    if (typeof detailType !== "string") throw bad(`detail-type must be string`);
    const check = this.checks.get(detailType);
    if (!check) throw bad(`detail-type "${detailType.slice(0, 100)}" is not one of: ${this.types}`);
    const detail = body.detail;
    if (detail === undefined) throw bad(`detail is required`);
    if (!isPlainObject(detail)) throw bad(`detail must be object`);
    const detailJson = JSON.stringify(detail);
    const size = entrySize({ source: this.source, detailType, detail: detailJson });
    if (size > MAX_ENTRY_BYTES) {
      throw new RequestError(
        413,
        "PayloadTooLarge",
        `event is ${size} bytes; EventBridge's limit is ${MAX_ENTRY_BYTES}`,
      );
    }
    if (!check.Check(detail)) {
      const messages = describe([...check.Errors(detail)]);
      throw bad(messages.join("; "));
    }
    return { detailType, detail, detailJson };
  }
}

function bad(message: string): RequestError {
  return new RequestError(400, "BadRequestBody", message);
}

/** TypeBox errors as `detail.amount must be number`, most specific first, duplicates per key dropped. */
export function describe(errors: readonly ValueError[], root = "detail", max = 3): string[] {
  const out: string[] = [];
  const seen = new Set<string>();
  for (const e of errors) {
    if (seen.has(e.path)) continue;
    seen.add(e.path);
    out.push(`${root}${dotted(e.path)}${phrase(e)}`);
    if (out.length >= max) break;
  }
  return out;
}

function dotted(pointer: string): string {
  return pointer
    .split("/")
    .slice(1)
    .map((p) => p.replace(/~1/g, "/").replace(/~0/g, "~"))
    .map((p) =>
      /^\d+$/.test(p) ? `[${p}]` : /^[A-Za-z_$][\w$]*$/.test(p) ? `.${p}` : `[${JSON.stringify(p)}]`,
    )
    .join("");
}

const TYPE_ERRORS = new Set<ValueErrorType>([
  ValueErrorType.Array,
  ValueErrorType.Boolean,
  ValueErrorType.Integer,
  ValueErrorType.Null,
  ValueErrorType.Number,
  ValueErrorType.Object,
  ValueErrorType.String,
]);

function phrase(e: ValueError): string {
  if (e.type === ValueErrorType.ObjectRequiredProperty) return " is required";
  if (TYPE_ERRORS.has(e.type)) return ` must be ${String((e.schema as { type?: unknown }).type)}`;
  if (e.type === ValueErrorType.Union) {
    const options = (e.schema as { anyOf?: { const?: unknown }[] }).anyOf ?? [];
    if (options.length > 0 && options.every((o) => o.const !== undefined)) {
      return ` must be one of ${options.map((o) => JSON.stringify(o.const)).join(", ")}`;
    }
    return " does not match any allowed shape";
  }
  return `: ${e.message.charAt(0).toLowerCase()}${e.message.slice(1)}`;
}
