/**
 * The Store's writes held in memory (local/store/unwritten.ts): what a held outcome hides from the due query,
 * the first result per idempotency key, the one serialization a result and its outcome share, and what stays
 * held when the file refuses a write.
 */
import { expect } from "chai";
import { UnwrittenOutcomes } from "../../../local/store/unwritten";

/** A `DoneWrite` without its result text: done at, attempts, first and last attempt, event id, route key. */
const ROW = [1_000, 1, 900, 900, "evt-1", "order-created"] as const;

describe("local stack: the Store's unwritten outcomes", () => {
  it("keeps the first result for an idempotency key, as the table's INSERT OR IGNORE does", () => {
    const held = new UnwrittenOutcomes(1024);

    expect(held.putResult("k", { n: 1 }, 10)).to.equal(true);
    expect(held.putResult("k", { n: 2 }, 11)).to.equal(false);

    expect(held.resultText("k")).to.equal('{"result":{"n":1}}');
    expect(held.size).to.equal(1);
  });

  it("caps a result at maxResultBytes, marked truncated", () => {
    const held = new UnwrittenOutcomes(200);
    held.putResult("big", "x".repeat(1_000), 10);
    const stored = JSON.parse(held.resultText("big") as string) as { result: { truncated: boolean } };
    expect(stored.result.truncated).to.equal(true);
  });

  it("hides a delivery with a held outcome from the due query until it is written", () => {
    const held = new UnwrittenOutcomes(1024);
    held.putDone("evt-1 order-created", 7, { ok: true }, [...ROW]);
    held.defer("evt-2 support-ticket", 8, () => undefined);

    expect(held.holds("evt-1 order-created")).to.equal(true);
    expect(held.holds("evt-2 support-ticket")).to.equal(true);
    expect(held.holds("evt-3 order-created")).to.equal(false);
    expect(held.heldDeliveries).to.equal(2);
  });

  it("serializes a result once when its outcome follows with the same value, and not across turns", () => {
    const held = new UnwrittenOutcomes(1024);
    let serialized = 0;
    const result = {
      toJSON() {
        serialized += 1;
        return { ok: true };
      },
    };
    held.putResult("k", result, 10);
    held.putDone("evt-1 order-created", 1, result, [...ROW]);
    expect(serialized).to.equal(1);

    held.newTurn();
    held.putDone("evt-2 order-created", 2, result, [...ROW]);
    expect(serialized).to.equal(2);
  });

  it("commits results with the rows of the highest event they belong to, and keeps them held if that fails", () => {
    const held = new UnwrittenOutcomes(1024);
    held.putDone("evt-9 order-created", 9, { a: 2 }, [...ROW]);
    held.putDone("evt-1 order-created", 5, { a: 1 }, [...ROW]);
    held.putResult("k", { a: 1 }, 10);
    const materialized: number[] = [];
    const refuse = () => {
      throw new Error("SQLITE_FULL");
    };

    expect(() => held.commitResults(refuse, (seq) => materialized.push(seq))).to.throw("SQLITE_FULL");
    expect(held.size).to.equal(3);

    let written: { idem: number; done: string[] } | undefined;
    held.commitResults(
      (idem, done, before) => {
        before();
        written = { idem: idem.size, done: [...done.values()].map((d) => d[0]) };
      },
      (seq) => materialized.push(seq),
    );
    expect(materialized).to.deep.equal([9]);
    expect(written).to.deep.equal({ idem: 1, done: ['{"a":2}', '{"a":1}'] });
    expect(held.size).to.equal(0);
    expect(held.pendingResults).to.equal(false);
  });

  it("writes deferred retries and dead letters in order, and keeps those after one the file refuses", () => {
    const held = new UnwrittenOutcomes(1024);
    const order: string[] = [];
    held.defer("a", 1, () => order.push("a"));
    held.defer("b", 2, () => {
      throw new Error("SQLITE_FULL");
    });
    held.defer("c", 3, () => order.push("c"));

    expect(() => held.writeDeferred((_seq, write) => write())).to.throw("SQLITE_FULL");

    expect(order).to.deep.equal(["a"]);
    expect(held.holds("a")).to.equal(false);
    expect(held.holds("b")).to.equal(true);
    expect(held.holds("c")).to.equal(true);
  });
});
