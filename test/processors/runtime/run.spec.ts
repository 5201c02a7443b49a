import { expect } from "chai";
import {
  memoryPublisher,
  memoryStore,
  runProcessor,
  type Handle,
  type Publisher,
} from "../../../processors/runtime";
import analytics from "../../../processors/analytics";
import { detailCheck } from "../../../processors/runtime";
import type { BackboneEvent } from "../../../processors/runtime";
import { fixture, recordingLogger } from "../helpers";

/** Runs `handle` as processor "demo" on route "demo-route" with in-memory ports. */
function setup(publisher: Publisher = memoryPublisher()) {
  const store = memoryStore();
  const log = recordingLogger();
  const run = (handle: Handle, event: BackboneEvent, now = new Date("2025-01-06T09:30:05Z")) =>
    runProcessor(handle, "demo", "demo-route", event, {
      store,
      publisher,
      logger: log.logger,
      now: () => now,
    });
  return { store, lines: log.lines, run };
}

const event = () => fixture("order-created.seed") as BackboneEvent;

describe("processor runtime", () => {
  it("returns the processor's result and publishes its emits with the processor's source, in order", async () => {
    const publisher = memoryPublisher();
    const { run } = setup(publisher);
    const result = await run(async (_e, ctx) => {
      await ctx.emit("a-type", { n: 1 });
      await ctx.emit("b-type", { n: 2 });
      return { ok: true, now: ctx.now().toISOString(), routeKey: ctx.routeKey };
    }, event());
    expect(result).to.deep.equal({ ok: true, now: "2025-01-06T09:30:05.000Z", routeKey: "demo-route" });
    expect(publisher.published).to.deep.equal([
      { source: "backbone.demo", detailType: "a-type", detail: { n: 1 } },
      { source: "backbone.demo", detailType: "b-type", detail: { n: 2 } },
    ]);
  });

  it("buffers emits until the processor returns", async () => {
    const publisher = memoryPublisher();
    const { run } = setup(publisher);
    let seenDuringHandle = -1;
    await run(async (_e, ctx) => {
      await ctx.emit("a-type", {});
      seenDuringHandle = publisher.published.length;
    }, event());
    expect(seenDuringHandle).to.equal(0);
    expect(publisher.published).to.have.length(1);
  });

  it("drops the emits of a failed attempt, stores nothing, rethrows, and a retry emits once", async () => {
    const publisher = memoryPublisher();
    const { run, store, lines } = setup(publisher);
    let attempts = 0;
    const flaky: Handle = async (_e, ctx) => {
      attempts++;
      await ctx.emit("a-type", { attempt: attempts });
      if (attempts === 1) throw new Error("downstream timeout");
      return attempts;
    };
    let error: unknown;
    await run(flaky, event()).catch((e: unknown) => (error = e));
    expect((error as Error).message).to.equal("downstream timeout");
    expect(publisher.published).to.deep.equal([]);
    expect(store.size).to.equal(0);
    expect(lines.find((l) => l.level === "error")).to.deep.include({
      msg: "processor failed; buffered emits dropped",
      dropped: 1,
    });

    expect(await run(flaky, event())).to.equal(2);
    expect(publisher.published).to.deep.equal([
      { source: "backbone.demo", detailType: "a-type", detail: { attempt: 2 } },
    ]);
  });

  it("stores nothing when the publish fails, so the redelivery runs the processor again", async () => {
    let fail = true;
    const published: unknown[] = [];
    const publisher: Publisher = {
      async publish(entries) {
        if (fail) throw new Error("PutEvents failed");
        published.push(...entries);
      },
    };
    const { run, store, lines } = setup(publisher);
    let calls = 0;
    const handle: Handle = async (_e, ctx) => {
      calls++;
      await ctx.emit("a-type", {});
      return "done";
    };
    let error: unknown;
    await run(handle, event()).catch((e: unknown) => (error = e));
    expect(String(error)).to.match(/PutEvents failed/);
    expect(lines.find((l) => l.level === "error")).to.deep.include({
      msg: "emitting failed; the attempt fails",
      eventId: event().id,
      routeKey: "demo-route",
      detailTypes: ["a-type"],
    });
    expect(store.size).to.equal(0);
    fail = false;
    expect(await run(handle, event())).to.equal("done");
    expect(calls).to.equal(2);
    expect(published).to.have.length(1);
  });

  it("logs a failed store of the result with the event's id and fails the attempt", async () => {
    const log = recordingLogger();
    const store = {
      ...memoryStore(),
      put: async () => Promise.reject(new Error("Item size has exceeded the maximum")),
    };

    const error = await runProcessor(async () => "done", "demo", "demo-route", event(), {
      store,
      publisher: memoryPublisher(),
      logger: log.logger,
    }).then(
      () => undefined,
      (e: unknown) => e,
    );

    expect(String(error)).to.match(/Item size/);
    expect(log.lines.find((l) => l.level === "error")).to.deep.include({
      msg: "storing the result failed; the attempt fails",
      eventId: event().id,
      routeKey: "demo-route",
    });
  });

  it("replays a duplicate event id from the store: same result, handler not called, nothing emitted", async () => {
    const publisher = memoryPublisher();
    const { run, lines } = setup(publisher);
    let calls = 0;
    const handle: Handle = async (_e, ctx) => {
      calls++;
      await ctx.emit("a-type", {});
      return { call: calls, at: ctx.now().toISOString() };
    };
    const first = await run(handle, event(), new Date("2025-01-06T09:30:05Z"));
    const second = await run(handle, event(), new Date("2025-01-07T00:00:00Z"));
    expect(second).to.deep.equal(first);
    expect(calls).to.equal(1);
    expect(publisher.published).to.have.length(1);
    expect(lines.map((l) => l.msg)).to.include("duplicate delivery: returning the stored result");
  });

  it("keys idempotency by route and event id: another route or another id runs again", async () => {
    const store = memoryStore();
    const publisher = memoryPublisher();
    const { logger } = recordingLogger();
    const handle: Handle = async (_e, ctx) => ctx.emit("a-type", {});
    const ports = { store, publisher, logger };
    await runProcessor(handle, "demo", "route-a", event(), ports);
    await runProcessor(handle, "demo", "route-b", event(), ports);
    await runProcessor(handle, "demo", "route-a", { ...event(), id: "other-id" }, ports);
    await runProcessor(handle, "demo", "route-a", event(), ports);
    expect(publisher.published).to.have.length(3);
    expect(store.size).to.equal(3);
  });

  it("stores a copy: mutating the returned result does not change a replay", async () => {
    const { run } = setup();
    const first = (await run(async () => ({ items: [1] }), event())) as { items: number[] };
    first.items.push(2);
    expect(await run(async () => ({ items: [99] }), event())).to.deep.equal({ items: [1] });
  });

  it("binds eventId and routeKey to every log line, the processor's own included", async () => {
    const { run, lines } = setup();
    const handle: Handle = async (_e, ctx) => {
      ctx.log.info("step one", { eventId: "spoofed", extra: 1 });
      ctx.log.warn("step two");
      await ctx.emit("a-type", {});
    };
    await run(handle, event());
    await run(handle, event());
    await run(
      async () => {
        throw new Error("boom");
      },
      { ...event(), id: "evt-fail" },
    ).catch(() => undefined);

    expect(lines.length).to.be.greaterThan(5);
    for (const line of lines) {
      expect(line.routeKey, JSON.stringify(line)).to.equal("demo-route");
      expect(line.eventId, JSON.stringify(line)).to.be.oneOf([event().id, "evt-fail"]);
    }
    expect(lines.find((l) => l.msg === "step one")).to.deep.include({ extra: 1, eventId: event().id });
    expect(lines.filter((l) => l.eventId === "evt-fail").map((l) => l.level)).to.deep.equal(["error"]);
  });

  it("refuses an event without an id instead of deduplicating every such event into one", async () => {
    const { run } = setup();
    for (const id of [undefined, ""]) {
      let error: unknown;
      await run(async () => "ran", { ...event(), id: id as unknown as string }).catch(
        (e: unknown) => (error = e),
      );
      expect(String(error)).to.match(/route "demo-route": the event has no string "id"/);
    }
  });

  it("defaults the clock to the wall clock", async () => {
    const { logger } = recordingLogger();
    const before = Date.now();
    const at = (await runProcessor(async (_e, ctx) => ctx.now().getTime(), "demo", "r", event(), {
      store: memoryStore(),
      publisher: memoryPublisher(),
      logger,
    })) as number;
    expect(at).to.be.within(before, Date.now());
  });

  describe("checkDetail (events put on the bus directly skip the API's validation)", () => {
    const check = detailCheck(analytics.schema);
    const malformed = () => ({ ...event(), id: "evt-bad", "detail-type": "analytics-event", detail: {} });

    it("rejects an invalid detail without calling handle, emitting or throwing, and stores the rejection", async () => {
      const publisher = memoryPublisher();
      const store = memoryStore();
      const log = recordingLogger();
      let calls = 0;
      const handle: Handle = async (_e, ctx) => {
        calls++;
        await ctx.emit("x", {});
        return "ran";
      };
      const ports = { store, publisher, logger: log.logger, checkDetail: check };
      const first = await runProcessor<{ reason: string }>(
        handle,
        "analytics",
        "analytics-event",
        malformed(),
        ports,
      );
      expect(first).to.deep.equal({
        rejected: true,
        reason: "detail must have required property 'eventType'",
      });
      expect(calls).to.equal(0);
      expect(publisher.published).to.deep.equal([]);
      expect(store.size).to.equal(1);
      const warn = log.lines.find((l) => l.level === "warn");
      expect(warn).to.deep.include({ eventId: "evt-bad", routeKey: "analytics-event", reason: first.reason });

      // A redelivery returns the stored rejection; the processor still never runs.
      const again = await runProcessor(handle, "analytics", "analytics-event", malformed(), ports);
      expect(again).to.deep.equal(first);
      expect(calls).to.equal(0);
      expect(publisher.published).to.deep.equal([]);
    });

    it("runs the real processor on a valid detail, and names the path of a wrong field", async () => {
      const detail = { eventType: "page_view", userId: "u-1" };
      const valid = { ...event(), "detail-type": "analytics-event", detail };
      const ports = { store: memoryStore(), publisher: memoryPublisher(), logger: recordingLogger().logger };
      const result = await runProcessor(analytics.handle, "analytics", "r", valid, {
        ...ports,
        checkDetail: check,
      });
      expect(result).to.not.have.property("rejected");
      expect(check({ ...detail, userId: 7 })).to.equal("detail.userId must be string");
      expect(check(null)).to.equal("detail must be object");
    });
  });

  describe("declared emits (ports.emits, from Processor.emits)", () => {
    const ports = () => ({
      store: memoryStore(),
      publisher: memoryPublisher(),
      logger: recordingLogger().logger,
    });
    const emitting: Handle = async (_e, ctx) => {
      await ctx.emit("notification-sent", { recipient: "r" });
      await ctx.emit("order-shipped", { orderId: "O" });
      return "done";
    };

    it("fails the delivery on an undeclared detail-type, naming it, and publishes and stores nothing", async () => {
      const p = ports();
      let error: Error | undefined;
      await runProcessor(emitting, "order", "order-created", event(), {
        ...p,
        emits: ["notification-sent"],
      }).catch((e: Error) => (error = e));
      expect(error?.name).to.equal("UndeclaredEmit");
      expect(error?.message).to.equal(
        'route "order-created": processor "order" emitted "order-shipped" but declares emits ["notification-sent"]; ' +
          'add it to the processor\'s "emits"',
      );
      expect(p.publisher.published).to.deep.equal([]);
      expect(p.store.size).to.equal(0);
    });

    it("publishes declared detail-types, and checks nothing when no declaration is given", async () => {
      const declared = ports();
      const result = await runProcessor(emitting, "order", "order-created", event(), {
        ...declared,
        emits: ["notification-sent", "order-shipped"],
      });
      expect(result).to.equal("done");
      expect(declared.publisher.published.map((e) => e.detailType)).to.deep.equal([
        "notification-sent",
        "order-shipped",
      ]);
      const unchecked = ports();
      await runProcessor(emitting, "order", "order-created", event(), unchecked);
      expect(unchecked.publisher.published).to.have.length(2);
    });

    it("an empty declaration refuses every emit", async () => {
      let error: Error | undefined;
      await runProcessor(emitting, "order", "order-created", event(), { ...ports(), emits: [] }).catch(
        (e: Error) => (error = e),
      );
      expect(error?.name).to.equal("UndeclaredEmit");
    });
  });
});
