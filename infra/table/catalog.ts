/**
 * The catalogue of accepted events: detail-type → JSON Schema of its `detail`, its contract version and its
 * examples, derived from the processors in the routing table. API Gateway's request model, the local stack's
 * validation, the producer client, the AsyncAPI document and the Schema Registry are all built from it.
 */
import type { TSchema } from "@sinclair/typebox";
import type { RouteRow } from "./row";

/** One accepted detail-type and the schema its `detail` must satisfy. */
export interface CatalogEntry {
  readonly detailType: string;
  readonly schema: TSchema;
  /** The contract version: the schema's `version` option, 1 when absent (see `schemaVersion`). */
  readonly version: number;
  /** The schema's `examples` (JSON Schema's annotation), in order; empty when it declares none. */
  readonly examples: readonly unknown[];
}

/**
 * Derives the catalogue, sorted by detail-type. Two processors that consume the same detail-type must share the
 * same schema object (import it), otherwise there would be two sources of truth.
 */
export function eventCatalog(routes: readonly RouteRow[]): CatalogEntry[] {
  const byType = new Map<string, CatalogEntry>();
  for (const row of routes) {
    const { detailType, schema } = row.processor;
    const seen = byType.get(detailType);
    if (seen && seen.schema !== schema) {
      throw new CatalogError(
        row.key,
        `route "${row.key}": processor "${row.processor.name}" declares another schema for detail-type "${detailType}"; import the existing one`,
      );
    }
    byType.set(detailType, {
      detailType,
      schema,
      version: schemaVersion(schema),
      examples: schemaExamples(schema),
    });
  }
  return [...byType.values()].sort((a, b) => a.detailType.localeCompare(b.detailType));
}

/**
 * A schema's contract version: its `version` option (`Type.Object({...}, { version: 2 })`), 1 when absent.
 * The version lives on the schema, not on a processor, because every processor of a detail-type shares the
 * schema object. `checkRoutes` reports a version that is not a positive integer; here it is returned as is.
 */
export function schemaVersion(schema: TSchema): number {
  const version = (schema as { version?: unknown }).version;
  return version === undefined ? 1 : (version as number);
}

/** A schema's `examples` option, as an array (JSON Schema allows only an array). */
export function schemaExamples(schema: TSchema): readonly unknown[] {
  const examples = (schema as { examples?: unknown }).examples;
  return Array.isArray(examples) ? examples : [];
}

/** Thrown when the processors of the table disagree about a detail-type's schema. */
export class CatalogError extends Error {
  override readonly name = "CatalogError";
  constructor(
    /** Key of the row whose processor disagrees. */
    readonly row: string,
    message: string,
  ) {
    super(message);
  }
}
