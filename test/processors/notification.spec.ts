import { expect } from "chai";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import notification, { type Channel, type NotificationResult } from "../../processors/notification";
import { fixture, harness, withDetail } from "./helpers";

describe("notification processor (notification-sent)", () => {
  describe("channel choice", () => {
    const cases: { requested: Channel; recipient: string; channel: Channel }[] = [
      { requested: "email", recipient: "ana@example.com", channel: "email" },
      { requested: "email", recipient: "CUST-001", channel: "push" },
      { requested: "sms", recipient: "+61 400 123 456", channel: "sms" },
      { requested: "sms", recipient: "oncall:senior-support", channel: "sms" },
      { requested: "sms", recipient: "ana@example.com", channel: "push" },
      { requested: "push", recipient: "USER-001", channel: "push" },
      { requested: "push", recipient: "ana@example.com", channel: "push" },
    ];
    for (const c of cases) {
      it(`${c.requested} to "${c.recipient}" → ${c.channel}`, async () => {
        const event = withDetail(fixture("notification-sent"), {
          channel: c.requested,
          recipient: c.recipient,
        });
        const result = await harness(notification).run<NotificationResult>(event);
        expect(result).to.include({
          channel: c.channel,
          requestedChannel: c.requested,
          recipient: c.recipient,
        });
      });
    }
  });

  describe("rendering", () => {
    const cases: {
      template: string;
      channel: Channel;
      data: Record<string, unknown>;
      message: NotificationResult["message"];
      known: boolean;
      missing?: string[];
    }[] = [
      {
        template: "order-confirmation",
        channel: "email",
        data: { orderId: "ORD-1", itemCount: 2, total: 109.99, currency: "USD" },
        message: {
          subject: "Order ORD-1 confirmed",
          body: "Thank you for your order ORD-1: 2 item(s), total 109.99 USD.",
        },
        known: true,
      },
      {
        template: "welcome",
        channel: "email",
        data: { name: "Ana", plan: "pro" },
        message: {
          subject: "Welcome, Ana!",
          body: "Hi Ana, welcome aboard. Your pro plan is ready; start by verifying your e-mail address.",
        },
        known: true,
      },
      {
        template: "ticket-escalated",
        channel: "sms",
        data: {
          priority: "urgent",
          ticketId: "T-1",
          category: "billing",
          team: "senior",
          subject: "Card charged twice",
          deadline: "2025-01-06T10:30:00.000Z",
        },
        message: {
          body: "[urgent] Ticket T-1 (billing) for senior: Card charged twice. Due 2025-01-06T10:30:00.000Z.",
        },
        known: true,
      },
      {
        template: "mystery-template",
        channel: "email",
        data: { anything: 1 },
        message: {
          subject: "You have a new notification",
          body: "You have a new notification (mystery-template): anything=1.",
        },
        known: false,
      },
      {
        // README's "Add an event type" example emits this before anyone writes its template.
        template: "coupon-redeemed",
        channel: "email",
        data: { couponCode: "WELCOME10" },
        message: {
          subject: "You have a new notification",
          body: "You have a new notification (coupon-redeemed): couponCode=WELCOME10.",
        },
        known: false,
      },
      {
        template: "mystery-template",
        channel: "email",
        data: { shown: "yes", count: 2, nested: { not: "a scalar" } },
        message: {
          subject: "You have a new notification",
          body: "You have a new notification (mystery-template): shown=yes, count=2.",
        },
        known: false,
        missing: ["nested"],
      },
      {
        template: "constructor",
        channel: "push",
        data: {},
        message: {
          subject: "You have a new notification",
          body: "You have a new notification (constructor).",
        },
        known: false,
      },
      {
        template: "shipping-update",
        channel: "email",
        data: { orderId: "ORD-1", carrier: { name: "not a scalar" } },
        message: {
          subject: "Order ORD-1 has shipped",
          body: "Your order ORD-1 is on its way with , tracking number .",
        },
        known: true,
        missing: ["carrier", "trackingNumber"],
      },
    ];
    for (const c of cases) {
      it(`${c.template} on ${c.channel}${c.known ? "" : " (unknown → generic)"}`, async () => {
        const recipient = c.channel === "sms" ? "oncall:senior-support" : "ana@example.com";
        const event = withDetail(fixture("notification-sent"), {
          template: c.template,
          channel: c.channel,
          recipient,
          data: c.data,
        });
        const result = await harness(notification).run<NotificationResult>(event);
        expect(result.message).to.deep.equal(c.message);
        expect(result.templateKnown).to.equal(c.known);
        expect(result.missingFields).to.deep.equal(c.missing ?? []);
      });
    }
  });

  it("keeps an SMS to one 160-character segment", async () => {
    const event = withDetail(fixture("notification-sent"), {
      template: "ticket-escalated",
      channel: "sms",
      recipient: "+61400123456",
      data: {
        priority: "high",
        ticketId: "T-2",
        category: "technical",
        team: "senior",
        subject: "x".repeat(300),
        deadline: "soon",
      },
    });
    const result = await harness(notification).run<NotificationResult>(event);
    expect(result.message.body).to.have.length(160);
    expect(result.message.body.endsWith("…")).to.equal(true);
    expect(result.message).to.not.have.property("subject");
  });

  it("renders the fixture shipping update", async () => {
    const h = harness(notification);
    const result = await h.run<NotificationResult>(fixture("notification-sent"));
    expect(result).to.deep.equal({
      notificationId: "NOTIF-001",
      recipient: "ana@example.com",
      channel: "email",
      requestedChannel: "email",
      channelReason: "requested",
      template: "shipping-update",
      templateKnown: true,
      message: {
        subject: "Order ORD-20001 has shipped",
        body: "Your order ORD-20001 is on its way with Australia Post, tracking number AP123456789.",
      },
      missingFields: [],
    });
    expect(h.published, "a notification is a leaf: it emits nothing").to.deep.equal([]);
  });

  it("delivers the order processor's confirmation for a customer without e-mail as a push", async () => {
    const result = await harness(notification).run<NotificationResult>(
      fixture("notification-sent.from-order"),
    );
    expect(result).to.deep.include({
      channel: "push",
      requestedChannel: "email",
      channelReason: "recipient is not an e-mail address",
      message: {
        subject: "Order ORD-12345 confirmed",
        body: "Thank you for your order ORD-12345: 2 item(s), total 109.99 USD.",
      },
    });
  });

  it("names a notification without an id after its event", async () => {
    const event = withDetail(fixture("notification-sent"), { notificationId: undefined }, "evt-42");
    const result = await harness(notification).run<NotificationResult>(event);
    expect(result.notificationId).to.equal("notification-evt-42");
  });

  it("is idempotent: the same event id twice gives the same result", async () => {
    const h = harness(notification);
    const first = await h.run(fixture("notification-sent"));
    const second = await h.run(fixture("notification-sent"));
    expect(second).to.deep.equal(first);
    expect(h.lines.filter((l) => l.msg === "processed")).to.have.length(1);
  });
});

