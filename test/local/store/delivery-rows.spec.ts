/**
 * Delivery rows written after the event's commit (`local/store/delivery-rows.ts`): what reads see before they are
 * written, which writes write them and how far, and a database of the previous version opened by this one.
 */
import Database from "better-sqlite3";
import { expect } from "chai";
import { join } from "node:path";
import type { RouteRow } from "../../../infra/table";
import { Bus } from "../../../local/bus";
import { Store, type ClaimedDelivery } from "../../../local/store";
import { openBus, openStore, tempDir } from "../helpers";

/** Orders go to two routes, notifications to one, anything else to none. */
const routes = [
  { key: "orders", pattern: { "detail-type": ["order-created"] } },
  { key: "audit", pattern: { "detail-type": ["order-created"] } },
  { key: "notify", pattern: { "detail-type": ["notification-sent"] } },
] as unknown as RouteRow[];

/** A store and a bus on `file`; `late` writes delivery rows after the event (`deliveryRows: "late"`). */
function open(file = ":memory:", late = true): { store: Store; bus: Bus } {
  const store = openStore(file, { deliveryRows: late ? "late" : "with-event" });
  return { store, bus: openBus(store, routes) };
}

const put = (bus: Bus, detailType: string) =>
  bus.put([{ source: "backbone.test", detailType, detail: {} }])[0];

function rowCount(store: Store): number {
  return (store.db.prepare(`SELECT count(*) AS n FROM deliveries`).get() as { n: number }).n;
}

