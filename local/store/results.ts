/**
 * Processor results as the store keeps them: JSON text of at most `maxBytes` UTF-8 bytes, cut as the Lambda
 * store cuts them (`capJson`, processors/runtime/results.ts), in the delivery row and the idempotency table
 * alike, so one processor returning 100 MB costs a bounded row, not 100 MB twice.
 */
import { capJson } from "../../processors/runtime";

/** `JSON.stringify(result ?? null)`, capped at `maxBytes`. */
export function resultJson(result: unknown, maxBytes: number): string {
  return capJson(JSON.stringify(result ?? null) ?? "null", maxBytes);
}
