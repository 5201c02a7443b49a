/**
 * Bursts and backlogs on the in-thread delivery loop: delivery yields to a burst of ingest and drains after it,
 * and a processor's emit never starts further deliveries inside its own promise chain (which, chained over a
 * backlog, would keep the event loop from HTTP, timers and signals until the backlog is gone).
 */
import { PutEventsCommand } from "@aws-sdk/client-eventbridge";
import { expect } from "chai";
import type { RouteRow } from "../../../infra/table";
import type { Bus } from "../../../local/bus";
import { DeliveryLoop, type DeliveryOutcome } from "../../../local/delivery";
import type { Envelope } from "../../../processors/runtime";
import { Store } from "../../../local/store";
import { OrderCreated } from "../../../processors/order";
import { defineProcessor } from "../../../processors/runtime";
import { join } from "node:path";
import { buildApp } from "../../../local/app";
import {
  accept,
  ebClient,
  fixture,
  openBus,
  openStore,
  request,
  startLocal,
  tempDir,
  until,
  waitFor,
  type Running,
} from "../helpers";

/** The scenario order: its processor emits a `notification-sent` through the real client. */
const order = fixture("order-created.seed");

/** `count` orders through PutEvents, ten entries a call; resolves with their ids. */
async function putOrders(url: string, count: number): Promise<string[]> {
  const eb = ebClient(url);
  const entry = {
    Source: "backbone.test",
    DetailType: order["detail-type"],
    Detail: JSON.stringify(order.detail),
    EventBusName: "backbone",
  };
  const ids: string[] = [];
  try {
    for (let sent = 0; sent < count; sent += 10) {
      const out = await eb.send(
        new PutEventsCommand({ Entries: Array(Math.min(10, count - sent)).fill(entry) }),
      );
      expect(out.FailedEntryCount).to.equal(0);
      ids.push(...(out.Entries ?? []).map((e) => e.EventId as string));
    }
  } finally {
    eb.destroy();
  }
  return ids;
}

async function health(url: string): Promise<{ yieldingToIngest: boolean; open: number }> {
  return (await request(`${url}/local/health`)).body as { yieldingToIngest: boolean; open: number };
}

describe("local stack: delivery yields to a burst of ingest", function () {
  let server: Running;
  const outcomes: DeliveryOutcome[] = [];
  before(async () => {
    // A burst is 5 requests in a 500 ms window; meanwhile one delivery may start every 100 ms.
    server = await startLocal({
      ingestPriorityRate: 10,
      ingestPriorityTrickle: 10,
      onOutcome: (o) => outcomes.push(o),
    });
  });
  after(async () => {
    await server?.stop();
  });

  it("accepts the burst first, then delivers all of it", async () => {
    const ids = await putOrders(server.url, 600);

    const during = await health(server.url);
    const doneDuringBurst = outcomes.filter((o) => o.status === "done").length;

    expect(during.yieldingToIngest).to.equal(true);
    // Without the gate the loop keeps up with this client: most of the 1,200 deliveries are done by now.
    expect(doneDuringBurst).to.be.below(200);
    await until(async () => (await health(server.url)).open <= 0, 20_000, 50);
    expect((await health(server.url)).open).to.equal(0);
    const ordersDone = new Set(
      outcomes.filter((o) => o.status === "done" && o.routeKey === "order-created").map((o) => o.eventId),
    );
    expect(ids.filter((id) => !ordersDone.has(id))).to.deep.equal([]);
    expect((await health(server.url)).yieldingToIngest).to.equal(false);
  });
});

