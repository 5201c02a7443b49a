/**
 * THE routing table. One row per route; everything else (rules, targets, DLQs, permissions, alarms, dashboard
 * widgets, API validation and local routing) is derived from it. Pure data: no Pulumi import, so the local
 * stack and the tests share it.
 *
 * Adding an event type: write `processors/<name>.ts` (schema + handler) and add a row here. What a row means
 * (`RouteRow`) and the checks it must pass live in `infra/table/`.
 */
import analytics from "../processors/analytics";
import escalation from "../processors/escalation";
import notification from "../processors/notification";
import order from "../processors/order";
import support, { ESCALATED_PRIORITIES } from "../processors/support";
import user from "../processors/user";
import { SOURCE_PREFIX, type RetryPolicy, type RouteRow } from "./table";

/** Every event on the bus comes from the API or a processor; the prefix keeps foreign events out. */
const fromBackbone = [{ prefix: SOURCE_PREFIX }];

const standardRetry: RetryPolicy = { maximumRetryAttempts: 3, maximumEventAgeSeconds: 3600 };

const rows = [
  {
    key: "order-created",
    description: "E-commerce order processing: validate, total, confirm",
    pattern: { source: fromBackbone, "detail-type": ["order-created"] },
    processor: order,
    retry: standardRetry,
  },
  {
    key: "user-registered",
    description: "Customer onboarding: welcome flow and welcome notification",
    pattern: { source: fromBackbone, "detail-type": ["user-registered"] },
    processor: user,
    retry: standardRetry,
  },
  {
    key: "notification-sent",
    description: "Notifications: pick the channel and render the message",
    pattern: { source: fromBackbone, "detail-type": ["notification-sent"] },
    processor: notification,
    retry: { maximumRetryAttempts: 5, maximumEventAgeSeconds: 3600 },
  },
  {
    key: "support-ticket",
    description: "Support tickets: team routing and SLA",
    pattern: { source: fromBackbone, "detail-type": ["support-ticket"] },
    processor: support,
    retry: standardRetry,
  },
  {
    key: "support-escalation",
    description: "High and urgent tickets only: page the senior on-call team",
    pattern: {
      source: fromBackbone,
      "detail-type": ["support-ticket"],
      detail: { priority: [...ESCALATED_PRIORITIES] },
    },
    processor: escalation,
    retry: { maximumRetryAttempts: 8, maximumEventAgeSeconds: 900 },
    timeoutSeconds: 5,
  },
  {
    key: "analytics-event",
    description: "Analytics: enrichment and conversion tracking",
    pattern: { source: fromBackbone, "detail-type": ["analytics-event"] },
    processor: analytics,
    retry: { maximumRetryAttempts: 2, maximumEventAgeSeconds: 7200 },
    memoryMb: 512,
  },
] satisfies readonly RouteRow[];

/**
 * The table. Typed per row (not just `RouteRow[]`) so each row's processor keeps its literal detail-type and its
 * schema type: the typed producer client (`infra/client`) derives `send(detailType, detail)` from it.
 */
export const routes: readonly (typeof rows)[number][] = rows;
