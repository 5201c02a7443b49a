/**
 * The PutEvents path, shared by the Lambda adapter and the local stack: `putEventsPublisher` turns a processor's
 * emits into PutEvents calls (batches of 10, the entries' shape, a failure for any rejected entry), whatever
 * makes the call; `eventBridgePublisher` makes it with the real `@aws-sdk/client-eventbridge` client (Lambda, and
 * the local stack over HTTP). The local stack's in-process transport hands the same input to its own PutEvents
 * code instead (`local/delivery/emit-transport.ts`).
 *
 * The SDK is required inside the function: in Lambda it comes from the `nodejs22.x` runtime, not from the
 * archive, and a module-level import would be captured by Pulumi's closure serializer.
 */
import type { EventBridgeClient } from "@aws-sdk/client-eventbridge";
import type { EmitEntry, Publisher } from "./run";

/** PutEvents accepts at most 10 entries per call. */
export const PUT_EVENTS_BATCH = 10;

/** Thrown when PutEvents rejects one or more entries; carries the first entry's error code. */
export interface PutEventsFailure extends Error {
  /** The first failed entry's `ErrorCode` (e.g. `InternalFailure`, `ThrottlingException`). */
  code: string;
  failedEntryCount: number;
}

/** Re-sends of a batch's rejected entries before the attempt fails, after 100 ms, then 200 ms. */
const ENTRY_RETRIES = 2;
const ENTRY_RETRY_DELAY_MS = 100;

/** PutEventsRequestEntry `TraceHeader` is 1 to 500 characters. */
const MAX_TRACE_HEADER = 500;

/** One PutEvents request entry, as the SDK's `PutEventsCommand` takes it. */
export interface PutEventsRequestEntry {
  EventBusName: string;
  Source: string;
  DetailType: string;
  /** The detail as JSON text. */
  Detail: string;
  /** The X-Ray trace the follow-up continues (Lambda's `_X_AMZN_TRACE_ID`). */
  TraceHeader?: string;
}

/** What a PutEvents call answers (the fields this path reads). */
export interface PutEventsAnswer {
  FailedEntryCount?: number;
  Entries?: { EventId?: string; ErrorCode?: string; ErrorMessage?: string }[];
}

/** Makes one PutEvents call; throws (like the SDK) when the whole request is refused. */
export type PutEventsCall = (input: { Entries: PutEventsRequestEntry[] }) => Promise<PutEventsAnswer>;

/**
 * A `Publisher` that puts entries on `busName` through `call`, in batches of 10, each carrying `traceHeader`
 * when it is one PutEvents accepts (so one trace runs through the follow-ups). Entries PutEvents rejects are sent
 * again, alone, up to `ENTRY_RETRIES` times; then it throws a `PutEventsFailure` (name `PutEventsFailed`), so the
 * caller retries the whole delivery (which re-sends what was accepted: at least once).
 */
export function putEventsPublisher(call: PutEventsCall, busName: string, traceHeader?: string): Publisher {
  const trace =
    traceHeader !== undefined && traceHeader !== "" && traceHeader.length <= MAX_TRACE_HEADER
      ? { TraceHeader: traceHeader }
      : {};
  return {
    async publish(entries: EmitEntry[]) {
      for (let i = 0; i < entries.length; i += PUT_EVENTS_BATCH) {
        const batch = entries.slice(i, i + PUT_EVENTS_BATCH);
        let pending: PutEventsRequestEntry[] = batch.map((e) => ({
          EventBusName: busName,
          Source: e.source,
          DetailType: e.detailType,
          Detail: JSON.stringify(e.detail),
          ...trace,
        }));
        // Only the rejected entries go again (AWS's advice for a partial failure): the accepted ones are on the bus,
        // and failing the attempt would make the delivery's retry put them there a second time.
        for (let tries = 1; ; tries++) {
          const out = await call({ Entries: pending });
          const failed = out.FailedEntryCount ?? 0;
          if (failed === 0) break;
          const results = out.Entries ?? [];
          const rejected = pending.filter((_, k) => results[k]?.ErrorCode !== undefined);
          if (tries > ENTRY_RETRIES || rejected.length !== failed) {
            const first = results.find((r) => r.ErrorCode);
            const err = new Error(
              `PutEvents rejected ${failed} of ${batch.length} entries on bus "${busName}"` +
                `${tries > 1 ? ` (${tries} tries)` : ""}: ` +
                `${first?.ErrorCode ?? "unknown"} ${first?.ErrorMessage ?? ""}`.trim(),
            ) as PutEventsFailure;
            err.name = "PutEventsFailed";
            err.code = first?.ErrorCode ?? "unknown";
            err.failedEntryCount = failed;
            throw err;
          }
          pending = rejected;
          await new Promise((resolve) => setTimeout(resolve, ENTRY_RETRY_DELAY_MS * tries));
        }
      }
    },
  };
}

/** `putEventsPublisher` over the real EventBridge client. */
export function eventBridgePublisher(
  client: EventBridgeClient,
  busName: string,
  traceHeader?: string,
): Publisher {
  return putEventsPublisher(
    async (input) => {
      const { PutEventsCommand } =
        require("@aws-sdk/client-eventbridge") as typeof import("@aws-sdk/client-eventbridge");
      return client.send(new PutEventsCommand(input));
    },
    busName,
    traceHeader,
  );
}
