/**
 * Delivery: the loop that runs each matched route's processor for each committed event, with retries, the DLQ
 * and the ingest-first gate, in this thread (`DeliveryLoop`) or on its own (`DeliveryThread`).
 */
export { withTimeout, errorText } from "./attempt";
export { IngestPriority, type IngestPriorityOptions } from "./ingest-priority";
export { makeInvoke, type InvokeSetup, type ResultStore } from "./invoke";
export { DeliveryLoop } from "./loop";
export { logOutcome } from "./outcome-log";
export { DeliveryThread, type CommitEntries } from "./thread/handle";
export type { ThreadSettings } from "./thread/messages";
export type * from "./types";
