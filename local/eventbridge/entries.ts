/** EventBridge's limits on PutEvents entries, as the local API and `POST /events` both enforce them. */
import { PUT_EVENTS_BATCH } from "../../processors/runtime";

/**
 * EventBridge's limit on one PutEvents entry (and on a whole PutEvents request): 1 MB since 2026-01-29 (AWS
 * Compute Blog, "More room to build: serverless services now support payloads up to 1 MB"; 256 KB before). The
 * one source of the local stack's limit: `POST /events`, PutEvents and the HTTP body limit derive from it.
 */
export const MAX_ENTRY_BYTES = 1024 * 1024;

/** Entries per PutEvents call: the same limit the processors' publisher batches by. */
export const MAX_ENTRIES = PUT_EVENTS_BATCH;

/**
 * Size of a PutEvents entry as EventBridge counts it: UTF-8 bytes of Source, DetailType, Detail and each
 * Resource, plus 14 bytes when Time is set.
 */
export function entrySize(e: {
  source: string;
  detailType: string;
  detail: string;
  resources?: string[];
  time?: unknown;
}): number {
  let n = Buffer.byteLength(e.source) + Buffer.byteLength(e.detailType) + Buffer.byteLength(e.detail);
  for (const r of e.resources ?? []) n += Buffer.byteLength(r);
  if (e.time !== undefined) n += 14;
  return n;
}
