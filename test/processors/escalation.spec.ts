import { expect } from "chai";
import escalation, { ON_CALL_TARGET, type EscalationResult } from "../../processors/escalation";
import type { Priority } from "../../processors/support";
import { fixture, harness, withDetail } from "./helpers";

describe("escalation processor (support-ticket, high/urgent only)", () => {
  const cases: { priority: Priority; ackBy: string; deadline: string }[] = [
    { priority: "urgent", ackBy: "2025-01-06T09:35:00.000Z", deadline: "2025-01-06T10:30:00.000Z" },
    { priority: "high", ackBy: "2025-01-06T09:45:00.000Z", deadline: "2025-01-06T13:30:00.000Z" },
  ];
  for (const c of cases) {
    it(`pages ${ON_CALL_TARGET} for a ${c.priority} ticket: ack by ${c.ackBy}, deadline ${c.deadline}`, async () => {
      const h = harness(escalation, "support-escalation");
      const event = withDetail(fixture("support-ticket.seed"), { priority: c.priority });
      const result = await h.run<EscalationResult>(event);
      expect(result).to.deep.equal({
        ticketId: "SUPPORT-001",
        paged: true,
        pageTarget: ON_CALL_TARGET,
        team: "senior",
        ackBy: c.ackBy,
        deadline: c.deadline,
        notificationId: "ticket-escalated-SUPPORT-001",
      });
    });
  }

  it("emits one ticket-escalated SMS notification to the on-call rota", async () => {
    const h = harness(escalation, "support-escalation");
    await h.run(fixture("support-ticket.seed"));
    expect(h.published).to.deep.equal([
      {
        source: "backbone.escalation",
        detailType: "notification-sent",
        detail: {
          notificationId: "ticket-escalated-SUPPORT-001",
          recipient: ON_CALL_TARGET,
          channel: "sms",
          template: "ticket-escalated",
          data: {
            ticketId: "SUPPORT-001",
            customerId: "CUST-001",
            priority: "high",
            category: "technical",
            subject: "Login issue",
            team: "senior",
            deadline: "2025-01-06T13:30:00.000Z",
          },
        },
      },
    ]);
  });

  for (const priority of ["low", "medium"] as const) {
    it(`does not page for a ${priority} ticket that reached it through a mis-edited pattern`, async () => {
      const h = harness(escalation, "support-escalation");
      const result = await h.run<EscalationResult>(withDetail(fixture("support-ticket.seed"), { priority }));
      expect(result).to.deep.equal({
        ticketId: "SUPPORT-001",
        paged: false,
        reason: `priority ${priority} is not escalated`,
      });
      expect(h.published).to.deep.equal([]);
      expect(h.lines.some((l) => l.level === "warn")).to.equal(true);
    });
  }

  it("is idempotent: a redelivered ticket pages once", async () => {
    const h = harness(escalation, "support-escalation");
    const first = await h.run(fixture("support-ticket.seed"));
    const second = await h.run(fixture("support-ticket.seed"));
    expect(second).to.deep.equal(first);
    expect(h.published).to.have.length(1);
  });
});
