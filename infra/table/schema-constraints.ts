/**
 * The vocabulary of schema changes and the rules for keywords that constrain one value (enum, bounds, lengths,
 * multipleOf, pattern, format, uniqueItems): whether a change narrows (breaks producers) or relaxes. Used by
 * `schema-diff.ts` on two schemas of the same JSON type. Pure.
 */
import { isDeepStrictEqual } from "node:util";

/** A JSON Schema as plain data. */
export type Schema = { [keyword: string]: unknown };

/** What kind of change; `breaking` on the change says whether it breaks producers or consumers. */
export type ChangeKind =
  | "field-removed"
  | "field-added-required"
  | "field-added-optional"
  | "field-now-required"
  | "field-now-optional"
  | "type-changed"
  | "enum-value-removed"
  | "enum-value-added"
  | "enum-added"
  | "enum-removed"
  | "constraint-narrowed"
  | "constraint-relaxed"
  | "additional-properties-closed"
  | "additional-properties-opened"
  | "unsupported-changed";

/** Lower bounds: raising one (or adding it) narrows. Upper bounds: lowering one (or adding it) narrows. */
const LOWER_BOUNDS = ["minLength", "minItems", "minProperties"] as const;
const UPPER_BOUNDS = ["maxLength", "maxItems", "maxProperties"] as const;

/** The constraints of one value of `type`, before and after: bounds, lengths, multipleOf, pattern, format. */
export function compareConstraints(before: Schema, after: Schema, type: string, add: Add): void {
  for (const k of LOWER_BOUNDS) compareBound(k, before[k], after[k], "lower", add);
  for (const k of UPPER_BOUNDS) compareBound(k, before[k], after[k], "upper", add);
  if (type === "number" || type === "integer") {
    compareLimit("minimum", lowerLimit(before), lowerLimit(after), "lower", add);
    compareLimit("maximum", upperLimit(before), upperLimit(after), "upper", add);
    compareMultipleOf(before.multipleOf, after.multipleOf, add);
  }
  for (const k of ["pattern", "format"] as const) {
    if (isDeepStrictEqual(before[k], after[k])) continue;
    if (after[k] === undefined) add("constraint-relaxed", false, `${k} ${JSON.stringify(before[k])} removed`);
    else
      add(
        "constraint-narrowed",
        true,
        `${k} ${before[k] === undefined ? "added" : `changed from ${JSON.stringify(before[k])}`} to ${JSON.stringify(after[k])}`,
      );
  }
  if (before.uniqueItems !== after.uniqueItems) {
    if (after.uniqueItems === true) add("constraint-narrowed", true, "items must now be unique");
    else add("constraint-relaxed", false, "items no longer need to be unique");
  }
}

/** Records one change at the current path. */
export type Add = (kind: ChangeKind, breaking: boolean, message: string) => void;

export function compareEnum(before: unknown[] | undefined, after: unknown[] | undefined, add: Add): void {
  if (before === undefined && after === undefined) return;
  if (after === undefined) return add("enum-removed", false, "any value is now allowed");
  if (before === undefined) return add("enum-added", true, `only ${list(after)} are now allowed`);
  const has = (values: unknown[], v: unknown) => values.some((x) => isDeepStrictEqual(x, v));
  for (const v of before)
    if (!has(after, v)) add("enum-value-removed", true, `value ${JSON.stringify(v)} removed`);
  for (const v of after)
    if (!has(before, v)) add("enum-value-added", false, `value ${JSON.stringify(v)} added`);
}

function list(values: unknown[]): string {
  return values.map((v) => JSON.stringify(v)).join(", ");
}

function compareBound(
  name: string,
  before: unknown,
  after: unknown,
  side: "lower" | "upper",
  add: Add,
): void {
  const b = typeof before === "number" ? { value: before, exclusive: false } : undefined;
  const a = typeof after === "number" ? { value: after, exclusive: false } : undefined;
  compareLimit(name, b, a, side, add);
}

interface Limit {
  value: number;
  exclusive: boolean;
}

/** `minimum` with draft 4's boolean `exclusiveMinimum` or draft 6's numeric one, as one limit. */
function lowerLimit(schema: Schema): Limit | undefined {
  return limit(schema.minimum, schema.exclusiveMinimum, "lower");
}

function upperLimit(schema: Schema): Limit | undefined {
  return limit(schema.maximum, schema.exclusiveMaximum, "upper");
}

function limit(inclusive: unknown, exclusive: unknown, side: "lower" | "upper"): Limit | undefined {
  const candidates: Limit[] = [];
  if (typeof inclusive === "number") candidates.push({ value: inclusive, exclusive: exclusive === true });
  if (typeof exclusive === "number") candidates.push({ value: exclusive, exclusive: true });
  if (candidates.length === 0) return undefined;
  // With both, the tighter one applies.
  return candidates.reduce((x, y) => (tighter(y, x, side) ? y : x));
}

/** Whether limit `x` admits fewer values than `y` on `side`. */
function tighter(x: Limit, y: Limit, side: "lower" | "upper"): boolean {
  if (x.value !== y.value) return side === "lower" ? x.value > y.value : x.value < y.value;
  return x.exclusive && !y.exclusive;
}

function compareLimit(
  name: string,
  b: Limit | undefined,
  a: Limit | undefined,
  side: "lower" | "upper",
  add: Add,
): void {
  const show = (l: Limit) =>
    `${l.exclusive ? (side === "lower" ? ">" : "<") : side === "lower" ? ">=" : "<="} ${l.value}`;
  if (b === undefined && a === undefined) return;
  if (b !== undefined && a !== undefined && b.value === a.value && b.exclusive === a.exclusive) return;
  if (a === undefined) return add("constraint-relaxed", false, `${name} ${show(b!)} removed`);
  if (b === undefined) return add("constraint-narrowed", true, `${name} ${show(a)} added`);
  if (tighter(a, b, side)) add("constraint-narrowed", true, `${name} narrowed from ${show(b)} to ${show(a)}`);
  else add("constraint-relaxed", false, `${name} relaxed from ${show(b)} to ${show(a)}`);
}

function compareMultipleOf(before: unknown, after: unknown, add: Add): void {
  if (before === after) return;
  if (after === undefined) return add("constraint-relaxed", false, `multipleOf ${String(before)} removed`);
  const b = before as number;
  const a = after as number;
  // Every multiple of b is a multiple of a when b / a is a whole number.
  const ratio = b / a;
  if (before !== undefined && Math.abs(ratio - Math.round(ratio)) < 1e-9) {
    add("constraint-relaxed", false, `multipleOf relaxed from ${b} to ${a}`);
  } else {
    add(
      "constraint-narrowed",
      true,
      `multipleOf ${before === undefined ? "added" : `changed from ${b}`} to ${a}`,
    );
  }
}
