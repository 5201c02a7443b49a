/** Test routing-table rows whose processors fail, hang or succeed on purpose (the delivery specs share them). */
import type { RouteRow } from "../../../infra/table";
import { defineProcessor } from "../../../processors/runtime";

/** A route on one detail-type with the given processor behaviour and retry policy. */
export function row(
  key: string,
  schema: RouteRow["processor"]["schema"],
  detailType: string,
  handle: RouteRow["processor"]["handle"],
  retry: RouteRow["retry"],
  timeoutSeconds?: number,
): RouteRow {
  return {
    key,
    description: `test route ${key}`,
    pattern: { "detail-type": [detailType] },
    processor: defineProcessor({ name: key, detailType, schema, handle }),
    retry,
    timeoutSeconds,
  };
}
