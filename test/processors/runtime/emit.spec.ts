/**
 * The PutEvents path (`processors/runtime/emit.ts`) whatever makes the call: the SDK client (Lambda, the local
 * stack over HTTP) or the local stack's in-process PutEvents code. Batches of 10, the request entries' shape, and
 * a `PutEventsFailed` error for any rejected entry.
 */
import { expect } from "chai";
import {
  putEventsPublisher,
  type PutEventsAnswer,
  type PutEventsFailure,
  type PutEventsRequestEntry,
} from "../../../processors/runtime";

/** A call that records its inputs and answers with `answer(input)`. */
function recordingCall(answer: (entries: PutEventsRequestEntry[]) => PutEventsAnswer) {
  const calls: PutEventsRequestEntry[][] = [];
  const call = async (input: { Entries: PutEventsRequestEntry[] }) => {
    calls.push(input.Entries);
    return answer(input.Entries);
  };
  return { calls, call };
}

const entries = (n: number) =>
  Array.from({ length: n }, (_, i) => ({ source: "backbone.demo", detailType: "demo", detail: { i } }));

describe("processor runtime: the PutEvents publisher", () => {
  it("puts 25 entries in calls of 10, 10 and 5, each entry on the bus with its detail as JSON text", async () => {
    const { calls, call } = recordingCall((e) => ({
      FailedEntryCount: 0,
      Entries: e.map(() => ({ EventId: "x" })),
    }));

    await putEventsPublisher(call, "backbone").publish(entries(25));

    expect(calls.map((c) => c.length)).to.deep.equal([10, 10, 5]);
    expect(calls[2][4]).to.deep.equal({
      EventBusName: "backbone",
      Source: "backbone.demo",
      DetailType: "demo",
      Detail: '{"i":24}',
    });
  });

  it("throws PutEventsFailed with the first entry's error code when an entry is rejected, and stops", async () => {
    const { calls, call } = recordingCall(() => ({
      FailedEntryCount: 1,
      Entries: [{ EventId: "a" }, { ErrorCode: "ThrottlingException", ErrorMessage: "Rate exceeded" }],
    }));

    const error = await putEventsPublisher(call, "backbone")
      .publish(entries(12))
      .then(
        () => undefined,
        (err: PutEventsFailure) => err,
      );

    expect(error).to.include({ name: "PutEventsFailed", code: "ThrottlingException", failedEntryCount: 1 });
    expect(error?.message).to.equal(
      'PutEvents rejected 1 of 10 entries on bus "backbone": ThrottlingException Rate exceeded',
    );
    expect(calls).to.have.length(1);
  });
});
