/**
 * Retries, dead letters, redrive and replay, with test routing tables whose processors fail on purpose (retry
 * delays shortened to milliseconds). The backlog bound is backlog.spec.ts.
 */
import { expect } from "chai";
import type { RouteRow } from "../../../infra/table";
import { AnalyticsEvent } from "../../../processors/analytics";
import { NotificationSent } from "../../../processors/notification";
import { OrderCreated } from "../../../processors/order";
import { SupportTicket } from "../../../processors/support";
import { UserRegistered } from "../../../processors/user";
import {
  accept,
  fixture,
  request,
  route,
  sleep,
  until,
  waitFor,
  withStack,
  type EventView,
  type Running,
} from "../helpers";
import { row } from "./rows";

describe("local stack: retries, dead letters, redrive, replay", function () {
  const attempts = new Map<string, number>();
  let brokenHealed = false;
  const table: RouteRow[] = [
    row(
      "flaky",
      OrderCreated,
      "order-created",
      (event) => {
        const orderId = (event.detail as { orderId: string }).orderId;
        const n = (attempts.get(orderId) ?? 0) + 1;
        attempts.set(orderId, n);
        if (n <= 2) throw new Error(`flaky failure ${n}`);
        return { orderId, succeededOnAttempt: n };
      },
      { maximumRetryAttempts: 3, maximumEventAgeSeconds: 3600 },
    ),
    row(
      "broken",
      SupportTicket,
      "support-ticket",
      () => {
        if (!brokenHealed) throw new Error("downstream unavailable");
        return { healed: true };
      },
      { maximumRetryAttempts: 2, maximumEventAgeSeconds: 3600 },
    ),
    row(
      "too-old",
      AnalyticsEvent,
      "analytics-event",
      () => {
        throw new Error("always fails");
      },
      // 100 retries allowed, but the event is too old after ~0.2 s of 10, 20, 40, 80 ms back-off.
      { maximumRetryAttempts: 100, maximumEventAgeSeconds: 0.2 },
    ),
    row(
      "slow",
      UserRegistered,
      "user-registered",
      async (_event, ctx) => {
        await sleep(300);
        await ctx.emit("slow-followup", { late: true });
        return { late: true };
      },
      { maximumRetryAttempts: 0, maximumEventAgeSeconds: 60 },
      0.05,
    ),
    row(
      "counted",
      NotificationSent,
      "notification-sent",
      (event) => {
        const id = (event.detail as { notificationId: string }).notificationId;
        attempts.set(id, (attempts.get(id) ?? 0) + 1);
        return { id };
      },
      { maximumRetryAttempts: 0, maximumEventAgeSeconds: 60 },
    ),
  ];

  let server: Running;
  withStack((s) => (server = s), { routes: table, retryBaseDelayMs: 10 });

  it("retries a processor that fails twice, then records its result", async () => {
    const id = await accept(server.url, "order-created", {
      ...fixture("order-created.seed").detail,
      orderId: "FLAKY-1",
    });

    const view = await waitFor(server.url, id);

    const flaky = route(view, "flaky");
    expect(flaky.status).to.equal("done");
    expect(flaky.attempts).to.equal(3);
    expect(flaky.result).to.deep.equal({ orderId: "FLAKY-1", succeededOnAttempt: 3 });
    expect(
      Date.parse(flaky.lastAttemptAt as string) - Date.parse(flaky.firstAttemptAt as string),
    ).to.be.at.least(10 + 20);
  });

  it("dead-letters a processor that always fails after maximumRetryAttempts, then redrive processes it", async () => {
    const id = await accept(server.url, "support-ticket", {
      ...fixture("support-ticket.seed").detail,
      ticketId: "DLQ-1",
    });

    const dead = await waitFor(server.url, id);
    expect(dead.status).to.equal("dead-lettered");
    expect(route(dead, "broken")).to.include({ status: "dead-lettered", attempts: 3 });
    expect(route(dead, "broken").error).to.match(/downstream unavailable/);

    const dlq = await request(`${server.url}/local/dlq`);
    const entry = (dlq.body.entries as Record<string, unknown>[]).find((e) => e.eventId === id);
    expect(entry).to.include({ routeKey: "broken", attempts: 3 });
    expect(entry?.error).to.match(/downstream unavailable/);
    for (const t of ["firstAttemptAt", "lastAttemptAt", "deadLetteredAt"]) {
      expect(Date.parse(entry?.[t] as string), t).to.be.within(Date.now() - 60_000, Date.now());
    }

    brokenHealed = true;
    const redrive = await request(`${server.url}/local/dlq/redrive`, { body: { ids: [entry?.id] } });
    expect(redrive.status).to.equal(200);
    expect(redrive.body.redriven).to.equal(1);

    const healed = await waitFor(server.url, id);
    expect(route(healed, "broken")).to.deep.include({ status: "done", result: { healed: true } });
    const after = await request(`${server.url}/local/dlq`);
    expect((after.body.entries as { eventId: string }[]).map((e) => e.eventId)).to.not.include(id);
  });

  it("stops retrying once the event is older than maximumEventAgeSeconds", async () => {
    const id = await accept(server.url, "analytics-event", fixture("analytics-event.seed").detail);

    const view = await waitFor(server.url, id);

    const r = route(view, "too-old");
    expect(r.status).to.equal("dead-lettered");
    expect(r.attempts).to.be.within(2, 6);
  });

  it("fails an attempt that outlives the route's timeoutSeconds, like Lambda", async () => {
    const id = await accept(server.url, "user-registered", fixture("user-registered").detail);

    const view = await waitFor(server.url, id);

    expect(route(view, "slow").status).to.equal("dead-lettered");
    expect(route(view, "slow").error).to.equal("Task timed out after 0.05 seconds");
    // Unisolated, the timed-out attempt keeps running (isolation: "none"), but what it emits late is refused.
    await sleep(400);
    const followups = await request(`${server.url}/local/events?detail-type=slow-followup`);
    expect(followups.body.events).to.deep.equal([]);
  });

  it("replays the archived events of a time range with new ids, leaving the others alone", async () => {
    const notification = fixture("notification-sent").detail;
    const send = (n: string) =>
      accept(server.url, "notification-sent", { ...notification, notificationId: n });
    const before = await send("R-before");
    await sleep(30);
    const from = new Date().toISOString();
    const inRange = [await send("R-1"), await send("R-2")];
    const to = new Date().toISOString();
    await sleep(30);
    await send("R-after");
    for (const id of [before, ...inRange]) await waitFor(server.url, id);

    const replay = await request(`${server.url}/local/replay`, { body: { from, to, name: "test-replay" } });

    expect(replay.status).to.equal(202);
    expect(replay.headers.get("location")).to.equal("/local/replays/test-replay");
    expect(
      await until(async () => {
        const r = await request(`${server.url}/local/replays/test-replay`);
        return r.body.state === "COMPLETED";
      }),
    ).to.equal(true);
    const done = await request(`${server.url}/local/replays/test-replay`);
    expect(done.body).to.include({ replayed: 2, total: 2 });
    for (const original of inRange) {
      const tree = await request(`${server.url}/local/events/${original}`);
      const replays = tree.body.replays as EventView[];
      expect(replays).to.have.length(1);
      const view = await waitFor(server.url, replays[0].eventId);
      expect(view.replayOf).to.equal(original);
      expect(view.event["replay-name"]).to.equal("test-replay");
      expect(route(view, "counted").status).to.equal("done");
    }
    expect(["R-before", "R-1", "R-2", "R-after"].map((n) => attempts.get(n))).to.deep.equal([1, 2, 2, 1]);
  });

  it("rejects a replay without a valid range", async () => {
    const reply = await request(`${server.url}/local/replay`, { body: { from: "yesterday-ish" } });
    expect(reply.status).to.equal(400);
    expect(reply.body).to.include({ error: "BadRequestBody" });
    expect(reply.body.message).to.match(/body\.from/);
  });
});

