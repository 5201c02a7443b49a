/**
 * What changed between two versions of an event's JSON Schema, and whether each change breaks someone.
 * A pure function of two schemas (plain JSON, or TypeBox objects), used by the contract gate.
 *
 * Whom a change breaks:
 * - producers, when an event valid before is invalid after: a new required field, a narrowed type, a removed
 *   enum value, a tighter bound or pattern, closed additional properties;
 * - consumers, when a guarantee they read is gone: a removed (or renamed) field, a field no longer required, a
 *   type they did not handle (a widened type set).
 * Not breaking: a new optional field, a relaxed bound, a new enum value, a removed pattern, annotations
 * (`title`, `description`, `examples`, `version`, ...). Keywords this comparison does not reason about (`allOf`,
 * `not`, `$ref`, tuples, ...) are breaking whenever they differ: it cannot prove them compatible.
 */
import { isDeepStrictEqual } from "node:util";

/** A JSON Schema as plain data. */
type Schema = { [keyword: string]: unknown };

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

/** One difference between the two schemas. */
export interface SchemaChange {
  /** Where, from the detail's root: `detail.items[].name`. */
  readonly path: string;
  readonly kind: ChangeKind;
  readonly breaking: boolean;
  /** One line for humans, naming the field and the values. */
  readonly message: string;
}

/** Keywords that describe and never validate: changing them changes no event's validity. */
const ANNOTATIONS = new Set([
  "$schema",
  "$id",
  "$comment",
  "title",
  "description",
  "examples",
  "example",
  "default",
  "readOnly",
  "writeOnly",
  "deprecated",
  "version",
]);

/** Keywords compared below; any other validation keyword must be equal on both sides. */
const HANDLED = new Set([
  "type",
  "enum",
  "const",
  "anyOf",
  "oneOf",
  "properties",
  "required",
  "additionalProperties",
  "items",
  "minimum",
  "maximum",
  "exclusiveMinimum",
  "exclusiveMaximum",
  "minLength",
  "maxLength",
  "minItems",
  "maxItems",
  "minProperties",
  "maxProperties",
  "multipleOf",
  "pattern",
  "format",
  "uniqueItems",
]);

/** Lower bounds: raising one (or adding it) narrows. Upper bounds: lowering one (or adding it) narrows. */
const LOWER_BOUNDS = ["minLength", "minItems", "minProperties"] as const;
const UPPER_BOUNDS = ["maxLength", "maxItems", "maxProperties"] as const;

const JSON_TYPES = ["array", "boolean", "integer", "null", "number", "object", "string"];

/**
 * Every difference between `before` and `after` (schemas of the same event's `detail`), breaking or not, in a
 * stable order (by path, then as found). `[]` when they validate the same events and promise the same fields.
 */
export function compareSchemas(before: unknown, after: unknown, root = "detail"): SchemaChange[] {
  const changes: SchemaChange[] = [];
  compare(plain(before), plain(after), root, changes);
  return changes;
}

/** Only the breaking changes of `compareSchemas`. */
export function breakingChanges(before: unknown, after: unknown, root = "detail"): SchemaChange[] {
  return compareSchemas(before, after, root).filter((c) => c.breaking);
}

/** JSON data only: TypeBox's Symbol keys and `undefined` values dropped. */
function plain(schema: unknown): Schema {
  return JSON.parse(JSON.stringify(schema ?? {})) as Schema;
}

