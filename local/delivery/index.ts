/**
 * Delivery: the loop that runs each matched route's processor for each committed event, with retries, the DLQ
 * and the ingest-first gate; the processors run isolated in a pool of workers (`pool/`), or unisolated on the
 * main thread for inline test tables (`invoke.ts`).
 */
export { errorText, RuntimeFailure } from "./attempt";
export { IngestPriority, type IngestPriorityOptions } from "./ingest-priority";
export { makeInvoke, type InvokeSetup } from "./invoke";
export { DeliveryLoop } from "./loop";
export { logOutcome } from "./outcome-log";
export { ProcessorPool, type PoolSetup } from "./pool/pool";
export { deathText, timeoutText, type WorkerDeath } from "./pool/crash";
export type * from "./types";
