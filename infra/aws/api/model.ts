/**
 * The API Gateway request model of `POST /events`, built from the event catalogue. API Gateway models are JSON
 * Schema draft 4 only, while TypeBox emits draft-07 style schemas with Symbol keys (`[Kind]`, `[OptionalKind]`),
 * `const` and `$id`: `toDraft04` converts them, and refuses what draft 4 cannot express instead of dropping it.
 * Pure: no Pulumi import.
 */
import type { CatalogEntry } from "../../table";

/** `$schema` of every model API Gateway accepts. */
export const DRAFT_04 = "http://json-schema.org/draft-04/schema#";

/** Name of the request model (API Gateway model names are alphanumeric). */
export const REQUEST_MODEL_NAME = "PostEventsRequest";

/** A JSON Schema as plain JSON data. */
export type JsonSchema = { [keyword: string]: unknown };

/** Thrown when a catalogue schema uses something draft 4 cannot express; the message names the JSON pointer. */
export class ModelSchemaError extends Error {
  override readonly name = "ModelSchemaError";
}

/**
 * Draft-04 JSON Schema of the request body `{"detail-type": ..., "detail": {...}}`:
 * `detail-type` must be one of the catalogue's types, `detail` must satisfy that type's schema (a `oneOf` with one
 * branch per type; the branches exclude each other by their `detail-type` enum), no other top-level key is allowed
 * (the API sets `source` itself).
 *
 * @throws ModelSchemaError for an empty catalogue or a schema draft 4 cannot express.
 */
export function requestModelSchema(catalog: readonly CatalogEntry[]): JsonSchema {
  if (catalog.length === 0)
    throw new ModelSchemaError("the event catalogue is empty: no detail-type to accept");
  return {
    $schema: DRAFT_04,
    title: REQUEST_MODEL_NAME,
    type: "object",
    required: ["detail-type", "detail"],
    additionalProperties: false,
    properties: {
      "detail-type": { type: "string", enum: catalog.map((e) => e.detailType) },
      detail: { type: "object" },
    },
    oneOf: catalog.map((entry) => ({
      properties: {
        "detail-type": { enum: [entry.detailType] },
        detail: toDraft04(entry.schema, `/${entry.detailType}`),
      },
    })),
  };
}

/** `requestModelSchema` as the JSON text `aws.apigateway.Model.schema` takes. */
export function requestModelSchemaJson(catalog: readonly CatalogEntry[]): string {
  return JSON.stringify(requestModelSchema(catalog));
}

/** Keywords with a sub-schema as value. */
const SCHEMA_KEYWORDS = new Set(["not", "additionalItems"]);
/** Keywords with an array of sub-schemas as value. */
const SCHEMA_ARRAY_KEYWORDS = new Set(["anyOf", "allOf", "oneOf"]);
/** Keywords with a map of name → sub-schema as value. */
const SCHEMA_MAP_KEYWORDS = new Set(["properties", "patternProperties"]);
/** Annotations of later drafts that mean nothing to a draft-04 validator. */
const DROPPED = new Set([
  "$id",
  "$schema",
  "$comment",
  "examples",
  "readOnly",
  "writeOnly",
  "contentMediaType",
  // The contract version (`Type.Object({...}, { version })`, see `infra/table/catalog.ts`): not a keyword.
  "version",
]);
/** Keywords of later drafts that change validation and have no draft-04 equivalent. */
const UNSUPPORTED = new Set([
  "$ref",
  "$defs",
  "definitions",
  "if",
  "then",
  "else",
  "contains",
  "propertyNames",
  "dependentRequired",
  "dependentSchemas",
  "unevaluatedProperties",
  "unevaluatedItems",
  "prefixItems",
  "minContains",
  "maxContains",
]);
const DRAFT_04_TYPES = new Set(["array", "boolean", "integer", "null", "number", "object", "string"]);

/**
 * Converts a (TypeBox) JSON Schema to draft 4: Symbol keys and later-draft annotations are dropped, `const` becomes
 * a one-value `enum`, numeric `exclusiveMinimum`/`exclusiveMaximum` become `minimum`/`maximum` with the draft-4
 * boolean flag, and a union of literals collapses to one `enum`. Returns new plain objects.
 *
 * @param pointer where `schema` sits, for error messages.
 * @throws ModelSchemaError for keywords draft 4 cannot express (`$ref`, `if`, `contains`, boolean schemas, ...).
 */
