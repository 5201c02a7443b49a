/**
 * The SQLite idempotency store keeps the first result written for a key, as the `IdempotencyStore` port
 * promises and as the DynamoDB store (a conditional put) and the memory store do.
 */
import { expect } from "chai";
import { join } from "node:path";
import { openStore, tempDir } from "../helpers";

describe("local stack: the idempotency store keeps the first result", function () {
  it("one writer: a second result for the same key is ignored, before and after the group commit", async () => {
    const store = openStore();
    try {
      store.putIdempotent("route:e1", { n: 1 }, 1);
      store.putIdempotent("route:e1", { n: 2 }, 2);
      expect(store.getIdempotent("route:e1")).to.deep.equal({ result: { n: 1 } });

      store.flush();
      store.putIdempotent("route:e1", { n: 3 }, 3);
      store.flush();
      expect(store.getIdempotent("route:e1")).to.deep.equal({ result: { n: 1 } });
    } finally {
      await store.close();
    }
  });

  it("two writers on one file: the one that committed first wins, for both", async () => {
    const { dir, remove } = tempDir();
    const file = join(dir, "bus.db");
    const first = openStore(file);
    const second = openStore(file);
    try {
      first.putIdempotent("route:e2", "first", 1);
      first.flush();
      second.putIdempotent("route:e2", "second", 2);
      second.flush();

      expect(first.getIdempotent("route:e2")).to.deep.equal({ result: "first" });
      expect(second.getIdempotent("route:e2")).to.deep.equal({ result: "first" });
    } finally {
      await first.close();
      await second.close();
      remove();
    }
  });
});
