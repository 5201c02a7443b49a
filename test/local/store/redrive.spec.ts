/**
 * A redrive of every open dead letter (`Store.redrive` without ids): all of them, however many, in one
 * transaction, read in chunks so memory stays bounded, answering with the count and the first entries asked for.
 */
import { expect } from "chai";
import { openStore } from "../helpers";

describe("local stack: redriving every dead letter", () => {
  it("redrives all 12,001 open entries (more than two chunks), returning the count and the first 10", async () => {
    const store = openStore();
    const insert = store.db.prepare(
      `INSERT INTO dlq (event_id, route_key, error, attempts, first_attempt_at, last_attempt_at, dead_at)
       VALUES (?, 'r', 'Error: test', 1, 0, 0, 0)`,
    );
    store.db.transaction(() => {
      for (let i = 0; i < 12_001; i++) insert.run(`event-${i}`);
    })();

    const { count, entries } = store.redrive(undefined, 1000, 10);

    expect(count).to.equal(12_001);
    expect(entries.map((e) => e.event_id)).to.deep.equal([...Array(10)].map((_, i) => `event-${i}`));
    expect(
      entries.every((e) => e.redriven_at === 1000),
      "each entry says when it was redriven",
    ).to.equal(true);
    expect(store.countDlq()).to.equal(0);
    expect(store.redrive(undefined, 2000, 10)).to.deep.equal({ count: 0, entries: [] });
    await store.close();
  });
});