describe("local stack: delivery rows written after the event", function () {
  it("counts and shows the deliveries of an event before its rows exist", async () => {
    const { store, bus } = open();
    try {
      const order = put(bus, "order-created");
      put(bus, "notification-sent");
      put(bus, "something-else");

      expect(rowCount(store)).to.equal(0);
      expect(store.openDeliveries).to.equal(3);
      expect(store.countOpenDeliveries()).to.equal(3);
      expect(store.countsByStatus()).to.deep.equal({ pending: 3 });
      const view = store.deliveriesOf(store.event(order)!);
      expect(view.map((d) => [d.route_key, d.status, d.attempts])).to.deep.equal([
        ["audit", "pending", 0],
        ["orders", "pending", 0],
      ]);
    } finally {
      await store.close();
    }
  });

  it("writes rows up to the event whose outcome is recorded, and the rest when due work is read", async () => {
    const { store, bus } = open();
    try {
      const first = put(bus, "notification-sent");
      const second = put(bus, "notification-sent");
      const third = put(bus, "order-created");
      const row = store.event(first)!;
      const claimed: ClaimedDelivery = {
        ...store.deliveriesOf(row)[0],
        envelope: row.envelope,
        seq: row.seq,
        attempts: 1,
      };

      store.markDone(claimed, { ok: true }, Date.now());
      store.flush();

      expect(rowCount(store), "rows of the first event only").to.equal(1);
      expect(store.deliveriesOf(store.event(first)!)[0].status).to.equal("done");
      expect(store.deliveriesOf(store.event(second)!)[0].status).to.equal("pending");

      const due = store.dueDeliveries(Date.now(), 10, new Set());

      expect(due.map((d) => d.event_id).sort()).to.deep.equal([second, third, third].sort());
      expect(rowCount(store)).to.equal(4);
      expect(store.countOpenDeliveries()).to.equal(3);
    } finally {
      await store.close();
    }
  });

  it("records a retry and a dead letter of an event whose rows do not exist yet", async () => {
    const { store, bus } = open();
    try {
      const retried = store.event(put(bus, "notification-sent"))!;
      const dead = store.event(put(bus, "notification-sent"))!;
      const claim = (row: typeof retried): ClaimedDelivery => ({
        ...store.deliveriesOf(row)[0],
        envelope: row.envelope,
        seq: row.seq,
        attempts: 1,
        first_attempt_at: 1,
        last_attempt_at: 1,
      });

      store.markRetry(claim(retried), Date.now() + 60_000, "boom", Date.now());
      store.markDead(claim(dead), "gone", Date.now());

      expect(store.deliveriesOf(retried)[0]).to.include({ status: "retrying", last_error: "boom" });
      expect(store.deliveriesOf(dead)[0]).to.include({ status: "dead", last_error: "gone" });
      expect(store.countDlq()).to.equal(1);
      expect(store.countsByStatus()).to.deep.equal({ retrying: 1, dead: 1 });
    } finally {
      await store.close();
    }
  });

  it("writes every missing row when the database is next opened to write rows with events", async () => {
    const { dir, remove } = tempDir();
    const file = join(dir, "bus.db");
    try {
      const lazy = open(file);
      put(lazy.bus, "order-created");
      put(lazy.bus, "notification-sent");
      expect(rowCount(lazy.store)).to.equal(0);
      await lazy.store.close();

      const eager = openStore(file, { deliveryRows: "with-event" });
      try {
        expect(rowCount(eager)).to.equal(3);
        expect(eager.countOpenDeliveries()).to.equal(3);
      } finally {
        await eager.close();
      }
    } finally {
      remove();
    }
  });

  it("moves the watermark with each insert that writes rows, so no later open reads those events again", async () => {
    const { store, bus } = open(":memory:", false);
    try {
      put(bus, "order-created");
      const last = store.event(put(bus, "notification-sent"))!.seq;

      const watermark = store.db.prepare(`SELECT seq FROM materialized`).pluck().get();
      expect(watermark).to.equal(last);
      expect(rowCount(store)).to.equal(3);
    } finally {
      await store.close();
    }
  });

  it("opens a database of the previous version: its events keep their rows, new ones get theirs later", async () => {
    const { dir, remove } = tempDir();
    const file = join(dir, "old.db");
    try {
      // The previous version's tables: no events.routes, no materialized watermark, rows written with events.
      const old = new Database(file);
      old.exec(`
        CREATE TABLE events (seq INTEGER PRIMARY KEY AUTOINCREMENT, id TEXT NOT NULL UNIQUE,
          detail_type TEXT NOT NULL, source TEXT NOT NULL, accepted_at INTEGER NOT NULL, envelope TEXT NOT NULL,
          replay_of TEXT, replay_name TEXT);
        CREATE TABLE deliveries (event_id TEXT NOT NULL, route_key TEXT NOT NULL, status TEXT NOT NULL,
          attempts INTEGER NOT NULL DEFAULT 0, next_at INTEGER NOT NULL, window_start INTEGER NOT NULL,
          first_attempt_at INTEGER, last_attempt_at INTEGER, last_error TEXT, result TEXT, done_at INTEGER,
          PRIMARY KEY (event_id, route_key)) WITHOUT ROWID;
        INSERT INTO events (id, detail_type, source, accepted_at, envelope)
          VALUES ('old-1', 'notification-sent', 'backbone.test', 1, '{}');
        INSERT INTO deliveries (event_id, route_key, status, next_at, window_start)
          VALUES ('old-1', 'notify', 'pending', 1, 1);
      `);
      old.close();

      const { store, bus } = open(file);
      try {
        const fresh = put(bus, "order-created");

        expect(store.deliveriesOf(store.event("old-1")!).map((d) => d.route_key)).to.deep.equal(["notify"]);
        expect(store.countOpenDeliveries()).to.equal(3);
        const due = store.dueDeliveries(Date.now(), 10, new Set());
        expect(due.map((d) => d.event_id).sort()).to.deep.equal(["old-1", fresh, fresh].sort());
        // The columns later versions added exist, empty for the old event (its id stands for its correlation).
        expect(store.event("old-1")).to.include({
          correlation_id: null,
          cause_event: null,
          cause_route: null,
        });
        expect(store.failedAttempts("old-1")).to.deep.equal([]);
        expect(store.replays.list({}, 0, 10)).to.deep.equal([]);
      } finally {
        await store.close();
      }
    } finally {
      remove();
    }
  });
});
