import { isEscalated, routeTicket, slaFor, SupportTicket, type EscalatedPriority } from "./support";
import { defineProcessor } from "./runtime";

/** Who gets paged: the senior team's on-call rota, resolved to a phone by the paging provider. */
export const ON_CALL_TARGET = "oncall:senior-support";

/** Minutes the on-call engineer has to acknowledge the page, per priority; unacknowledged pages re-page. */
export const ACK_MINUTES: Readonly<Record<EscalatedPriority, number>> = { urgent: 5, high: 15 };

/** The escalation processor's result. */
export type EscalationResult =
  | {
      ticketId: string;
      paged: true;
      pageTarget: string;
      team: string;
      ackBy: string;
      deadline: string;
      notificationId: string;
    }
  | { ticketId: string; paged: false; reason: string };

/**
 * Receives only high/urgent support tickets (a content-filtered route): pages the on-call senior team by SMS.
 * `deadline` is the ticket's SLA due time; `ackBy` is when the page must be acknowledged.
 */
export default defineProcessor({
  name: "escalation",
  detailType: "support-ticket",
  schema: SupportTicket,
  emits: ["notification-sent"],
  async handle(event, ctx): Promise<EscalationResult> {
    const t = event.detail;
    if (!isEscalated(t.priority)) {
      // The route's pattern should make this impossible; a mis-edited pattern must not page anyone.
      ctx.log.warn("ticket is not high/urgent; not paging", { ticketId: t.ticketId, priority: t.priority });
      return { ticketId: t.ticketId, paged: false, reason: `priority ${t.priority} is not escalated` };
    }
    const { team } = routeTicket(t.priority, t.category);
    const { dueAt } = slaFor(t.priority, event);
    const ackBy = new Date(Date.parse(event.time) + ACK_MINUTES[t.priority] * 60_000).toISOString();
    const notificationId = `ticket-escalated-${t.ticketId}`;
    await ctx.emit("notification-sent", {
      notificationId,
      recipient: ON_CALL_TARGET,
      channel: "sms",
      template: "ticket-escalated",
      data: {
        ticketId: t.ticketId,
        customerId: t.customerId,
        priority: t.priority,
        category: t.category,
        subject: t.subject,
        team,
        deadline: dueAt,
      },
    });
    ctx.log.info("on-call paged", { ticketId: t.ticketId, pageTarget: ON_CALL_TARGET, deadline: dueAt });
    return {
      ticketId: t.ticketId,
      paged: true,
      pageTarget: ON_CALL_TARGET,
      team,
      ackBy,
      deadline: dueAt,
      notificationId,
    };
  },
});
