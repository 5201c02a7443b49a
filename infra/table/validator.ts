/**
 * The catalogue's compiled detail checks (TypeBox's `TypeCompiler`, once per detail-type) and the wording of
 * their failures (`detail.amount must be number`). One validator for every edge that accepts events: the
 * producer client checks a detail before sending it with this, and the local stack's `POST /events` can check
 * it with the same code. Pure: no Pulumi, no server, no I/O.
 */
import type { TSchema } from "@sinclair/typebox";
import { TypeCompiler, type TypeCheck } from "@sinclair/typebox/compiler";
import { ValueErrorType, type ValueError } from "@sinclair/typebox/errors";
import { decodePointer } from "../../processors/runtime";
import type { CatalogEntry } from "./catalog";

/** How many problems a message lists at most: enough to fix a detail, short enough to read. */
export const MAX_PROBLEMS = 3;

/** Validates details against the catalogue; each schema is compiled once, in the constructor. */
export class CatalogValidator {
  private readonly checks = new Map<string, TypeCheck<TSchema>>();
  /** The catalogue's detail-types, sorted. */
  readonly detailTypes: readonly string[];

  constructor(catalog: readonly CatalogEntry[]) {
    for (const { detailType, schema } of catalog) this.checks.set(detailType, TypeCompiler.Compile(schema));
    this.detailTypes = catalog.map((entry) => entry.detailType);
  }

  /** Whether `detailType` is in the catalogue. */
  accepts(detailType: string): boolean {
    return this.checks.has(detailType);
  }

  /**
   * What is wrong with an event of `detailType` carrying `detail`, most specific first, at most `max` messages,
   * each naming the key (`detail.items[0].name is required`); `[]` when the event is valid. An unknown
   * detail-type or a detail that is not an object is one message.
   */
  problems(detailType: string, detail: unknown, max = MAX_PROBLEMS): string[] {
    const check = this.checks.get(detailType);
    if (!check) {
      return [`detail-type "${detailType.slice(0, 100)}" is not one of: ${this.detailTypes.join(", ")}`];
    }
    if (typeof detail !== "object" || detail === null || Array.isArray(detail))
      return ["detail must be object"];
    if (check.Check(detail)) return [];
    return describeErrors([...check.Errors(detail)], "detail", max);
  }
}

/** TypeBox errors as `detail.amount must be number`, most specific first, one message per key. */
export function describeErrors(errors: readonly ValueError[], root = "detail", max = MAX_PROBLEMS): string[] {
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

/** `/items/0/name` → `.items[0].name`; keys that are not identifiers are quoted (`["detail-type"]`). */
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
