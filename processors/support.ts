import { Type, type Static } from "@sinclair/typebox";
import { defineProcessor, type BackboneEvent } from "./runtime";

/** `support-ticket`: the product description's support ticket. */
export const SupportTicket = Type.Object(
  {
    ticketId: Type.String({ minLength: 1, maxLength: 128 }),
    customerId: Type.String({ minLength: 1, maxLength: 128 }),
    priority: Type.Union([
      Type.Literal("low"),
      Type.Literal("medium"),
      Type.Literal("high"),
      Type.Literal("urgent"),
    ]),
    category: Type.String({ minLength: 1, maxLength: 64 }),
    subject: Type.String({ minLength: 1, maxLength: 256 }),
    description: Type.Optional(Type.String({ maxLength: 10000 })),
  },
  {
    additionalProperties: true,
    version: 1,
    examples: [
      {
        ticketId: "SUPPORT-001",
        customerId: "CUST-001",
        priority: "high",
        category: "technical",
        subject: "Login issue",
        description: "Cannot access my account",
      },
      {
        ticketId: "SUPPORT-002",
        customerId: "CUST-002",
        priority: "medium",
        category: "billing",
        subject: "Charged twice",
      },
    ],
  },
);

export type Priority = Static<typeof SupportTicket>["priority"];
export type Team = "senior" | "finance" | "technical" | "general";

/**
 * First-response SLA per priority, in hours. Our choice (the product description names SLA tracking but no
 * numbers): urgent 1 h, high 4 h, medium 24 h, low 72 h, in calendar hours (no business-hours calendar).
 */
export const SLA_HOURS: Readonly<Record<Priority, number>> = { urgent: 1, high: 4, medium: 24, low: 72 };

/**
 * Priorities that skip the queue: routed to the senior team and paged by the escalation route (whose event
 * pattern in `infra/routes.ts` matches exactly these).
 */
export const ESCALATED_PRIORITIES = Object.freeze(["high", "urgent"] as const);
export type EscalatedPriority = (typeof ESCALATED_PRIORITIES)[number];

/** Whether `priority` is one of `ESCALATED_PRIORITIES`. */
export function isEscalated(priority: Priority): priority is EscalatedPriority {
  return (ESCALATED_PRIORITIES as readonly Priority[]).includes(priority);
}

/** Team routing: high/urgent → senior; else billing → finance; technical → technical; anything else → general. */
export function routeTicket(priority: Priority, category: string): { team: Team; reason: string } {
  if (isEscalated(priority)) return { team: "senior", reason: `priority ${priority}` };
  const normalized = category.trim().toLowerCase();
  if (normalized === "billing") return { team: "finance", reason: "category billing" };
  if (normalized === "technical") return { team: "technical", reason: "category technical" };
  return { team: "general", reason: `category ${normalized || "(empty)"} has no specialist team` };
}

/**
 * SLA target and due time, counted from the event's `time` (when the API accepted the ticket), not from the
 * processing clock: retries and replays then compute the same due time.
 */
export function slaFor(
  priority: Priority,
  event: Pick<BackboneEvent, "time">,
): { targetHours: number; dueAt: string } {
  const targetHours = SLA_HOURS[priority];
  const openedAt = Date.parse(event.time);
  if (Number.isNaN(openedAt)) throw new Error(`event time "${event.time}" is not a timestamp`);
  return { targetHours, dueAt: new Date(openedAt + targetHours * 3600_000).toISOString() };
}

/** The support processor's result. */
export interface TicketRouting {
  ticketId: string;
  customerId: string;
  priority: Priority;
  category: string;
  team: Team;
  routingReason: string;
  sla: { targetHours: number; openedAt: string; dueAt: string };
  escalate: boolean;
  status: "assigned";
}

export default defineProcessor({
  name: "support",
  detailType: "support-ticket",
  schema: SupportTicket,
  handle(event, ctx): TicketRouting {
    const t = event.detail;
    const { team, reason } = routeTicket(t.priority, t.category);
    const { targetHours, dueAt } = slaFor(t.priority, event);
    const escalate = isEscalated(t.priority);
    ctx.log.info("ticket routed", { ticketId: t.ticketId, team, dueAt, escalate });
    return {
      ticketId: t.ticketId,
      customerId: t.customerId,
      priority: t.priority,
      category: t.category,
      team,
      routingReason: reason,
      sla: { targetHours, openedAt: new Date(Date.parse(event.time)).toISOString(), dueAt },
      escalate,
      status: "assigned",
    };
  },
});
