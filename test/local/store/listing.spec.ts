/**
 * `Store.listEvents` directly: a page looks at `scanRows` events at most, so a rare filter answers with fewer
 * events (even none) and a cursor to go on from, rather than reading the whole table; an event without a
 * stored correlation id reads its own id as one.
 */
import { expect } from "chai";
import { API_SOURCE } from "../../../infra/table";
import { correlationOf } from "../../../local/store";
import { openBus, openStore } from "../helpers";

describe("local store: event listing", () => {
  it("looks at scanRows events per page and hands back a cursor for the rest", () => {
    const store = openStore();
    const bus = openBus(store, []);
    const entries = Array.from({ length: 50 }, (_, n) => ({
      source: API_SOURCE,
      detailType: n === 3 ? "rare" : "common",
      detail: { n },
    }));
    bus.put(entries);

    const query = { limit: 10, maxBytes: 1 << 20, scanRows: 20, detailType: "rare" };
    const first = store.listEvents(query);
    expect(first.rows).to.deep.equal([]);
    expect(first.next).to.equal(31);
    const second = store.listEvents({ ...query, before: first.next });
    expect(second.rows).to.deep.equal([]);
    const third = store.listEvents({ ...query, before: second.next });
    expect(third.rows.map((r) => JSON.parse(r.envelope).detail.n)).to.deep.equal([3]);
    expect(third.next).to.equal(undefined);
    void store.close();
  });

  it("gives an event without a stored correlation id its own id as 32 hex digits", () => {
    expect(correlationOf({ id: "0190a6f0-1b2c-7d3e-8f40-5a6b7c8d9e0f", correlation_id: null })).to.equal(
      "0190a6f01b2c7d3e8f405a6b7c8d9e0f",
    );
    expect(correlationOf({ id: "x", correlation_id: "given" })).to.equal("given");
  });
});
