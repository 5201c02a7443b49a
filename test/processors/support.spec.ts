import { expect } from "chai";
import support, { type Priority, type TicketRouting } from "../../processors/support";
import { fixture, harness, withDetail } from "./helpers";

describe("support processor (support-ticket)", () => {
  describe("team routing", () => {
    const cases: { priority: Priority; category: string; team: string }[] = [
      { priority: "urgent", category: "billing", team: "senior" },
      { priority: "high", category: "technical", team: "senior" },
      { priority: "high", category: "general", team: "senior" },
      { priority: "medium", category: "billing", team: "finance" },
      { priority: "low", category: "Billing", team: "finance" },
      { priority: "medium", category: "technical", team: "technical" },
      { priority: "low", category: " TECHNICAL ", team: "technical" },
      { priority: "medium", category: "shipping", team: "general" },
      { priority: "low", category: "account", team: "general" },
      { priority: "low", category: "constructor", team: "general" },
    ];
    for (const c of cases) {
      it(`${c.priority} / "${c.category}" → ${c.team} team`, async () => {
        const event = withDetail(fixture("support-ticket.seed"), {
          priority: c.priority,
          category: c.category,
        });
        const result = await harness(support).run<TicketRouting>(event);
        expect(result.team).to.equal(c.team);
        expect(result.category).to.equal(c.category);
      });
    }
  });

  describe("SLA target, due time and escalation flag (from the event time, not the clock)", () => {
    const cases: {
      priority: Priority;
      time: string;
      targetHours: number;
      dueAt: string;
      escalate: boolean;
    }[] = [
      {
        priority: "urgent",
        time: "2025-01-06T09:30:00Z",
        targetHours: 1,
        dueAt: "2025-01-06T10:30:00.000Z",
        escalate: true,
      },
      {
        priority: "high",
        time: "2025-01-06T09:30:00Z",
        targetHours: 4,
        dueAt: "2025-01-06T13:30:00.000Z",
        escalate: true,
      },
      {
        priority: "medium",
        time: "2025-01-06T23:15:00Z",
        targetHours: 24,
        dueAt: "2025-01-07T23:15:00.000Z",
        escalate: false,
      },
      {
        priority: "low",
        time: "2024-02-28T12:00:00.500Z",
        targetHours: 72,
        dueAt: "2024-03-02T12:00:00.500Z",
        escalate: false,
      },
    ];
    for (const c of cases) {
      it(`${c.priority} opened ${c.time} → ${c.targetHours} h, due ${c.dueAt}, escalate=${c.escalate}`, async () => {
        const event = {
          ...withDetail(fixture("support-ticket.seed"), { priority: c.priority }),
          time: c.time,
        };
        const result = await harness(support).run<TicketRouting>(event, new Date("2030-01-01T00:00:00Z"));
        expect(result.sla).to.deep.equal({
          targetHours: c.targetHours,
          openedAt: new Date(c.time).toISOString(),
          dueAt: c.dueAt,
        });
        expect(result.escalate).to.equal(c.escalate);
      });
    }
  });

  it("routes the product description's ticket (fixture) to the senior team, due in 4 h, escalated", async () => {
    const h = harness(support);
    const result = await h.run<TicketRouting>(fixture("support-ticket.seed"));
    expect(result).to.deep.equal({
      ticketId: "SUPPORT-001",
      customerId: "CUST-001",
      priority: "high",
      category: "technical",
      team: "senior",
      routingReason: "priority high",
      sla: { targetHours: 4, openedAt: "2025-01-06T09:30:00.000Z", dueAt: "2025-01-06T13:30:00.000Z" },
      escalate: true,
      status: "assigned",
    });
    expect(h.published, "paging is the escalation route's job").to.deep.equal([]);
  });

  it("routes a medium billing ticket (fixture) to finance without escalation", async () => {
    const result = await harness(support).run<TicketRouting>(fixture("support-ticket.billing"));
    expect(result).to.include({ team: "finance", escalate: false, routingReason: "category billing" });
  });

  it("fails loudly on an event without a valid time, rather than inventing a due time", async () => {
    const event = { ...fixture("support-ticket.billing"), time: "yesterday" };
    let error: unknown;
    await harness(support)
      .run(event)
      .catch((e: unknown) => (error = e));
    expect(String(error)).to.match(/event time "yesterday"/);
  });

  it("is idempotent: the same event id twice gives the same result", async () => {
    const h = harness(support);
    const first = await h.run(fixture("support-ticket.seed"));
    const second = await h.run(fixture("support-ticket.seed"), new Date("2031-01-01T00:00:00Z"));
    expect(second).to.deep.equal(first);
    expect(h.lines.filter((l) => l.msg.startsWith("duplicate delivery"))).to.have.length(1);
  });
});