describe("notification examples render every field they show", () => {
  // README's curl examples (local and deploy sections), the schema's examples and the scenarios' requests.
  const readme = readFileSync(join(__dirname, "..", "..", "README.md"), "utf8");
  const fromReadme = [...readme.matchAll(/-d '(\{[^']*"detail-type": "notification-sent"[^']*\})'/g)].map(
    (m) => (JSON.parse(m[1]) as { detail: Record<string, unknown> }).detail,
  );
  const scenarios = JSON.parse(
    readFileSync(join(__dirname, "..", "..", "local", "scenarios", "scenarios.json"), "utf8"),
  ) as { request: { body?: { "detail-type"?: string; detail?: Record<string, unknown> } } }[];
  // Every notification request of the scenarios, refused ones included (they are copied from too).
  const fromScenarios = scenarios
    .map((s) => s.request.body ?? {})
    .filter((b) => b["detail-type"] === "notification-sent" && typeof b.detail === "object")
    .map((b) => b.detail!);
  const examples = notification.schema.examples as Record<string, unknown>[];

  it("README shows a notification example in both the local and the deploy section", () => {
    const sections = readme.split(/^## /m);
    for (const title of ["Run it locally", "Deploy to AWS"]) {
      const section = sections.find((s) => s.startsWith(title)) ?? "";
      expect(section, title).to.match(/"detail-type": "notification-sent"/);
    }
  });

  const all = [
    ...fromReadme.map((detail, i) => ({ where: `README example ${i + 1}`, detail })),
    ...examples.map((detail, i) => ({ where: `schema example ${i + 1}`, detail })),
    ...fromScenarios.map((detail, i) => ({ where: `scenario request ${i + 1}`, detail })),
  ];
  for (const { where, detail } of all) {
    it(`${where} (${String(detail.template)}): a known template, no field missing`, async () => {
      // The example's detail as it is (not merged into the fixture's, whose data would fill the gaps).
      const event = { ...fixture("notification-sent"), id: `example-${where}`, detail };
      const result = await harness(notification).run<NotificationResult>(event);
      expect(result.templateKnown, String(detail.template)).to.equal(true);
      expect(result.missingFields).to.deep.equal([]);
    });
  }
});
