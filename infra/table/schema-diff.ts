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
import { compareConstraints, compareEnum, type ChangeKind, type Schema } from "./schema-constraints";

export type { ChangeKind } from "./schema-constraints";

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
  compareConstraints(before, after, type, add);
  if (type === "object") compareObject(before, after, path, out);
  if (type === "array") compareItems(before.items, after.items, path, out);

  const keys = new Set([...Object.keys(before), ...Object.keys(after)]);
  for (const k of keys) {
    if (HANDLED.has(k) || ANNOTATIONS.has(k) || isDeepStrictEqual(before[k], after[k])) continue;
    add("unsupported-changed", true, `"${k}" changed; this check cannot prove it compatible`);
  }
}

function compareObject(before: Schema, after: Schema, path: string, out: SchemaChange[]): void {
  const add = (at: string, kind: ChangeKind, breaking: boolean, message: string) =>
    out.push({ path: at, kind, breaking, message: `${at}: ${message}` });
  const bProps = (before.properties ?? {}) as Record<string, Schema>;
  const aProps = (after.properties ?? {}) as Record<string, Schema>;
  const bRequired = new Set((before.required ?? []) as string[]);
  const aRequired = new Set((after.required ?? []) as string[]);
  const added = Object.keys(aProps).filter((k) => !Object.hasOwn(bProps, k));

  for (const [name, schema] of Object.entries(bProps)) {
    const at = `${path}.${name}`;
    if (!Object.hasOwn(aProps, name)) {
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
    if (!Object.hasOwn(aProps, name) && !bRequired.has(name) && !Object.hasOwn(bProps, name)) {
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
