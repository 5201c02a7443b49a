/**
 * The catalogue of accepted events: detail-type → JSON Schema of its `detail`, derived from the processors in
 * the routing table. API Gateway's request model and the local stack's validation are both built from it.
 */
import type { TSchema } from "@sinclair/typebox";
import type { RouteRow } from "./row";

/** One accepted detail-type and the schema its `detail` must satisfy. */
export interface CatalogEntry {
  readonly detailType: string;
  readonly schema: TSchema;
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
    byType.set(detailType, { detailType, schema });
  }
  return [...byType.values()].sort((a, b) => a.detailType.localeCompare(b.detailType));
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
