/**
 * What `/local/health` counts, kept in memory as the Store records writes (`local/store/counts.ts`): after every
 * kind of write it equals what the tables say, a reopened Store counts the tables again, and the health endpoint
 * answers without counting them.
 */
import { expect } from "chai";
import { join } from "node:path";
import type { RouteRow } from "../../../infra/table";
import type { ClaimedDelivery, RecordedCounts, Store } from "../../../local/store";
import { openBus, openStore, request, startLocal, tempDir } from "../helpers";

const routes = [
  { key: "orders", pattern: { "detail-type": ["order-created"] } },
  { key: "audit", pattern: { "detail-type": ["order-created"] } },
  { key: "notify", pattern: { "detail-type": ["notification-sent"] } },
] as unknown as RouteRow[];

/** The same counts read from the tables (after the group commit). */
function tableCounts(store: Store): RecordedCounts {
  store.flush();
  const rows = store.db.prepare(`SELECT status, count(*) AS n FROM deliveries GROUP BY status`).all() as {
    status: string;
    n: number;
  }[];
  const by = Object.fromEntries(rows.map((r) => [r.status, r.n])) as Record<string, number>;
  const events = (store.db.prepare(`SELECT count(*) AS n FROM events`).get() as { n: number }).n;
  return {
    events,
    // Rows not written yet (late delivery rows) are pending too.
    pending: store.countOpenDeliveries() - (by.retrying ?? 0),
    retrying: by.retrying ?? 0,
    done: by.done ?? 0,
    dead: by.dead ?? 0,
  };
}

for (const deliveryRows of ["late", "with-event"] as const) {
  describe(`local stack: health's counts kept as the Store writes (delivery rows ${deliveryRows})`, () => {
    let temp: ReturnType<typeof tempDir>;
    beforeEach(() => (temp = tempDir("backbone-counts-")));
    afterEach(() => temp.remove());

    it("equal the tables' counts after inserts, outcomes, retries, dead letters, a redrive and a reopen", async () => {
      const file = join(temp.dir, "bus.db");
      let store = openStore(file, { deliveryRows });
      const bus = openBus(store, routes);
      const put = (detailType: string, n: number) =>
        bus.put(Array.from({ length: n }, () => ({ source: "backbone.test", detailType, detail: {} })));
      const due = (): ClaimedDelivery[] => store.dueDeliveries(Date.now(), 100, new Set());
      try {
        put("order-created", 3);
        put("notification-sent", 1);
        put("unrouted", 1);
        expect(store.recordedCounts()).to.deep.equal(tableCounts(store));
        expect(store.recordedCounts()).to.include({ events: 5, pending: 7 });

        // First attempts: 3 done, 3 to retry (due at once), 1 dead-lettered.
        const first = due();
        expect(first).to.have.length(7);
        first.slice(0, 3).forEach((d) => store.markDone(d, { ok: true }, Date.now()));
        first.slice(3, 6).forEach((d) => store.markRetry(d, Date.now(), "boom", Date.now()));
        store.markDead(first[6], "gone", Date.now());
        expect(store.recordedCounts()).to.deep.equal(tableCounts(store));
        expect(store.recordedCounts()).to.include({ pending: 0, retrying: 3, done: 3, dead: 1 });

        // The retries: one done, one retried again, one dead-lettered.
        const second = due();
        expect(second.map((d) => d.claimedAs)).to.deep.equal(["retrying", "retrying", "retrying"]);
        store.markDone(second[0], null, Date.now());
        store.markRetry(second[1], Date.now() + 60_000, "boom again", Date.now());
        store.markDead(second[2], "gone", Date.now());
        expect(store.recordedCounts()).to.deep.equal(tableCounts(store));
        expect(store.recordedCounts()).to.include({ retrying: 1, done: 4, dead: 2 });

        store.redrive(undefined, Date.now());
        expect(store.recordedCounts()).to.deep.equal(tableCounts(store));
        expect(store.recordedCounts()).to.include({ pending: 2, dead: 0 });

        const before = store.recordedCounts();
        await store.close();
        store = openStore(file, { deliveryRows });
        expect(store.recordedCounts()).to.deep.equal(before);
      } finally {
        await store.close();
      }
    });
  });
}

describe("local stack: /local/health counts nothing in the tables", () => {
  it("answers from the recorded counts (counting 2,000,000 deliveries took ~0.6 s a request)", async () => {
    const server = await startLocal();
    try {
      const store = server.local.store;
      const refuse = () => {
        throw new Error("health counted a table");
      };
      Object.assign(store, { countsByStatus: refuse, countEvents: refuse, countOpenDeliveries: refuse });

      const health = await request(`${server.url}/local/health`);

      expect(health.status).to.equal(200);
      expect(health.body).to.deep.include({ events: 0, open: 0 });
    } finally {
      await server.stop();
    }
  });
});