function compare(before: Schema, after: Schema, path: string, out: SchemaChange[]): void {
  if (isDeepStrictEqual(validating(before), validating(after))) return;
  const add = (kind: ChangeKind, breaking: boolean, message: string) =>
    out.push({ path, kind, breaking, message: `${path}: ${message}` });

  const b = branches(before);
  const a = branches(after);
  if (b === undefined || a === undefined) {
    add(
      "unsupported-changed",
      true,
      "changed in a way this check cannot compare (a union of same-typed shapes)",
    );
    return;
  }
  const bTypes = [...b.keys()];
  const aTypes = [...a.keys()];
  const lost = bTypes.filter((t) => !accepts(aTypes, t));
  const gained = aTypes.filter((t) => !accepts(bTypes, t));
  if (lost.length > 0 || gained.length > 0) {
    const how = lost.length > 0 && gained.length > 0 ? "changed" : lost.length > 0 ? "narrowed" : "widened";
    const who =
      lost.length > 0 ? "events valid before are rejected" : "consumers may get a type they do not handle";
    add(
      "type-changed",
      true,
      `type ${how} from ${describeTypes(bTypes)} to ${describeTypes(aTypes)} (${who})`,
    );
  }
  for (const [type, beforeBranch] of b) {
    const afterBranch = a.get(type) ?? (type === "integer" ? a.get("number") : undefined);
    if (afterBranch) compareBranch(beforeBranch, afterBranch, type, path, out);
  }
}

/** `integer` values are accepted by a `number` type too. */
function accepts(types: readonly string[], type: string): boolean {
  return types.includes(type) || (type === "integer" && types.includes("number"));
}

function describeTypes(types: readonly string[]): string {
  return types.length === JSON_TYPES.length ? "any" : types.join(" | ");
}

/** The schema without its annotations, for equality. */
function validating(schema: Schema): Schema {
  return Object.fromEntries(Object.entries(schema).filter(([k]) => !ANNOTATIONS.has(k)));
}

/**
 * One single-typed schema per JSON type the schema accepts: `type: [a, b]` splits, `const`/`enum` and TypeBox's
 * union of literals become one `enum` per type, a union of differently-typed shapes becomes its branches.
 * `undefined` when two branches of a union share a type (this comparison cannot pair them).
 */
function branches(schema: Schema): Map<string, Schema> | undefined {
  const union = (schema.anyOf ?? schema.oneOf) as Schema[] | undefined;
  if (Array.isArray(union)) {
    const { anyOf: _a, oneOf: _o, ...rest } = schema;
    const out = new Map<string, Schema>();
    for (const branch of union) {
      const inner = branches({ ...rest, ...branch });
      if (!inner) return undefined;
      for (const [type, s] of inner) {
        const seen = out.get(type);
        if (seen === undefined) out.set(type, s);
        else if (isLiteral(seen) && isLiteral(s))
          out.set(type, { ...seen, enum: [...enumOf(seen)!, ...enumOf(s)!] });
        else return undefined;
      }
    }
    return out;
  }
  const values = enumOf(schema);
  let types: string[];
  if (schema.type !== undefined)
    types = Array.isArray(schema.type) ? (schema.type as string[]) : [schema.type as string];
  else if (values !== undefined) types = [...new Set(values.map(jsonType))];
  else types = JSON_TYPES;
  const out = new Map<string, Schema>();
  for (const type of types) {
    const { const: _c, enum: _e, type: _t, ...rest } = schema;
    const own = values?.filter((v) => accepts([type], jsonType(v)));
    out.set(type, { ...rest, type, ...(own !== undefined ? { enum: own } : {}) });
  }
  return out;
}

function isLiteral(schema: Schema): boolean {
  return Object.keys(validating(schema)).every((k) => k === "type" || k === "enum");
}

function enumOf(schema: Schema): unknown[] | undefined {
  if (schema.const !== undefined) return [schema.const];
  return Array.isArray(schema.enum) ? schema.enum : undefined;
}

function jsonType(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "array";
  if (typeof value === "number") return Number.isInteger(value) ? "integer" : "number";
  return typeof value;
}

