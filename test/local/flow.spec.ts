/**
 * The local stack end to end over real HTTP: `POST /events` → durable bus → routing table → processors, with
 * the default routing table and processors.
 */
import { expect } from "chai";
import { API_SOURCE } from "../../infra/table";
import {
  accept,
  fixture,
  request,
  route,
  startLocal,
  until,
  waitFor,
  withStack,
  type EventView,
  type Running,
} from "./helpers";

describe("local stack: event flow", function () {
  let server: Running;
  withStack((s) => (server = s));

  /** The product description's events, with the routes they must reach and what each processor returns. */
  const cases: { fixture: string; routes: Record<string, Record<string, unknown>> }[] = [
    {
      fixture: "order-created.seed",
      routes: {
        "order-created": {
          orderId: "ORD-12345",
          status: "confirmed",
          totals: { itemCount: 2, subtotal: 99.99, taxRate: 0.1, tax: 10, total: 109.99 },
          notificationId: "order-confirmation-ORD-12345",
        },
      },
    },
    {
      fixture: "user-registered",
      routes: { "user-registered": { userId: "USER-001", plan: "pro", status: "onboarding" } },
    },
    {
      fixture: "notification-sent",
      routes: {
        "notification-sent": { notificationId: "NOTIF-001", channel: "email", template: "shipping-update" },
      },
    },
    {
      fixture: "support-ticket.seed",
      routes: {
        "support-ticket": { ticketId: "SUPPORT-001", team: "senior", escalate: true, status: "assigned" },
        "support-escalation": { ticketId: "SUPPORT-001", paged: true },
      },
    },
    {
      fixture: "analytics-event.seed",
      routes: {
        "analytics-event": {
          eventType: "purchase",
          userId: "USER-001",
          conversion: { isConversion: true, value: 199.99, currency: "USD" },
        },
      },
    },
  ];

  for (const c of cases) {
    it(`processes ${c.fixture} on routes ${Object.keys(c.routes).join(", ")}`, async () => {
      const { "detail-type": detailType, detail } = fixture(c.fixture);
      const id = await accept(server.url, detailType, detail);

      const view = await waitFor(server.url, id);

      expect(view.status).to.equal("done");
      expect(view.routes.map((r) => r.routeKey).sort()).to.deep.equal(Object.keys(c.routes).sort());
      for (const [key, expected] of Object.entries(c.routes)) {
        const r = route(view, key);
        expect(r.status, `${key}: ${r.error}`).to.equal("done");
        expect(r.attempts).to.equal(1);
        expect(r.result).to.deep.include(expected);
      }
    });
  }

  it("stamps the EventBridge envelope: the server sets source, id, time, account, region", async () => {
    const { "detail-type": detailType, detail } = fixture("user-registered");
    const before = Date.now();
    const id = await accept(server.url, detailType, detail);

    const { event } = await waitFor(server.url, id);

    expect(Object.keys(event).sort()).to.deep.equal(
      ["account", "detail", "detail-type", "id", "region", "resources", "source", "time", "version"].sort(),
    );
    expect(event).to.deep.include({
      version: "0",
      id,
      "detail-type": detailType,
      source: API_SOURCE,
      resources: [],
    });
    expect(event.detail).to.deep.equal(detail);
    expect(event.time).to.match(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    expect(Date.parse(event.time as string)).to.be.within(Math.floor(before / 1000) * 1000, Date.now());
  });

  it("delivers a support ticket to support-escalation only when its priority is high or urgent", async () => {
    const base = fixture("support-ticket.seed").detail;
    const byPriority: Record<string, string[]> = {
      low: ["support-ticket"],
      medium: ["support-ticket"],
      high: ["support-escalation", "support-ticket"],
      urgent: ["support-escalation", "support-ticket"],
    };
    for (const [priority, expected] of Object.entries(byPriority)) {
      const id = await accept(server.url, "support-ticket", { ...base, ticketId: `T-${priority}`, priority });
      const view = await waitFor(server.url, id);
      expect(view.routes.map((r) => r.routeKey).sort(), priority).to.deep.equal(expected);
      expect(view.status, priority).to.equal("done");
    }
  });

  it("delivers the notification an order emits through the EventBridge API, and processes it", async () => {
    await expectOrderNotification(server.url, "ORD-EMIT-1");
  });

  it("lists events newest first, filtered by detail-type and source, up to limit", async () => {
    const user = fixture("user-registered").detail;
    const users: string[] = [];
    for (const n of [1, 2, 3])
      users.push(await accept(server.url, "user-registered", { ...user, userId: `LIST-${n}` }));
    await accept(server.url, "notification-sent", fixture("notification-sent").detail);

    const reply = await request(
      `${server.url}/local/events?detail-type=user-registered&source=${encodeURIComponent(API_SOURCE)}&limit=2`,
    );

    expect(reply.status).to.equal(200);
    const events = reply.body.events as EventView[];
    expect(events.map((e) => e.eventId)).to.deep.equal([users[2], users[1]]);
    expect(events[0].event).to.deep.include({ "detail-type": "user-registered", source: API_SOURCE });
  });

  it("answers 404 with a JSON error for an unknown event id", async () => {
    const reply = await request(`${server.url}/local/events/no-such-id`);
    expect(reply.status).to.equal(404);
    expect(reply.body).to.include({ error: "NotFound" });
  });

  it("reports health with the delivery counts", async () => {
    const reply = await request(`${server.url}/local/health`);
    expect(reply.status).to.equal(200);
    expect(reply.body).to.include({ status: "ok" });
    expect(reply.body.routes).to.include("support-escalation");
    expect((reply.body.deliveries as Record<string, number>).done).to.be.greaterThan(0);
  });
});

describe("local stack: emits over a loopback socket (emitTransport http)", function () {
  let server: Running;
  before(async () => {
    server = await startLocal({ emitTransport: "http" });
  });
  after(async () => {
    await server?.stop();
  });

  it("delivers the notification an order emits through the EventBridge API over HTTP, and processes it", async () => {
    await expectOrderNotification(server.url, "ORD-EMIT-HTTP");
  });
});

/** Posts an order and checks the notification-sent event its processor emits is accepted and processed. */
async function expectOrderNotification(url: string, orderId: string): Promise<void> {
  const detail = { ...fixture("order-created.seed").detail, orderId, email: "bo@example.com" };
  const id = await accept(url, "order-created", detail);
  expect(route(await waitFor(url, id), "order-created").status).to.equal("done");

  const emitted = await findEmitted(
    url,
    "backbone.order",
    (v) => v.event.detail.notificationId === `order-confirmation-${orderId}`,
  );
  const view = await waitFor(url, emitted.eventId);

  expect(view.event).to.deep.include({ "detail-type": "notification-sent", source: "backbone.order" });
  expect(view.event.detail).to.deep.include({
    recipient: "bo@example.com",
    channel: "email",
    template: "order-confirmation",
  });
  expect(route(view, "notification-sent").status).to.equal("done");
  expect(route(view, "notification-sent").result).to.deep.include({
    notificationId: `order-confirmation-${orderId}`,
  });
}

/** Polls `GET /local/events?source=` until an event satisfying `pick` shows up. */
async function findEmitted(url: string, source: string, pick: (v: EventView) => boolean): Promise<EventView> {
  let found: EventView | undefined;
  await until(async () => {
    const reply = await request(`${url}/local/events?source=${encodeURIComponent(source)}&limit=100`);
    found = (reply.body.events as EventView[]).find(pick);
    return found !== undefined;
  });
  if (found) return found;
  throw new Error(`no event from ${source} matched`);
}