export function toDraft04(schema: unknown, pointer = ""): JsonSchema {
  if (schema === null || typeof schema !== "object" || Array.isArray(schema)) {
    throw new ModelSchemaError(
      `${pointer || "/"}: a schema must be an object in draft 4, got ${JSON.stringify(schema)}`,
    );
  }
  const source = schema as Record<string, unknown>;
  const out: JsonSchema = {};
  // Object.keys skips Symbol keys, which is how TypeBox's metadata is left behind.
  for (const key of Object.keys(source)) {
    const value = source[key];
    const at = `${pointer}/${key}`;
    if (value === undefined || DROPPED.has(key)) continue;
    if (UNSUPPORTED.has(key))
      throw new ModelSchemaError(`${at}: "${key}" has no JSON Schema draft-04 equivalent`);
    if (key === "const") {
      out.enum = [value];
    } else if (key === "exclusiveMinimum" || key === "exclusiveMaximum") {
      convertExclusive(out, source, key, value, at);
    } else if (key === "type") {
      checkType(value, at);
      out.type = value;
    } else if (SCHEMA_KEYWORDS.has(key)) {
      out[key] = toDraft04(value, at);
    } else if (SCHEMA_ARRAY_KEYWORDS.has(key)) {
      out[key] = asArray(value, at).map((s, i) => toDraft04(s, `${at}/${i}`));
    } else if (SCHEMA_MAP_KEYWORDS.has(key)) {
      out[key] = mapValues(value, at, (s, p) => toDraft04(s, p));
    } else if (key === "additionalProperties") {
      out[key] = typeof value === "boolean" ? value : toDraft04(value, at);
    } else if (key === "items") {
      out[key] = Array.isArray(value)
        ? value.map((s, i) => toDraft04(s, `${at}/${i}`))
        : toDraft04(value, at);
    } else if (key === "dependencies") {
      out[key] = mapValues(value, at, (d, p) => (Array.isArray(d) ? [...d] : toDraft04(d, p)));
    } else {
      out[key] = structuredClone(value);
    }
  }
  return collapseLiteralUnion(out);
}

function convertExclusive(
  out: JsonSchema,
  source: Record<string, unknown>,
  key: "exclusiveMinimum" | "exclusiveMaximum",
  value: unknown,
  at: string,
): void {
  if (typeof value === "boolean") {
    out[key] = value; // already draft 4
    return;
  }
  const bound = key === "exclusiveMinimum" ? "minimum" : "maximum";
  if (typeof value !== "number") throw new ModelSchemaError(`${at}: must be a number`);
  if (source[bound] !== undefined) {
    throw new ModelSchemaError(
      `${at}: both "${bound}" and a numeric "${key}" cannot be expressed in draft 4`,
    );
  }
  out[bound] = value;
  out[key] = true;
}

function checkType(value: unknown, at: string): void {
  const types = Array.isArray(value) ? value : [value];
  for (const t of types) {
    if (typeof t !== "string" || !DRAFT_04_TYPES.has(t)) {
      throw new ModelSchemaError(`${at}: ${JSON.stringify(t)} is not a JSON Schema type`);
    }
  }
}

function asArray(value: unknown, at: string): unknown[] {
  if (!Array.isArray(value)) throw new ModelSchemaError(`${at}: must be an array of schemas`);
  return value;
}

function mapValues<T>(value: unknown, at: string, f: (v: unknown, pointer: string) => T): Record<string, T> {
  if (value === null || typeof value !== "object" || Array.isArray(value)) {
    throw new ModelSchemaError(`${at}: must be an object`);
  }
  const out: Record<string, T> = {};
  for (const [k, v] of Object.entries(value)) out[k] = f(v, `${at}/${k}`);
  return out;
}

/**
 * `anyOf: [{enum:[a], type:"string"}, {enum:[b], type:"string"}]` (TypeBox's union of literals) → one `enum`, so
 * API Gateway's message lists the allowed values instead of "failed to match any schema".
 */
function collapseLiteralUnion(schema: JsonSchema): JsonSchema {
  const branches = schema.anyOf;
  if (!Array.isArray(branches) || branches.length === 0) return schema;
  const literal = (b: JsonSchema) =>
    Array.isArray(b.enum) &&
    b.enum.length === 1 &&
    Object.keys(b).every((k) => k === "enum" || k === "type") &&
    (b.type === undefined || b.type === typeof b.enum[0]);
  if (!(branches as JsonSchema[]).every(literal)) return schema;
  const values = (branches as JsonSchema[]).map((b) => (b.enum as unknown[])[0]);
  const types = [...new Set((branches as JsonSchema[]).map((b) => b.type))];
  const { anyOf: _, ...rest } = schema;
  return {
    ...rest,
    ...(types.length === 1 && types[0] !== undefined ? { type: types[0] } : {}),
    enum: values,
  };
}
