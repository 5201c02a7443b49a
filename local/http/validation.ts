/**
 * Edge validation for `POST /events`: the request body contract, the catalogue schemas (compiled once) and
 * EventBridge's entry size rule.
 * Every failure is a typed error with a stable name and a message naming the offending key.
 */
import type { TSchema } from "@sinclair/typebox";
import { TypeCompiler, type TypeCheck } from "@sinclair/typebox/compiler";
import { ValueErrorType, type ValueError } from "@sinclair/typebox/errors";
import { decodePointer } from "../../processors/runtime";
import type { CatalogEntry } from "../../infra/table";
import { entrySize, isPlainObject, MAX_ENTRY_BYTES } from "../eventbridge";
import { badRequest, payloadTooLarge } from "./errors";

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

  /** Throws a `badRequest` (or `payloadTooLarge`) naming the first offending key. */
  validate(body: unknown): EventRequest {
    if (!isPlainObject(body)) throw badRequest(`body must be a JSON object with "detail-type" and "detail"`);
    for (const key of Object.keys(body)) {
      if (key !== "detail-type" && key !== "detail") {
        const why = key === "source" ? " (the API sets the source)" : "";
        throw badRequest(`body.${key} is not allowed${why}; only "detail-type" and "detail" are accepted`);
      }
    }
    const detailType = body["detail-type"];
    if (detailType === undefined) throw badRequest(`detail-type is required`);
    if (typeof detailType !== "string") throw badRequest(`detail-type must be string`);
    const check = this.checks.get(detailType);
    if (!check) throw badRequest(`detail-type "${detailType.slice(0, 100)}" is not one of: ${this.types}`);
    const detail = body.detail;
    if (detail === undefined) throw badRequest(`detail is required`);
    if (!isPlainObject(detail)) throw badRequest(`detail must be object`);
    const detailJson = JSON.stringify(detail);
    const size = entrySize({ source: this.source, detailType, detail: detailJson });
    if (size > MAX_ENTRY_BYTES) {
      throw payloadTooLarge(`event is ${size} bytes; EventBridge's limit is ${MAX_ENTRY_BYTES}`);
    }
    if (!check.Check(detail)) {
      const messages = describe([...check.Errors(detail)]);
      throw badRequest(messages.join("; "));
    }
    return { detailType, detail, detailJson };
  }
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
    .map(decodePointer)
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
