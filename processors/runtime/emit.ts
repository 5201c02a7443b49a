/**
 * The real PutEvents path, shared by the Lambda adapter and the local stack (which points the client at its
 * own EventBridge-compatible endpoint).
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

/** PutEventsRequestEntry `TraceHeader` is 1 to 500 characters. */
const MAX_TRACE_HEADER = 500;

/**
 * A `Publisher` that puts entries on `busName` through `client`, in batches of 10. Throws a `PutEventsFailure`
 * (name `PutEventsFailed`) if any entry fails, so the caller retries the whole delivery.
 *
 * `traceHeader` (in Lambda, `_X_AMZN_TRACE_ID` of the invocation) goes on every entry as `TraceHeader`, so the
 * X-Ray trace of the event that caused the follow-ups runs on into the processors that receive them. Left out
 * when empty or too long for PutEvents.
 */
export function eventBridgePublisher(
  client: EventBridgeClient,
  busName: string,
  traceHeader?: string,
): Publisher {
  const trace =
    traceHeader !== undefined && traceHeader !== "" && traceHeader.length <= MAX_TRACE_HEADER
      ? { TraceHeader: traceHeader }
      : {};
  return {
    async publish(entries: EmitEntry[]) {
      const { PutEventsCommand } =
        require("@aws-sdk/client-eventbridge") as typeof import("@aws-sdk/client-eventbridge");
      for (let i = 0; i < entries.length; i += PUT_EVENTS_BATCH) {
        const batch = entries.slice(i, i + PUT_EVENTS_BATCH);
        const out = await client.send(
          new PutEventsCommand({
            Entries: batch.map((e) => ({
              EventBusName: busName,
              Source: e.source,
              DetailType: e.detailType,
              Detail: JSON.stringify(e.detail),
              ...trace,
            })),
          }),
        );
        const failed = out.FailedEntryCount ?? 0;
        if (failed > 0) {
          const first = (out.Entries ?? []).find((r) => r.ErrorCode);
          const err = new Error(
            `PutEvents rejected ${failed} of ${batch.length} entries on bus "${busName}": ` +
              `${first?.ErrorCode ?? "unknown"} ${first?.ErrorMessage ?? ""}`.trim(),
          ) as PutEventsFailure;
          err.name = "PutEventsFailed";
          err.code = first?.ErrorCode ?? "unknown";
          err.failedEntryCount = failed;
          throw err;
        }
      }
    },
  };
}