describe("local stack: deliveries of emitted events start on the next event-loop turn", function () {
  /** One route; its processor's promise chain "emits" by committing a new event in the middle of it. */
  function relayTable(onEmit: () => void): RouteRow[] {
    return [
      {
        key: "relay",
        description: "commits a follow-up event from inside its promise chain, as ctx.emit does",
        pattern: { "detail-type": ["relay"] },
        processor: defineProcessor({
          name: "relay",
          detailType: "relay",
          schema: OrderCreated,
          handle: async () => {
            await Promise.resolve();
            onEmit();
            await Promise.resolve();
            return { ok: true };
          },
        }),
        retry: { maximumRetryAttempts: 0, maximumEventAgeSeconds: 60 },
      },
    ];
  }

  function worker(store: Store, table: RouteRow[]): DeliveryLoop {
    const invoke = async (route: RouteRow, event: Envelope) =>
      route.processor.handle(event as never, { log: console, emit: async () => undefined } as never);
    const settings = {
      concurrency: 8,
      retryBaseDelayMs: 10,
      retryMaxDelayMs: 100,
      defaultTimeoutSeconds: 10,
      readyQueueCap: 1000,
    };
    return new DeliveryLoop(store, table, invoke, settings, { now: () => new Date() });
  }

  it("starts at once after a request commit, but not inside the emitting processor's promise chain", async () => {
    /** Most deliveries any emit started before returning to its processor. */
    let startedInChain: number | undefined;
    const table = relayTable(() => {
      const before = delivery.inFlight;
      bus.put([{ source: "backbone.test", detailType: "relay", detail: {} }]);
      startedInChain = Math.max(startedInChain ?? 0, delivery.inFlight - before);
    });
    const store = openStore();
    const delivery = worker(store, table);
    const bus: Bus = openBus(store, table, (events, commit) => delivery.enqueue(events, commit));
    delivery.start();
    try {
      // A request commit (the group commit's own turn) starts its delivery right away.
      await bus.putSoon([{ source: "backbone.test", detailType: "relay", detail: {} }]);
      expect(delivery.inFlight).to.equal(1);

      // Its processor emits mid-chain with free slots: that delivery must wait for the next turn.
      await new Promise((resolve) => setImmediate(resolve));
      expect(startedInChain).to.equal(0);
    } finally {
      await delivery.stop(100);
      await store.close();
    }
  });
});

describe("local stack: what counts as a burst", function () {
  let server: Running;
  afterEach(async () => {
    await server?.stop();
  });

  it("does not count requests it refuses", async () => {
    // A burst is 10 requests in a 500 ms window.
    server = await startLocal({ ingestPriorityRate: 20 });

    for (let i = 0; i < 30; i++) {
      expect(
        (await request(`${server.url}/events`, { body: { "detail-type": "nope", detail: {} } })).status,
      ).to.equal(400);
    }

    expect((await health(server.url)).yieldingToIngest).to.equal(false);
  });

  it("does not count the processors' own emits over HTTP", async () => {
    // A burst is 20 requests in a 500 ms window; 12 orders and their 12 emitted notifications would be 24.
    const outcomes: DeliveryOutcome[] = [];
    server = await startLocal({
      ingestPriorityRate: 40,
      emitTransport: "http",
      onOutcome: (o) => outcomes.push(o),
    });

    for (let i = 0; i < 12; i++) await accept(server.url, order["detail-type"], order.detail);
    await until(() => outcomes.filter((o) => o.routeKey === "notification-sent").length >= 12, 10_000, 5);

    expect(outcomes.filter((o) => o.routeKey === "notification-sent" && o.status === "done")).to.have.length(
      12,
    );
    expect((await health(server.url)).yieldingToIngest).to.equal(false);
  });
});

describe("local stack: a restart with a backlog left on disk", function () {
  this.timeout(60_000);

  it("delivers a small backlog and a new event after a restart with the delivery thread", async () => {
    const { dir, remove } = tempDir();
    const dbPath = join(dir, "backbone.db");
    try {
      const filling = buildApp({ dbPath, concurrency: 0, ingestPriorityRate: 0 });
      const backlog = await putOrders(await filling.listen(), 3);
      await filling.close();

      const threaded = buildApp({ dbPath, delivery: "thread" });
      try {
        const url = await threaded.listen();
        const newcomer = await putOrders(url, 1);

        for (const id of [...backlog, ...newcomer]) {
          expect((await waitFor(url, id, undefined, 15_000)).status, id).to.equal("done");
        }
      } finally {
        await threaded.close();
      }
    } finally {
      remove();
    }
  });

  it("queues new events behind the backlog instead of running them first", async () => {
    const { dir, remove } = tempDir();
    const dbPath = join(dir, "backbone.db");
    try {
      const filling = buildApp({ dbPath, concurrency: 0, ingestPriorityRate: 0 });
      const url = await filling.listen();
      const backlog = await putOrders(url, 1000);
      await filling.close();

      const done: string[] = [];
      const draining = buildApp({
        dbPath,
        onOutcome: (o) =>
          void (o.status === "done" && o.routeKey === "order-created" && done.push(o.eventId)),
      });
      try {
        const newcomer = await putOrders(await draining.listen(), 1);
        await until(() => done.length >= backlog.length + 1, 30_000);

        expect(done).to.have.length(backlog.length + 1);
        expect(done.indexOf(newcomer[0]), "position of the new event").to.be.above(backlog.length / 2);
      } finally {
        await draining.close();
      }
    } finally {
      remove();
    }
  });
});