describe("local stack: redrive of the whole DLQ", function () {
  let healed = false;
  const table: RouteRow[] = [
    row(
      "down",
      NotificationSent,
      "notification-sent",
      (event) => {
        if (!healed) throw new Error("downstream unavailable");
        return { id: (event.detail as { notificationId: string }).notificationId };
      },
      { maximumRetryAttempts: 0, maximumEventAgeSeconds: 60 },
    ),
  ];
  let server: Running;
  withStack((s) => (server = s), { routes: table });

  it("redrives every open DLQ entry on POST /local/dlq/redrive with no body and no content-type", async () => {
    const detail = fixture("notification-sent").detail;
    const ids: string[] = [];
    for (const n of ["ALL-1", "ALL-2", "ALL-3"]) {
      ids.push(await accept(server.url, "notification-sent", { ...detail, notificationId: n }));
    }
    for (const id of ids) expect((await waitFor(server.url, id)).status, id).to.equal("dead-lettered");
    expect((await request(`${server.url}/local/dlq`)).body.count).to.equal(3);

    healed = true;
    const redrive = await request(`${server.url}/local/dlq/redrive`, { method: "POST" });

    expect(redrive.status, redrive.text).to.equal(200);
    expect(redrive.body.redriven).to.equal(3);
    expect((redrive.body.entries as { eventId: string }[]).map((e) => e.eventId).sort()).to.deep.equal(
      [...ids].sort(),
    );
    for (const id of ids) expect((await waitFor(server.url, id)).status, id).to.equal("done");
    const after = await request(`${server.url}/local/dlq`);
    expect(after.body).to.deep.include({ count: 0, entries: [] });
  });
});
