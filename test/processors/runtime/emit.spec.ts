/**
 * The PutEvents path (`processors/runtime/emit.ts`) whatever makes the call: the SDK client (Lambda, the local
 * stack over HTTP) or the local stack's in-process PutEvents code. Batches of 10, the request entries' shape, and
 * rejected entries sent again alone, then a `PutEventsFailed` error.
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

  /** Answers as PutEvents does: entry `i` of the emits is rejected while `rejects(i, try)` says so. */
  const rejecting = (rejects: (i: number, attempt: number) => boolean) => {
    const tries = new Map<number, number>();
    return recordingCall((sent) => {
      const results = sent.map((e) => {
        const i = (JSON.parse(e.Detail) as { i: number }).i;
        tries.set(i, (tries.get(i) ?? 0) + 1);
        return rejects(i, tries.get(i) as number)
          ? { ErrorCode: "ThrottlingException", ErrorMessage: "Rate exceeded" }
          : { EventId: `id-${i}` };
      });
      return { FailedEntryCount: results.filter((r) => "ErrorCode" in r).length, Entries: results };
    });
  };

  it("sends only the rejected entries again, so an accepted one is put on the bus once", async () => {
    const { calls, call } = rejecting((i, attempt) => i === 3 && attempt === 1);

    await putEventsPublisher(call, "backbone").publish(entries(12));

    expect(calls.map((c) => c.map((e) => JSON.parse(e.Detail).i))).to.deep.equal([
      [0, 1, 2, 3, 4, 5, 6, 7, 8, 9],
      [3],
      [10, 11],
    ]);
  });

  it("throws PutEventsFailed with the first entry's error code when an entry is still rejected after 3 tries, and stops", async () => {
    const { calls, call } = rejecting((i) => i === 1);

    const error = await putEventsPublisher(call, "backbone")
      .publish(entries(12))
      .then(
        () => undefined,
        (err: PutEventsFailure) => err,
      );

    expect(error).to.include({ name: "PutEventsFailed", code: "ThrottlingException", failedEntryCount: 1 });
    expect(error?.message).to.equal(
      'PutEvents rejected 1 of 10 entries on bus "backbone" (3 tries): ThrottlingException Rate exceeded',
    );
    expect(calls.map((c) => c.length)).to.deep.equal([10, 1, 1]); // the second batch is never sent
  });
});