/** Two schemas of the same JSON type. */
function compareBranch(before: Schema, after: Schema, type: string, path: string, out: SchemaChange[]): void {
  const add = (kind: ChangeKind, breaking: boolean, message: string) =>
    out.push({ path, kind, breaking, message: `${path}: ${message}` });

  compareEnum(enumOf(before), enumOf(after), add);
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
  if (type === "object") compareObject(before, after, path, out);
  if (type === "array") compareItems(before.items, after.items, path, out);

  const keys = new Set([...Object.keys(before), ...Object.keys(after)]);
  for (const k of keys) {
    if (HANDLED.has(k) || ANNOTATIONS.has(k) || isDeepStrictEqual(before[k], after[k])) continue;
    add("unsupported-changed", true, `"${k}" changed; this check cannot prove it compatible`);
  }
}

type Add = (kind: ChangeKind, breaking: boolean, message: string) => void;

function compareEnum(before: unknown[] | undefined, after: unknown[] | undefined, add: Add): void {
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

function compareObject(before: Schema, after: Schema, path: string, out: SchemaChange[]): void {
  const add = (at: string, kind: ChangeKind, breaking: boolean, message: string) =>
    out.push({ path: at, kind, breaking, message: `${at}: ${message}` });
  const bProps = (before.properties ?? {}) as Record<string, Schema>;
  const aProps = (after.properties ?? {}) as Record<string, Schema>;
  const bRequired = new Set((before.required ?? []) as string[]);
  const aRequired = new Set((after.required ?? []) as string[]);
  const added = Object.keys(aProps).filter((k) => !(k in bProps));

  for (const [name, schema] of Object.entries(bProps)) {
    const at = `${path}.${name}`;
    if (!(name in aProps)) {
      const twin = added.find((k) =>
        isDeepStrictEqual(validating(plain(aProps[k])), validating(plain(schema))),
      );
      add(
        at,
        "field-removed",
        true,
        `field removed${twin ? ` (renamed to "${twin}"?)` : ""}; consumers reading it break`,
      );
      continue;
    }
    compare(plain(schema), plain(aProps[name]), at, out);
    if (!bRequired.has(name) && aRequired.has(name)) {
      add(at, "field-now-required", true, "now required; events without it are rejected");
    } else if (bRequired.has(name) && !aRequired.has(name)) {
      add(at, "field-now-optional", true, "no longer required; consumers relying on it break");
    }
  }
  for (const name of added) {
    const at = `${path}.${name}`;
    if (aRequired.has(name))
      add(at, "field-added-required", true, "new required field; events without it are rejected");
    else add(at, "field-added-optional", false, "new optional field");
  }
  // Required names without a property schema (rare, but legal).
  for (const name of aRequired) {
    if (!(name in aProps) && !bRequired.has(name) && !(name in bProps)) {
      add(
        `${path}.${name}`,
        "field-added-required",
        true,
        "new required field; events without it are rejected",
      );
    }
  }

  const bExtra = before.additionalProperties;
  const aExtra = after.additionalProperties;
  const open = (v: unknown) => v === undefined || v === true;
  if (open(bExtra) && aExtra === false) {
    add(path, "additional-properties-closed", true, "no longer accepts properties it does not list");
  } else if (bExtra === false && open(aExtra)) {
    add(path, "additional-properties-opened", false, "now accepts properties it does not list");
  } else if (!isDeepStrictEqual(bExtra, aExtra)) {
    if (typeof bExtra === "object" && typeof aExtra === "object" && bExtra && aExtra) {
      compare(plain(bExtra), plain(aExtra), `${path}.*`, out);
    } else if (open(aExtra)) {
      add(path, "additional-properties-opened", false, "unlisted properties are no longer constrained");
    } else {
      add(path, "additional-properties-closed", true, "unlisted properties are now constrained");
    }
  }
}

function compareItems(before: unknown, after: unknown, path: string, out: SchemaChange[]): void {
  if (isDeepStrictEqual(before, after)) return;
  const at = `${path}[]`;
  if (Array.isArray(before) || Array.isArray(after)) {
    out.push({
      path: at,
      kind: "unsupported-changed",
      breaking: true,
      message: `${at}: tuple items changed; this check cannot prove it compatible`,
    });
    return;
  }
  compare(plain(before ?? {}), plain(after ?? {}), at, out);
}
